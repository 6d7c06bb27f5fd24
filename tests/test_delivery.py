"""Delivery through a real SMTP server on loopback: TLS and login, failures that are retried and failures that
are not, every attempt recorded, and exactly once across a SIGKILL and parallel processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from jobs.commands.deliver import deliver_pending
from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.store import attempts, messages, reminders

import builders as b
from conftest import Database
from smtp_server import SmtpTestServer, answer_times, drop_times, free_port, refuse_recipient


@pytest.fixture(autouse=True, params=[False, True], ids=["one-by-one", "pipelined"])
def pipelining(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test against a relay without PIPELINING and one with it (two round trips a message): what is
    sent, failed, kept pending or stops the pass must not differ."""
    monkeypatch.setattr(SmtpTestServer, "pipelining_by_default", request.param)
    return bool(request.param)


ON = date(2025, 3, 18)
REPO = Path(__file__).resolve().parents[1]


def smtp_config(tmp_path: Path, url: str, port: int, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[notifier]\nkind = "smtp"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\ntimeout = 10.0\nbackoff_seconds = 0.0\n{extra}'
        f'[report]\nout_dir = "reports"\n',
        encoding="utf-8",
    )
    return path


def families(engine: Engine, count: int, with_advisor: bool = False) -> list[str]:
    """`count` families, each with one care-allowance decision whose safe deadline is ON + 2 days: on ON
    stage 2 is due (30, 14 and 7 are skipped), so each family gets exactly one reminder tonight."""
    notified = date(2024, 12, 20)  # + 3 months = 2025-03-20 = ON + 2
    addresses = []
    with engine.begin() as conn:
        if with_advisor:
            b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example")
        for i in range(1, count + 1):
            address = f"family{i}@mail.example"
            b.beneficiary(
                conn, i, f"Family {i}", address, ["nl", "fr", "de", "en"][i % 4], 1 if with_advisor else None
            )
            b.decision(conn, i, i, "care_allowance", notified)
            addresses.append(address)
    return addresses


def outbox_rows(engine: Engine) -> list[tuple[str, str, int]]:
    with engine.connect() as conn:
        query = select(messages.c.message_id, messages.c.status, messages.c.attempts).order_by(messages.c.id)
        return [(r.message_id, r.status, r.attempts) for r in conn.execute(query)]


def attempt_codes(engine: Engine, message_id: str) -> list[int | None]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(attempts.c.code)
                .join(messages, messages.c.id == attempts.c.message_pk)
                .where(messages.c.message_id == message_id)
                .order_by(attempts.c.id)
            ).scalars()
        )


def test_reminders_go_over_starttls_with_login_and_every_attempt_is_recorded(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 3, with_advisor=True)
    with SmtpTestServer(starttls=True, auth=("infino", "s3cret")) as server:
        server.ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
        extra = (
            'security = "starttls"\nusername = "infino"\npassword_env = "AW_SMTP_PW"\nca_file = "ca.pem"\n'
        )
        settings = load_settings(
            smtp_config(tmp_path, database.url, server.port, extra), {"AW_SMTP_PW": "s3cret"}
        )
        assert run_nightly(settings, ON) == 0
        received = server.wait_for_messages(4)
    assert all(r.tls and r.login == "infino" for r in received)
    assert server.connections == 1, "one connection for the whole batch"
    rows = outbox_rows(database.engine)
    assert sorted(r.message["Message-ID"] for r in received) == sorted(m for m, _s, _a in rows)
    assert all(status == "sent" and tries == 1 for _m, status, tries in rows)
    assert all(attempt_codes(database.engine, m) == [250] for m, _s, _a in rows)
    tos = sorted(r.rcpt_tos[0] for r in received)
    assert tos == [
        "an.peeters@infino.example",
        "family1@mail.example",
        "family2@mail.example",
        "family3@mail.example",
    ]


def test_a_451_is_retried_and_delivered_with_both_answers_recorded(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 1)
    with SmtpTestServer(script=answer_times("451 4.3.0 try again later", 1)) as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 0
        assert len(server.messages) == 1
    [(message_id, status, tries)] = outbox_rows(database.engine)
    assert (status, tries) == ("sent", 2)
    assert attempt_codes(database.engine, message_id) == [451, 250]


def test_a_dropped_connection_is_retried_on_a_new_one(database: Database, tmp_path: Path) -> None:
    families(database.engine, 2)
    with SmtpTestServer(script=drop_times(1)) as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 0
        assert len(server.messages) == 2
    assert {s for _m, s, _a in outbox_rows(database.engine)} == {"sent"}


