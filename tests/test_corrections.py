"""Corrections (issue 10): when a deadline a family was given changes, one correction notice in their language
names the old and the new date (with weekdays) and says which holds and why; once per change, over real SMTP,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, select, text
from test_delivery import smtp_config

from jobs.commands import cli
from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.store import corrections, messages, reminders

import builders as b
from conftest import Database
from smtp_server import SmtpTestServer

# A payment decision notified 2026-01-15 without the appeal information (art. 89): the arbitration term starts
# 2026-05-15, so the safe deadline X is Friday 2026-08-14 and the 30-day reminder is due on 2026-07-15.
NOTIFIED = date(2026, 1, 15)
X = date(2026, 8, 14)
FIRST_NIGHT = date(2026, 7, 15)
# Recorded late: a complaint filed 2026-04-01 and closed 2026-05-01 restarted a whole new term from the third
# day after its closing (the four-month start does not carry over): Y = Monday 2026-08-03, earlier than X.
Y = date(2026, 8, 3)
SECOND_NIGHT = date(2026, 7, 20)


def _a_family(engine: Engine, language: str = "nl") -> None:
    with engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example")
        b.beneficiary(conn, 1, "Jan Janssens", "jan@mail.example", language, advisor_id=1)
        b.decision(conn, 571, 1, "payment", NOTIFIED, appeal_info_complete=False)


def _record_the_complaint(engine: Engine) -> None:
    with engine.begin() as conn:
        b.complaint(conn, 571, date(2026, 4, 1), date(2026, 5, 1))


def _parts(message: EmailMessage) -> tuple[str, str]:
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None and html_part is not None
    return text_part.get_content(), html_part.get_content()


def test_an_earlier_deadline_after_a_late_complaint_is_told_once_naming_both_dates(
    database: Database, tmp_path: Path
) -> None:
    _a_family(database.engine)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        [first] = server.wait_for_messages(1)
        assert "14 augustus 2026" in _parts(first.message)[0]

        _record_the_complaint(database.engine)
        assert run_nightly(settings, SECOND_NIGHT) == 0
        assert run_nightly(settings, SECOND_NIGHT) == 0  # a rerun of the night sends nothing more
        received = server.wait_for_messages(3)
        assert run_nightly(settings, date(2026, 7, 21)) == 0  # nor does the next night
        assert len(server.messages) == 3

    family = [r for r in received[1:] if r.rcpt_tos == ("jan@mail.example",)]
    [notice] = [r.message for r in family]
    assert notice["Message-ID"] == f"<aw.c.571.arbitration.{Y:%Y%m%d}.b1@infino.example>"
    assert "maandag 3 augustus 2026" in notice["Subject"]
    for part in _parts(notice):
        assert "vrijdag 14 augustus 2026" in part  # the old date, with its weekday
        assert "maandag 3 augustus 2026" in part  # the new one
        assert "vroeger dan de datum die we u eerder gaven" in part  # which holds: the earlier, new one
        assert "klacht" in part and "vrijdag 1 mei 2026" in part  # why: the complaint closed on 1 May

    # The supervisors' report lists it.
    report = (tmp_path / "reports" / SECOND_NIGHT.isoformat() / "corrections.csv").read_text(encoding="utf-8")
    assert report.splitlines()[1:] == [f"571,arbitration,1,{X},{Y},complaint,sent"]
    assert (
        "Verbeterde datums (1)"
        in (tmp_path / "reports" / SECOND_NIGHT.isoformat() / "report.html").read_text()
    )

    # The advisor's digest lists the correction; the family gets no separate 14-day reminder that night.
    [digest] = [r.message for r in received[1:] if r.rcpt_tos == ("an.peeters@infino.example",)]
    digest_text = _parts(digest)[0]
    assert "vrijdag 14 augustus 2026" in digest_text and "maandag 3 augustus 2026" in digest_text
    with database.engine.connect() as conn:
        [row] = conn.execute(select(corrections)).mappings().all()
        assert (row["old_deadline"], row["new_deadline"], row["status"], row["why"]) == (
            X, Y, "queued", "complaint"
        )  # fmt: skip
        kinds = [m.kind for m in conn.execute(select(messages.c.kind).order_by(messages.c.id))]
        assert kinds == ["reminder", "correction", "digest"]
        skipped = conn.execute(
            select(reminders.c.stage, reminders.c.status, reminders.c.detail)
            .where(reminders.c.safe_deadline == Y, reminders.c.recipient_kind == "beneficiary")
            .order_by(reminders.c.stage)
        ).all()
        assert [tuple(r) for r in skipped] == [
            (14, "skipped", "the correction notice gave the new deadline tonight"),
            (30, "skipped", "a more urgent stage was due at the same time"),
        ]


def test_a_later_deadline_is_told_once_too_in_the_family_language(database: Database, tmp_path: Path) -> None:
    """Notified 2026-01-15 with the appeal information: X' = 2026-04-17 (Friday), the 30-day stage on
    2026-03-18. Then the notification date is corrected to 2026-02-02: Y' = Monday 2026-05-04, later."""
    with database.engine.begin() as conn:
        b.beneficiary(conn, 2, "Marie Dubois", "marie@mail.example", "fr")
        b.decision(conn, 7, 2, "payment", NOTIFIED)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, date(2026, 3, 18)) == 0
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE decisions SET notified_on = :d WHERE id = 7"), {"d": date(2026, 2, 2)})
        assert run_nightly(settings, date(2026, 3, 19)) == 0
        assert run_nightly(settings, date(2026, 3, 20)) == 0
        received = server.wait_for_messages(2)
        assert len(server.messages) == 2
    notice = received[1].message
    assert notice["Message-ID"].startswith("<aw.c.7.arbitration.20260504.b2@")
    for part in _parts(notice):
        assert "vendredi 17 avril 2026" in part and "lundi 4 mai 2026" in part
        assert "plus tard que la date" in part
        assert "lundi 2 février 2026" in part  # why: the day informed, corrected


