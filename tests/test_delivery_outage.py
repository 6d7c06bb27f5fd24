"""Delivery when the relay or the outbox, not the messages, is at fault, and what an outage held: a real SMTP
server on loopback, real SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from test_claim_lease import ELSEWHERE
from test_delivery import ON, _appealwatch, families, outbox_rows, smtp_config

from jobs.commands.deliver import deliver_pending
from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.store import messages, runs

import builders as b
from conftest import Database
from smtp_server import SmtpTestServer, free_port, refuse_recipient


@pytest.fixture(autouse=True, params=[False, True], ids=["one-by-one", "pipelined"])
def pipelining(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test against a relay without PIPELINING and one with it (two round trips a message): what is
    sent, failed, kept pending or stops the pass must not differ."""
    monkeypatch.setattr(SmtpTestServer, "pipelining_by_default", request.param)
    return bool(request.param)


def with_supervisor(path: Path) -> Path:
    # The report in English: these tests read its words.
    path.write_text(
        path.read_text() + 'recipients = ["boss@infino.example"]\nlanguage = "en"\n', encoding="utf-8"
    )
    return path


def statuses(engine: Engine) -> dict[str, str]:
    """kind and recipient -> status, e.g. {"reminder family1@mail.example": "sent"}."""
    with engine.connect() as conn:
        rows = conn.execute(select(messages.c.kind, messages.c.to_addr, messages.c.status)).all()
    return {f"{kind} {to}": status for kind, to, status in rows}


def relay_denied(event: str, address: str | None) -> str | None:
    return f"554 5.7.1 <{address}>: Relay access denied" if event == "RCPT" else None


# -- 1. a relay that refuses relaying ------------------------------------------------------------------------


def test_a_relay_denying_relaying_on_a_quiet_night_costs_nobody_a_reminder_nor_the_report(
    database: Database, tmp_path: Path
) -> None:
    """Two reminders and the supervisors' mail (in a pass of its own): fewer than three refusals alike."""
    families(database.engine, 2)
    with SmtpTestServer(script=relay_denied) as server:
        config = with_supervisor(smtp_config(tmp_path, database.url, server.port))
        assert run_nightly(load_settings(config, {}), ON) == 1
        assert server.messages == []
    assert set(statuses(database.engine).values()) == {"pending"}
    assert len(statuses(database.engine)) == 3
    with SmtpTestServer() as fixed:
        config = with_supervisor(smtp_config(tmp_path, database.url, fixed.port))
        assert deliver_pending(load_settings(config, {}), ON) == 0
        assert sorted(r.rcpt_tos[0] for r in fixed.messages) == [
            "boss@infino.example",
            "family1@mail.example",
            "family2@mail.example",
        ]
    assert set(statuses(database.engine).values()) == {"sent"}


def test_a_refusal_every_message_of_the_pass_gets_alike_puts_them_back_however_few(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 2)
    refuse = lambda event, _address: "554 5.7.1 Message refused" if event == "RCPT" else None  # noqa: E731
    with SmtpTestServer(script=refuse) as server:
        assert run_nightly(load_settings(smtp_config(tmp_path, database.url, server.port), {}), ON) == 1
    assert set(statuses(database.engine).values()) == {"pending"}


def test_an_unknown_address_alone_in_its_pass_still_fails_that_message(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 1)
    with SmtpTestServer(script=refuse_recipient("family1@mail.example")) as server:
        assert run_nightly(load_settings(smtp_config(tmp_path, database.url, server.port), {}), ON) == 1
    assert statuses(database.engine) == {"reminder family1@mail.example": "failed"}


# -- 4. what an outage held ----------------------------------------------------------------------------------


@pytest.mark.parametrize("held", ["pending", "stale claim"])
def test_held_digests_are_settled_against_the_night_they_go_out(
    database: Database, tmp_path: Path, held: str
) -> None:
    """An follows families 1 (deadline ON + 2) and 3 (ON + 13), Bart family 2 (ON + 2); a week-long outage.
    Held as `pending`, or as `sending` with a stale claim (a worker that vanished mid-send): settled alike."""
    with database.engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an@infino.example", "en")
        b.advisor(conn, 2, "Bart Claes", "bart@infino.example", "en")
        for ident, notified, advisor in [(1, date(2024, 12, 20), 1), (2, date(2024, 12, 20), 2),
                                         (3, date(2024, 12, 31), 1)]:  # fmt: skip
            b.beneficiary(conn, ident, f"Family {ident}", f"family{ident}@mail.example", "en", advisor)
            b.decision(conn, ident, ident, "care_allowance", notified)
    outage = ON - timedelta(days=1)  # 2025-03-17: An's digest holds families 1 and 3, Bart's family 2
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, outage) == 1
    if held == "stale claim":
        with database.engine.begin() as conn:
            conn.execute(
                update(messages).values(
                    status="sending", claimed_by=ELSEWHERE, lease_until=datetime.now(UTC) - timedelta(hours=1)
                )
            )
    back = outage + timedelta(days=7)  # 2025-03-24: families 1 and 2 past their deadline, family 3 has 7 days
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert deliver_pending(up, back) == 1  # the reminders to families 1 and 2 expired
        received = {r.rcpt_tos[0]: r.message for r in server.messages}
    assert "bart@infino.example" not in received
    assert statuses(database.engine)["digest bart@infino.example"] == "expired"
    digest = received["an@infino.example"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Family 1" not in digest, "a deadline already past is not quoted"
    assert "Family 3" in digest and "7 days" in digest and "14 days left" not in digest


def test_deliver_supersedes_a_held_stage_when_a_more_urgent_one_is_due_and_the_run_sends_that_one(
    database: Database, tmp_path: Path
) -> None:
    """Deadline 2025-03-31: the 14-day stage is held from 03-17; on 03-24 the 7-day stage is due."""
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Family 1", "family1@mail.example", "en")
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 31))
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, date(2025, 3, 17)) == 1
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert deliver_pending(up, date(2025, 3, 24)) == 0
        assert run_nightly(up, date(2025, 3, 24)) == 0
        [received] = server.messages  # one mail to the family, not the old stage and the new one
    assert received.message["Message-ID"].endswith(".s7@infino.example>")
    assert sorted(s for _m, s, _a in outbox_rows(database.engine)) == ["sent", "superseded"]