def test_a_550_fails_that_message_only_is_not_retried_and_the_run_exits_1(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 3)
    with SmtpTestServer(script=refuse_recipient("family2@mail.example")) as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 1
        assert sorted(r.rcpt_tos[0] for r in server.messages) == [
            "family1@mail.example",
            "family3@mail.example",
        ]
        status = {m: (s, a) for m, s, a in outbox_rows(database.engine)}
        failed = [m for m, (s, _a) in status.items() if s == "failed"]
        assert len(failed) == 1 and ".b2." in failed[0]
        assert attempt_codes(database.engine, failed[0]) == [550]
        # The next night and an explicit `deliver` leave it alone: a permanent failure is not retried.
        assert run_nightly(settings, ON + timedelta(days=1)) == 0
        assert deliver_pending(settings, ON + timedelta(days=1)) == 0
        assert attempt_codes(database.engine, failed[0]) == [550]
    report = (tmp_path / "reports" / ON.isoformat() / "deliveries.csv").read_text(encoding="utf-8")
    assert "failed" in report and "550" in report


def test_an_smtp_outage_defers_everything_and_deliver_sends_it_later(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 5)
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 2\n"), {})
    assert run_nightly(down, ON) == 1
    assert {s for _m, s, _a in outbox_rows(database.engine)} == {"pending"}
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert deliver_pending(up, ON) == 0
        assert len(server.messages) == 5
        assert deliver_pending(up, ON) == 0
        assert len(server.messages) == 5, "delivered once"
    assert {s for _m, s, _a in outbox_rows(database.engine)} == {"sent"}
    # Each message: two refused connections, then the 250.
    message_id = outbox_rows(database.engine)[0][0]
    assert attempt_codes(database.engine, message_id)[-1] == 250
    assert len(attempt_codes(database.engine, message_id)) == 3


def test_a_message_still_pending_after_its_deadline_is_not_sent(database: Database, tmp_path: Path) -> None:
    families(database.engine, 1)
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, ON) == 1
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        # The safe deadline was ON + 2: not sent, and the command says something did not go out (exit 1).
        assert deliver_pending(up, ON + timedelta(days=3)) == 1
        assert server.messages == []
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["expired"]


def _appealwatch(config: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}
    return subprocess.Popen(
        [sys.executable, "-m", "jobs", *args, "--config", str(config)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _slow(event: str, _address: str | None) -> str | None:
    if event == "DATA":
        time.sleep(0.01)  # a slow relay, so that the kill lands in the middle of the batch
    return None


@pytest.mark.slow
def test_a_run_killed_mid_delivery_then_rerun_delivers_every_reminder_at_most_one_twice(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 300)
    with SmtpTestServer(script=_slow) as server:
        config = smtp_config(tmp_path, database.url, server.port)
        first = _appealwatch(config, "run", "--on", ON.isoformat())
        try:
            server.wait_for_messages(100, timeout=120)
        finally:
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=30)
        assert first.returncode == -signal.SIGKILL
        assert len(server.messages) < 300, "the kill came too late to test anything"
        second = _appealwatch(config, "run", "--on", ON.isoformat())
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, out + err
        received = Counter(r.message["Message-ID"] for r in server.messages)
    rows = outbox_rows(database.engine)
    assert len(rows) == 300
    assert all(status == "sent" for _m, status, _a in rows)
    assert set(received) == {m for m, _s, _a in rows}, "every due reminder delivered"
    assert sum(n - 1 for n in received.values()) <= 1, "at most the message in flight at the kill repeats"
    with database.engine.connect() as conn:
        assert len(conn.execute(select(reminders.c.id).where(reminders.c.status == "queued")).all()) == 300


@pytest.mark.slow
def test_parallel_runs_and_delivery_workers_send_each_reminder_once(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 200)
    # First night: the relay is down, everything waits in the outbox.
    down = smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n")
    assert run_nightly(load_settings(down, {}), ON) == 1
    with SmtpTestServer(script=_slow) as server:
        config = smtp_config(tmp_path, database.url, server.port)
        # Two runs started together (one may find the lock held: exit 3) and two delivery processes with
        # three workers each, all at once, against the same outbox.
        procs = [
            _appealwatch(config, "run", "--on", ON.isoformat()),
            _appealwatch(config, "run", "--on", ON.isoformat()),
            _appealwatch(config, "deliver", "--workers", "3", "--on", ON.isoformat()),
            _appealwatch(config, "deliver", "--workers", "3", "--on", ON.isoformat()),
        ]
        codes = [p.wait(timeout=300) for p in procs]
        for p in procs:
            p.communicate()
        received = Counter(r.message["Message-ID"] for r in server.messages)
    assert codes[0] in (0, 3) and codes[1] in (0, 3) and codes[2:] == [0, 0], codes
    rows = outbox_rows(database.engine)
    assert len(rows) == 200 and all(s == "sent" for _m, s, _a in rows)
    assert set(received) == {m for m, _s, _a in rows}
    assert max(received.values()) == 1, "no reminder was sent twice"


def test_a_name_that_tries_to_add_a_recipient_adds_none(database: Database, tmp_path: Path) -> None:
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Evil\r\nBcc: victim@evil.example", "family@mail.example")
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 0
        [received] = server.messages
    assert received.rcpt_tos == ("family@mail.example",)
    assert received.message["Bcc"] is None
    assert "victim" not in str(received.message["To"].addresses[0].addr_spec)


def test_a_reminder_held_up_by_an_outage_is_not_sent_once_the_window_is_appealed(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 2)
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, ON) == 1
    with database.engine.begin() as conn:
        b.appeal(conn, 1, "labour_court", ON)  # family 1 appealed meanwhile
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(up, ON + timedelta(days=1)) == 0
        assert [r.rcpt_tos[0] for r in server.messages] == ["family2@mail.example"]
    statuses = sorted(s for _m, s, _a in outbox_rows(database.engine))
    assert statuses == ["sent", "superseded"]