def test_a_deadline_that_disappears_sends_no_notice(database: Database, tmp_path: Path) -> None:
    _a_family(database.engine)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        with database.engine.begin() as conn:
            b.appeal(conn, 571, "arbitration", date(2026, 7, 16))
        assert run_nightly(settings, SECOND_NIGHT) == 0
        assert len(server.wait_for_messages(1)) == 1
    with database.engine.connect() as conn:
        assert conn.execute(select(corrections)).all() == []


def test_history_shows_the_quoted_deadline_its_correction_and_every_delivery_in_text_and_json(
    database: Database, tmp_path: Path
) -> None:
    _a_family(database.engine)
    with SmtpTestServer() as server:
        config = smtp_config(tmp_path, database.url, server.port)
        settings = load_settings(config, {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        _record_the_complaint(database.engine)
        assert run_nightly(settings, SECOND_NIGHT) == 0
        server.wait_for_messages(3)

    runner = CliRunner()
    shown = runner.invoke(cli, ["--config", str(config), "history", "571", "--on", "2026-07-21"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    quoted = next(i for i, line in enumerate(lines) if f"deadline {X}  stage 30d to beneficiary 1" in line)
    assert lines[quoted].endswith(": corrected (corrected to 2026-08-03)")
    told = next(
        i for i, line in enumerate(lines) if f"correction to beneficiary 1: deadline {X} -> {Y}" in line
    )
    assert quoted < told  # oldest first
    assert "(complaint): sent" in lines[told]
    delivered = [line for line in lines if "attempt" in line and ": delivered: 250" in line]
    assert len(delivered) == 3  # the reminder, the correction, the advisor's digest: each with the answer
    assert f"window open  safe deadline {Y}" in lines[-1]

    as_json = runner.invoke(
        cli, ["--config", str(config), "history", "571", "--format", "json", "--on", "2026-07-21"]
    )
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    events = data["events"]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    [first] = [e for e in events if e["event"] == "stage" and e["stage"] == 30 and e["safe_deadline"] == str(X)
               and e["recipient"] == "beneficiary 1"]  # fmt: skip
    assert first["outcome"] == "corrected"
    [fix] = [e for e in events if e["event"] == "correction"]
    assert (fix["old_deadline"], fix["safe_deadline"], fix["outcome"]) == (str(X), str(Y), "sent")
    assert {e["message_id"] for e in events if e["event"] == "attempt" and e["code"] == 250} >= {
        first["message_id"],
        fix["message_id"],
    }
    assert data["windows"] == [
        {"event": "window", "on": "2026-07-21", "forum": "arbitration", "status": "open",
         "safe_deadline": str(Y), "latest_deadline": "2026-08-04"}
    ]  # fmt: skip
    missing = runner.invoke(cli, ["--config", str(config), "history", "99999"])
    assert missing.exit_code == 2