def test_the_report_mail_sent_after_deliver_cleared_an_outage_says_what_went_out(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 2)
    down = with_supervisor(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"))
    assert run_nightly(load_settings(down, {}), ON) == 1
    with SmtpTestServer() as server:
        up = with_supervisor(smtp_config(tmp_path, database.url, server.port))
        assert deliver_pending(load_settings(up, {}), ON) == 0
        [report] = [r.message for r in server.messages if r.rcpt_tos == ("boss@infino.example",)]
        assert len(server.messages) == 3
    page = report.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "still wait in the outbox" not in page and "Nothing waits in the outbox" in page


def test_a_report_mail_held_from_an_earlier_night_is_superseded_by_the_later_report(
    database: Database, tmp_path: Path
) -> None:
    families(database.engine, 1)
    down = with_supervisor(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"))
    assert run_nightly(load_settings(down, {}), ON) == 1
    with SmtpTestServer() as server:
        up = with_supervisor(smtp_config(tmp_path, database.url, server.port))
        assert run_nightly(load_settings(up, {}), ON + timedelta(days=1)) == 0
        reports = [r.message["Subject"] for r in server.messages if r.rcpt_tos == ("boss@infino.example",)]
    assert reports == [reports[0]] and reports[0].startswith(
        "appealwatch 19 Mar:"
    )  # the later night's report (ON + 1)


# -- 9 and 11. the night's last line -------------------------------------------------------------------------


def test_a_night_the_relay_is_down_ends_with_the_cause_the_next_step_and_counts_that_add_up(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    families(database.engine, 5)
    down = with_supervisor(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"))
    assert run_nightly(load_settings(down, {}), ON) == 1
    out, err = capsys.readouterr()
    last = err.strip().splitlines()[-1]
    assert "SMTP relay unreachable" in last and "6 message(s) wait" in last
    assert "next run or `appealwatch deliver`" in last
    assert "5 message(s) planned, 0 held from earlier runs, 1 report mail(s): 0 sent" in out
    assert "6 waiting" in out


def test_an_unwritable_outbox_is_not_called_a_relay_refusal(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    families(database.engine, 2)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{database.url}"\n[notifier]\nkind = "file"\noutbox_dir = "outbox"\n'
        '[report]\nout_dir = "reports"\n',
        encoding="utf-8",
    )
    (tmp_path / "outbox").write_text("a file where the outbox folder should be")  # unwritable, even for root
    assert run_nightly(load_settings(path, {}), ON) == 1
    err = capsys.readouterr().err
    assert "relay" not in err.lower()
    assert "file outbox" in err.strip().splitlines()[-1] and "2 message(s) wait" in err
    with database.engine.connect() as conn:
        answers = conn.execute(select(messages.c.status, messages.c.last_answer)).all()
    assert {s for s, _a in answers} == {"pending"}
    assert all("relay" not in (a or "").lower() for _s, a in answers)


def test_a_refused_login_is_one_line_with_the_next_step_for_run_and_for_deliver_with_workers(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_delivery import _appealwatch

    families(database.engine, 4)
    with SmtpTestServer(auth=("infino", "new-password")) as server:
        extra = 'username = "infino"\npassword_env = "AW_SMTP_PW"\n'
        config = smtp_config(tmp_path, database.url, server.port, extra)
        monkeypatch.setenv("AW_SMTP_PW", "old-password")  # the relay's password was changed
        for args in (("run",), ("deliver", "--workers", "3")):
            proc = _appealwatch(config, *args, "--on", ON.isoformat())
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 1, err
            [line] = err.strip().splitlines()
            assert "535" in line and "4 message(s) wait" in line and "appealwatch deliver" in line
    assert set(statuses(database.engine).values()) == {"pending"}


# -- deliver checks the report folder at start, as run does ---------------------------------------------------


def test_deliver_with_an_unwritable_report_folder_exits_2_at_start_and_sends_nothing(
    database: Database, tmp_path: Path
) -> None:
    """The reminders and the supervisors' mail waited for a relay; `[report] out_dir` became a file meanwhile:
    `deliver` says so before it sends anything, not after the reminders went out."""
    families(database.engine, 2)
    config = with_supervisor(smtp_config(tmp_path, database.url, free_port()))
    assert run_nightly(load_settings(config, {}), ON) == 1  # the relay is down: all three wait
    shutil.rmtree(tmp_path / "reports")
    (tmp_path / "reports").write_text("not a folder\n", encoding="utf-8")
    with SmtpTestServer() as server:
        config = with_supervisor(smtp_config(tmp_path, database.url, server.port))
        proc = _appealwatch(config, "deliver", "--on", ON.isoformat())
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 2, out + err
        assert server.messages == []
    assert "[report] out_dir: cannot write the report in" in err and "nothing was sent or recorded" in err
    assert set(statuses(database.engine).values()) == {"pending"}
    with database.engine.connect() as conn:
        assert conn.execute(select(runs.c.command)).scalars().all() == ["run"], "the deliver was not recorded"
