"""A stage superseded while it waited in the outbox because its window closed (an appeal recorded by mistake,
a withdrawal undone) is planned again when the window opens again with the same deadline: the ledger row is
re-armed, its message goes out once, and `history` tells the three steps. A stage superseded by the catch-up
rule (a more urgent stage of the series was due) stays done. A real SMTP server on loopback, SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text, update
from test_claim_lease import ELSEWHERE
from test_delivery import outbox_rows, smtp_config

from jobs.commands.deliver import deliver_pending
from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.history import as_json, decision_history
from jobs.store import messages, reminders

import builders as b
from conftest import Database
from smtp_server import SmtpTestServer, free_port

# Notified 2024-12-20: safe deadline 2025-03-20. On 03-10 (10 days left) stage 14 is due (30 skipped).
NOTIFIED = date(2024, 12, 20)
NIGHT1, NIGHT2, NIGHT3 = date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)


def one_family(engine: Engine) -> None:
    with engine.begin() as conn:
        b.beneficiary(conn, 1, "Family 1", "family1@mail.example", "en")
        b.decision(conn, 1, 1, "care_allowance", NOTIFIED)


def relay_down(tmp_path: Path, url: str) -> Any:
    return load_settings(smtp_config(tmp_path, url, free_port(), "max_attempts = 1\n"), {})


def stages(engine: Engine) -> dict[int, tuple[str, str | None]]:
    """stage -> (ledger status, detail) of the family's rows."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(reminders.c.stage, reminders.c.status, reminders.c.detail).where(
                reminders.c.recipient_kind == "beneficiary"
            )
        ).all()
    return {int(r.stage): (r.status, r.detail) for r in rows}


def history_events(engine: Engine, on: date) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return as_json(decision_history(conn, 1, on))["events"]  # type: ignore[no-any-return]


def test_a_stage_superseded_by_an_appeal_recorded_by_mistake_goes_once_when_the_appeal_is_deleted(
    database: Database, tmp_path: Path
) -> None:
    one_family(database.engine)
    # Night 1: the relay is down, the 14-day reminder waits in the outbox.
    assert run_nightly(relay_down(tmp_path, database.url), NIGHT1) == 1
    [(message_id, status, _tries)] = outbox_rows(database.engine)
    assert status == "pending" and message_id.endswith(".s14@infino.example>")
    # Night 2: an appeal is recorded (by mistake): the window closes, the held reminder is superseded.
    with database.engine.begin() as conn:
        b.appeal(conn, 1, "labour_court", NIGHT2)
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        run_nightly(up, NIGHT2)
        assert server.messages == []
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["superseded"]
    # Night 3: the appeal is deleted: the window is open again with the same deadline.
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM appeals WHERE decision_id = 1"))
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(up, NIGHT3) == 0
        [received] = server.messages
        assert received.rcpt_tos == ("family1@mail.example",)
        assert received.message["Message-ID"] == message_id  # the same stage, nothing was sent before
        body = received.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "8 days" in body, "it reads as of the night it goes out"
        # A rerun of the night, and a `deliver`, send nothing more.
        assert run_nightly(up, NIGHT3) == 0
        assert deliver_pending(up, NIGHT3) == 0
        assert len(server.messages) == 1
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["sent"]  # one row, re-armed
    ledger = stages(database.engine)
    assert sorted(ledger) == [14, 30] and ledger[14][0] == "queued"
    # `history` tells the three steps: held (not delivered), superseded by the appeal, re-armed and delivered.
    events = history_events(database.engine, NIGHT3)
    [stage] = [e for e in events if e["event"] == "stage" and e["stage"] == 14]
    assert stage["outcome"] == "sent"
    assert f"superseded on {NIGHT2}" in stage["detail"] and "appealed" in stage["detail"]
    assert f"re-armed on {NIGHT3}" in stage["detail"]
    assert stage["detail"].index("superseded") < stage["detail"].index("re-armed")
    tries = [e["outcome"] for e in events if e["event"] == "attempt"]
    assert tries == ["not delivered", "delivered"]


def test_a_stage_superseded_by_the_catch_up_rule_is_not_sent_when_the_window_reopens(
    database: Database, tmp_path: Path
) -> None:
    """Stage 14 held on 03-10; on 03-13 (7 days left) stage 7 supersedes it (catch-up); on 03-14 an appeal
    closes the window (stage 7 superseded); on 03-15 it is deleted: stage 7 goes, stage 14 never."""
    one_family(database.engine)
    down = relay_down(tmp_path, database.url)
    assert run_nightly(down, NIGHT1) == 1
    assert run_nightly(down, date(2025, 3, 13)) == 1
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["superseded", "pending"]
    with database.engine.begin() as conn:
        b.appeal(conn, 1, "labour_court", date(2025, 3, 14))
    assert run_nightly(down, date(2025, 3, 14)) in (0, 1)
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["superseded", "superseded"]
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM appeals WHERE decision_id = 1"))
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(up, date(2025, 3, 15)) == 0
        assert run_nightly(up, date(2025, 3, 16)) == 0
        [received] = server.messages
    assert received.message["Message-ID"].endswith(".s7@infino.example>")
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["superseded", "sent"]
    ledger = stages(database.engine)
    assert "a more urgent stage" in (ledger[14][1] or "") and "re-armed" not in (ledger[14][1] or "")
    assert "re-armed on 2025-03-15" in (ledger[7][1] or "")


def test_a_sent_reminder_is_never_sent_again_when_its_window_closes_and_reopens(
    database: Database, tmp_path: Path
) -> None:
    one_family(database.engine)
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(up, NIGHT1) == 0
        with database.engine.begin() as conn:
            b.appeal(conn, 1, "labour_court", NIGHT2)
        run_nightly(up, NIGHT2)
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM appeals WHERE decision_id = 1"))
        assert run_nightly(up, NIGHT3) == 0
        assert len(server.messages) == 1
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["sent"]


def test_a_stage_superseded_while_a_vanished_worker_held_it_is_not_sent_again_when_the_window_reopens(
    database: Database, tmp_path: Path
) -> None:
    """A worker on another machine claimed the reminder and vanished: it may have handed it to the relay. The
    appeal recorded by mistake supersedes it; deleting the appeal does not put it back."""
    one_family(database.engine)
    assert run_nightly(relay_down(tmp_path, database.url), NIGHT1) == 1
    with database.engine.begin() as conn:
        conn.execute(
            update(messages).values(
                status="sending", claimed_by=ELSEWHERE, lease_until=datetime.now(UTC) - timedelta(hours=1)
            )
        )
        b.appeal(conn, 1, "labour_court", NIGHT2)
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        run_nightly(up, NIGHT2)
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM appeals WHERE decision_id = 1"))
        run_nightly(up, NIGHT3)
        assert server.messages == []
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["superseded"]
    assert "re-armed" not in (stages(database.engine)[14][1] or "")