def test_a_relay_that_is_down_stops_the_pass_after_a_few_failures_and_the_rest_waits(
    database: Database, tmp_path: Path
) -> None:
    from jobs.outbox.delivery import CIRCUIT_BREAKER

    families(database.engine, CIRCUIT_BREAKER + 5)
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, ON) == 1
    rows = outbox_rows(database.engine)
    assert len(rows) == CIRCUIT_BREAKER + 5 and {s for _m, s, _a in rows} == {"pending"}
    assert sum(tries for _m, _s, tries in rows) == CIRCUIT_BREAKER, "only the first few were tried"


def test_a_rerun_of_the_night_still_lists_the_families_to_call(database: Database, tmp_path: Path) -> None:
    families(database.engine, 1)
    with database.engine.begin() as conn:
        b.beneficiary(conn, 99, "Camille Dubois", None, "fr")
        b.decision(conn, 99, 99, "care_allowance", date(2024, 12, 20))
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 0
        assert run_nightly(settings, ON) == 0  # nothing new to send: the ledger already has it all
    listed = (tmp_path / "reports" / ON.isoformat() / "unreachable.csv").read_text(encoding="utf-8")
    assert "Camille Dubois" in listed and "missing e-mail address" in listed
    deliveries = (tmp_path / "reports" / ON.isoformat() / "deliveries.csv").read_text(encoding="utf-8")
    assert "family1@" not in deliveries and ".b1.s2@" in deliveries and ",sent," in deliveries


def test_a_refused_reminder_puts_the_family_on_the_list_to_call(database: Database, tmp_path: Path) -> None:
    families(database.engine, 2)
    with SmtpTestServer(script=refuse_recipient("family2@mail.example")) as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 1
    listed = (tmp_path / "reports" / ON.isoformat() / "unreachable.csv").read_text(encoding="utf-8")
    assert "Family 2" in listed and "refused by the mail server: 550" in listed
    assert "Family 1" not in listed


def test_the_report_command_writes_files_but_mails_nobody(database: Database, tmp_path: Path) -> None:
    from jobs.commands.report import write_report_command

    families(database.engine, 1)
    path = smtp_config(tmp_path, database.url, free_port())
    path.write_text(path.read_text() + 'recipients = ["boss@infino.example"]\n', encoding="utf-8")
    settings = load_settings(path, {})
    # No night ran: the family's window has no reminder planned, so the report exits 1 (uncovered), as the night
    # would; it still mails nobody.
    assert write_report_command(settings, ON, str(tmp_path / "elsewhere")) == 1
    assert (tmp_path / "elsewhere" / ON.isoformat() / "report.html").exists()
    assert outbox_rows(database.engine) == []


