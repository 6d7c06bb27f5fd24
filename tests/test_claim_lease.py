"""A claim left by a worker on another machine is taken over only once its lease has run out: by time,
since from here nobody can tell whether that worker is still alive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from test_delivery import ON, families, outbox_rows, smtp_config

from jobs.commands.deliver import deliver_pending
from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.store import messages

from conftest import Database
from smtp_server import SmtpTestServer, free_port

ELSEWHERE = "other-host/4026531836:4242:0badcafe"  # another machine: its PID cannot be checked from here


def _claimed_elsewhere(database: Database, lease_until: datetime) -> None:
    with database.engine.begin() as conn:
        conn.execute(update(messages).values(status="sending", claimed_by=ELSEWHERE, lease_until=lease_until))


def _queue_two_reminders(database: Database, tmp_path: Path) -> None:
    families(database.engine, 2)
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, ON) == 1
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["pending", "pending"]


def test_a_claim_from_another_host_whose_lease_ran_out_is_taken_over_and_sent_once(
    database: Database, tmp_path: Path
) -> None:
    _queue_two_reminders(database, tmp_path)
    _claimed_elsewhere(database, datetime.now(UTC) - timedelta(seconds=1))
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert deliver_pending(up, ON) == 0
        assert len(server.messages) == 2
        assert deliver_pending(up, ON) == 0
        assert len(server.messages) == 2, "taken over once, not again"
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["sent", "sent"]
    with database.engine.connect() as conn:
        claimants = set(conn.execute(select(messages.c.claimed_by)).scalars())
    assert ELSEWHERE not in claimants


def test_a_claim_from_another_host_still_within_its_lease_is_left_alone(
    database: Database, tmp_path: Path
) -> None:
    _queue_two_reminders(database, tmp_path)
    _claimed_elsewhere(database, datetime.now(UTC) + timedelta(minutes=10))
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        deliver_pending(up, ON)
        assert server.messages == [], "the other worker may still be sending them"
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["sending", "sending"]