def test_a_refused_login_fails_no_reminder_and_deliver_sends_them_once_fixed(
    database: Database, tmp_path: Path
) -> None:
    """A rotated password must not cost the families a stage: the messages wait, the pass stops at once."""
    families(database.engine, 4)
    with SmtpTestServer(starttls=True, auth=("infino", "new-password")) as server:
        server.ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
        extra = (
            'security = "starttls"\nusername = "infino"\npassword_env = "AW_SMTP_PW"\nca_file = "ca.pem"\n'
        )
        path = smtp_config(tmp_path, database.url, server.port, extra)
        path.write_text(path.read_text() + 'language = "en"\n', encoding="utf-8")  # the report's words
        assert run_nightly(load_settings(path, {"AW_SMTP_PW": "old-password"}), ON) == 1
        rows = outbox_rows(database.engine)
        assert {s for _m, s, _a in rows} == {"pending"}
        assert sum(tries for _m, _s, tries in rows) == 1, "the pass stopped after the first refusal"
        assert [c for m, _s, _a in rows for c in attempt_codes(database.engine, m)] == [535]
        page = (tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8")
        assert (
            "4 messages still wait in the outbox" in page and "535" in page and "appealwatch deliver" in page
        )
        assert deliver_pending(load_settings(path, {"AW_SMTP_PW": "new-password"}), ON) == 0
        assert len(server.messages) == 4
    assert {s for _m, s, _a in outbox_rows(database.engine)} == {"sent"}


def test_a_reminder_held_up_by_an_outage_says_tonights_days_left_when_it_goes_out(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 3)  # family 3 writes in English; safe deadline ON + 2
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, ON) == 1
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(up, ON + timedelta(days=1)) == 0
        [english] = [r.message for r in server.messages if r.rcpt_tos == ("family3@mail.example",)]
    text = english.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Tomorrow is the last day." in text
    assert "You have 2 days left." not in text
    assert english["Message-ID"] == "<aw.r.3.labour_court.20250320.b3.s2@infino.example>"  # the same message


def test_a_reminder_held_past_its_deadline_expires_and_the_family_is_listed_to_call(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 1)  # safe deadline ON + 2 = 2025-03-20, a Thursday: no grace beyond it
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    for night in range(4):  # the relay stays down past the deadline
        assert run_nightly(down, ON + timedelta(days=night)) == 1
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["expired"]
    listed = (tmp_path / "reports" / (ON + timedelta(days=3)).isoformat() / "unreachable.csv").read_text(
        encoding="utf-8"
    )
    assert "Family 1" in listed and "not sent before its deadline" in listed


def test_a_message_too_big_for_the_relay_fails_alone_and_the_others_go_out(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 3)

    def too_big_for_family2(event: str, address: str | None) -> str | None:
        # Decided at MAIL FROM (smtplib announces SIZE there): only the message to family 2 is "too big".
        if event == "RCPT" and address == "family2@mail.example":
            return "552 5.3.4 Message size exceeds fixed limit"
        return None

    with SmtpTestServer(script=too_big_for_family2) as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 1
        assert sorted(r.rcpt_tos[0] for r in server.messages) == [
            "family1@mail.example",
            "family3@mail.example",
        ]
    assert sorted(s for _m, s, _a in outbox_rows(database.engine)) == ["failed", "sent", "sent"]


def test_a_size_refusal_at_mail_from_is_the_messages_fault_not_the_relays(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 3)
    first = [True]

    def mail_from(event: str, _address: str | None) -> str | None:
        if event == "MAIL" and first[0]:
            first[0] = False
            return "552 5.3.4 Message size exceeds fixed limit"
        return None

    with SmtpTestServer(script=mail_from) as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 1
        assert len(server.messages) == 2, "the pass went on after the one oversized message"
    assert sorted(s for _m, s, _a in outbox_rows(database.engine)) == ["failed", "sent", "sent"]


def test_a_relay_that_refuses_everyone_alike_costs_nobody_a_reminder(
    database: Database, tmp_path: Path
) -> None:
    """554 5.7.1 Relay access denied at RCPT, for every recipient: the relay's fault, not the families'."""
    from jobs.outbox.delivery import SAME_REFUSALS

    families(database.engine, SAME_REFUSALS + 3)
    with SmtpTestServer(
        script=lambda event, address: (
            f"554 5.7.1 <{address}>: Relay access denied" if event == "RCPT" else None
        )
    ) as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 1
        assert server.messages == []
    assert {s for _m, s, _a in outbox_rows(database.engine)} == {"pending"}
    with SmtpTestServer() as fixed:
        settings = load_settings(smtp_config(tmp_path, database.url, fixed.port), {})
        assert deliver_pending(settings, ON) == 0
        assert len(fixed.messages) == SAME_REFUSALS + 3


def test_deliver_does_not_send_a_held_reminder_whose_family_appealed_meanwhile(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 3)
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, ON) == 1
    with database.engine.begin() as conn:
        b.appeal(conn, 1, "labour_court", ON)
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert deliver_pending(up, ON + timedelta(days=1)) == 0
        received = {r.rcpt_tos[0]: r.message for r in server.messages}
    assert sorted(received) == ["family2@mail.example", "family3@mail.example"]
    text = received["family3@mail.example"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Tomorrow is the last day." in text
