"""The supervisors' report of a night as the run log and the ledger hold it: its subject line, the run's start
and end (the same whenever the report is written again), the last nights read like tonight, an uncovered
window, and an advisor whose digest the relay refused."""

from __future__ import annotations

import csv
import email
import email.policy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import text, update
from test_claim_lease import ELSEWHERE
from test_report_sections import parse

from jobs.commands.report import write_report_command
from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.store import messages

import builders as b
from conftest import Database
from smtp_server import SmtpTestServer, free_port, refuse_recipient

ON = date(2025, 3, 18)  # a Tuesday


def _file_config(tmp_path: Path, url: str, language: str = "en", recipients: bool = True) -> Path:
    path = tmp_path / "config.toml"
    to = '["boss@infino.example"]' if recipients else "[]"
    path.write_text(
        f'[database]\nurl = "{url}"\n[notifier]\noutbox_dir = "outbox"\n'
        f'[report]\nout_dir = "reports"\nrecipients = {to}\nlanguage = "{language}"\n',
        encoding="utf-8",
    )
    return path


def _report_mails(outbox: Path) -> list[email.message.EmailMessage]:
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(outbox.rglob("*.eml"))
    ]
    return [m for m in mails if "boss@infino.example" in str(m["To"])]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        (
            "nl",
            "appealwatch 18 mrt: 2 verstrijken binnen 7 dagen, 1 te schrijven of te bellen, 0 zonder opvolging, 0 mislukt",
        ),
        (
            "fr",
            "appealwatch 18 mars : 2 à échéance dans les 7 jours, 1 à appeler ou à qui écrire, 0 non couverts, 0 échoués",
        ),
        ("en", "appealwatch 18 Mar: 2 due within 7 days, 1 to write to or call, 0 uncovered, 0 failed"),
    ],
)
def test_the_report_mail_says_the_night_with_the_day_in_words(
    database: Database, tmp_path: Path, language: str, subject: str
) -> None:
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.beneficiary(conn, 2, "Jan Smet", None)  # no address: to write to or call
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # 2 days left
        b.decision(conn, 2, 2, "care_allowance", date(2024, 12, 20))
        b.decision(conn, 3, 1, "care_allowance", date(2025, 1, 20))  # a month left: not this week
    settings = load_settings(_file_config(tmp_path, database.url, language), {})
    run_nightly(settings, ON)
    [mail] = _report_mails(tmp_path / "outbox")
    assert mail["Subject"] == subject


def _health(root: Path) -> dict[str, str]:
    page = parse((root / "report.html").read_text(encoding="utf-8"))
    return {row[0]: row[1] for row in page.table("run")}


def _hhmm(value: object) -> str:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert("Europe/Brussels").strftime("%H:%M")


def test_run_health_shows_start_end_previous_run_and_missed_nights_the_same_when_written_again(
    database: Database, tmp_path: Path
) -> None:
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))
    settings = load_settings(_file_config(tmp_path, database.url), {})
    first = date(2025, 3, 14)  # a Friday; the job then missed the weekend and Monday
    run_nightly(settings, first)
    run_nightly(settings, ON)
    root = tmp_path / "reports" / ON.isoformat()
    written = (root / "report.html").read_text(encoding="utf-8")
    health = _health(root)
    with database.engine.connect() as conn:
        runs = conn.execute(
            text("SELECT on_date, started_at, finished_at, stats FROM aw_runs ORDER BY id")
        ).all()
    (_, started0, finished0, _), (_, started, _, stats) = runs
    done = json.loads(stats)["work_done_at"]  # recorded before the report was written
    assert health["Started"] == f"Tuesday 18 March 2025 {_hhmm(started)}"
    assert health["Finished"] == (
        f"{_hhmm(done)}: tonight's reminders and digests were done; only this report (and its mail) came after"
    )
    assert health["Previous night"] == f"Friday 14 March 2025, {_hhmm(started0)} to {_hhmm(finished0)}: done"
    page = parse(written)
    assert page.paragraphs["missed"] == [
        "Nights missed since the previous night: Sat 15 Mar 2025, Sun 16 Mar 2025, Mon 17 Mar 2025."
    ]

    # Written again the morning after (`appealwatch report --on`): the night's start and end have not moved.
    assert write_report_command(settings, ON, None) == 0
    assert _health(root) == health


def test_the_last_nights_read_from_the_ledger_as_tonight_is(database: Database, tmp_path: Path) -> None:
    with database.engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example")
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", advisor_id=1)
        b.beneficiary(conn, 2, "Jan Smet", "jan@mail.example", advisor_id=1)
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # safe Thu 20 Mar
        b.decision(conn, 2, 2, "care_allowance", date(2025, 1, 2))  # safe Wed 2 Apr
    settings = load_settings(_file_config(tmp_path, database.url), {})
    nights = [date(2025, 3, 15), date(2025, 3, 16), date(2025, 3, 17), ON]
    said: dict[date, list[str]] = {}
    for night in nights:
        run_nightly(settings, night)  # each night also mails its report: a message, but no reminder
        page = parse((tmp_path / "reports" / night.isoformat() / "report.html").read_text(encoding="utf-8"))
        [tonight] = [row for row in page.table("nights") if "(tonight)" in row[0]]
        said[night] = [tonight[0].replace(" (tonight)", ""), *tonight[1:]]
    assert said[date(2025, 3, 15)][1:] == [
        "3",
        "2",
        "0",
        "0",
    ]  # Els's 7-day stage, Jan's 30-day one, An's digest; Els's 30 and 14

    # Tonight's report shows each earlier night as that night's report showed it as "tonight".
    page = parse((tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8"))
    assert page.table("nights") == [said[d] for d in nights[:-1]] + [
        [said[ON][0] + " (tonight)", *said[ON][1:]]
    ]
    # And tonight against the average of the same counts.
    sent = [int(said[d][1]) for d in nights[:-1]]
    [line] = [p for p in page.paragraphs.get("nights", [])]
    assert f"Average of the 3 nights before: {sum(sent) / 3:.1f} sent" in line


def _smtp_config(tmp_path: Path, url: str, port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[notifier]\nkind = "smtp"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\ntimeout = 5.0\nbackoff_seconds = 0.0\nmax_attempts = 1\n'
        '[report]\nout_dir = "reports"\nlanguage = "en"\n',
        encoding="utf-8",
    )
    return path


def test_a_window_whose_reminder_was_superseded_and_that_reopened_is_uncovered_and_the_night_exits_1(
    database: Database, tmp_path: Path
) -> None:
    """The nearest real case of "no reminder even planned": the planner plans the most urgent due stage of an
    open window (or lists the family to call), and plans again a reminder superseded unsent when its window
    closed and reopened. Here a worker on another machine was sending the reminder when it vanished, so it may
    have gone out; an appeal recorded by mistake superseded it, and when the appeal was taken out again the
    window reopened with its deadline unchanged and no later stage due yet. The job cannot know whether the
    family was reminded, so it sends nothing again, and nobody is listed to call them: uncovered."""
    with database.engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example")
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", advisor_id=1)
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 24))  # safe Mon 24 Mar
    monday = date(2025, 3, 17)
    # Monday night the relay is down: the 7-day stage waits in the outbox.
    down = load_settings(_smtp_config(tmp_path, database.url, free_port()), {})
    assert run_nightly(down, monday) == 1
    with database.engine.begin() as conn:
        conn.execute(  # a worker elsewhere claimed it and vanished mid-send
            update(messages).values(
                status="sending", claimed_by=ELSEWHERE, lease_until=datetime.now(UTC) - timedelta(hours=1)
            )
        )
    with database.engine.begin() as conn:
        b.appeal(conn, 1, "labour_court", monday)  # typed on the wrong decision
    assert (
        run_nightly(down, monday) == 1
    )  # run again: the window is appealed, its waiting reminder superseded
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM appeals"))  # the mistake undone: the window is open again
    with SmtpTestServer() as server:
        up = load_settings(_smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(up, ON) == 1  # nothing failed or waits: the uncovered window alone
    page = parse((tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8"))
    assert page.table("coverage") == [["7", "1", "0", "0", "1"], ["14", "1", "0", "0", "1"]]
    assert page.table("uncovered") == [
        [
            "Els Maes",
            "1 – Care allowance (zorgtoeslag)",
            "labour court",
            "Monday 24 March 2025",
            "its reminder was cancelled, perhaps before it went out, when the decision changed (an appeal or "
            "complaint, since undone), and its next reminder is not due yet: write to or call the family",
        ]
    ]
    assert page.table("call") == []  # not listed to call: that is what makes it uncovered


def test_an_advisor_whose_digest_the_relay_refused_is_listed_and_their_families_still_counted(
    database: Database, tmp_path: Path
) -> None:
    with database.engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example", team="Gent")
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", advisor_id=1)
        b.beneficiary(conn, 2, "Camille Dubois", None, "fr", advisor_id=1)  # no address: to call
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # 2 days left
        b.decision(conn, 2, 2, "care_allowance", date(2024, 12, 20))
    with SmtpTestServer(script=refuse_recipient("an.peeters@infino.example")) as server:
        settings = load_settings(_smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 1
        delivered = [m for m in server.messages if "els@mail.example" in m.rcpt_tos]
    assert len(delivered) == 1
    page = parse((tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8"))
    assert page.table("advisors") == [
        [
            "An Peeters",
            "Gent",
            "an.peeters@infino.example",
            "digest refused by the mail server: 550 5.1.1 no such user",
        ]
    ]
    [digest] = page.table("deliveries")
    assert digest[:3] == ["digest", "An Peeters (advisor)", "failed"]
    assert digest[4] == "550 5.1.1 no such user"
    # Els was e-mailed, Camille is to call: the refused digest changes neither.
    assert page.table("coverage") == [["7", "2", "1", "1", "0"], ["14", "2", "1", "1", "0"]]
    assert [row[0] for row in page.table("call")] == ["Camille Dubois"]
    assert page.table("load") == [["An Peeters", "Gent", "2", "2", "2", "1", "0"]]


def test_the_load_tables_have_one_real_header_cell_above_each_column(
    database: Database, tmp_path: Path
) -> None:
    with database.engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example", team="Gent")
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", advisor_id=1)
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))
    settings = load_settings(_file_config(tmp_path, database.url), {})
    run_nightly(settings, ON)
    html = (tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8")
    page = parse(html)
    assert "&lt;th&gt;" not in html
    numbers = ["Open", "Within 7 days", "Within 14 days", "To call (decisions)", "Still possible"]
    assert page.headers["teams"] == ["Team", *numbers] and page.table("teams") == [
        ["Gent", "1", "1", "1", "0", "0"]
    ]
    assert page.headers["load"] == ["Advisor", "Team", *numbers]
    assert all(len(row) == len(page.headers["load"]) for row in page.table("load"))


def test_a_correction_notice_is_counted_sent_and_every_message_is_in_the_csv_and_the_workbook(
    database: Database, tmp_path: Path
) -> None:
    with database.engine.begin() as conn:
        b.beneficiary(conn, 2, "Marie Dubois", "marie@mail.example", "fr")
        b.decision(
            conn, 7, 2, "payment", date(2026, 1, 15)
        )  # safe Friday 17 April 2026: 30-day stage 18 March
    settings = load_settings(_file_config(tmp_path, database.url), {})
    run_nightly(settings, date(2026, 3, 18))
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE decisions SET notified_on = :d WHERE id = 7"), {"d": date(2026, 2, 2)})
    night = date(2026, 3, 19)
    run_nightly(settings, night)  # the deadline moved: a correction notice, and no reminder due
    root = tmp_path / "reports" / night.isoformat()
    page = parse((root / "report.html").read_text(encoding="utf-8"))
    assert dict((row[0], row[1]) for row in page.table("counts"))["Sent"] == "1"
    with open(root / "deliveries.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["kind"], r["recipient_id"], r["status"]) for r in rows if r["kind"] != "report"] == [
        ("correction", "2", "sent")
    ]
    # The workbook holds the whole log of the night, as the CSV does, in words.
    sheet = openpyxl.load_workbook(root / f"report-{night.isoformat()}.xlsx")["Deliveries"]
    logged = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(logged) == len(rows)
    assert ("correction of a deadline", "Marie Dubois (family)", "sent") in {r[:3] for r in logged}


def test_a_call_row_says_never_reminded_once_per_decision(database: Database, tmp_path: Path) -> None:
    with database.engine.begin() as conn:
        b.beneficiary(conn, 3, "Camille Dubois", None, "fr")
        b.decision(conn, 3, 3, "care_allowance", date(2024, 12, 20))  # 2 days left
        b.decision(conn, 4, 3, "payment", date(2024, 12, 15), decided_on=date(2024, 12, 13))  # in grace
    for language, never in (("en", "never reminded"), ("nl", "nooit herinnerd"), ("fr", "jamais rappelé")):
        settings = load_settings(_file_config(tmp_path, database.url, language, recipients=False), {})
        write_report_command(settings, ON, None)
        page = parse((tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8"))
        [camille] = page.table("call")
        assert camille[5].count(never) == 2, camille[5]  # two decisions, each said once


def test_report_on_a_night_with_an_uncovered_window_exits_1_as_the_night_did(
    database: Database, tmp_path: Path
) -> None:
    """`appealwatch report --on` the morning after says what the night said, and exits as it did."""
    with database.engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example")
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", advisor_id=1)
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 24))  # safe Mon 24 Mar
    monday = date(2025, 3, 17)
    down = load_settings(_smtp_config(tmp_path, database.url, free_port()), {})
    assert run_nightly(down, monday) == 1
    with database.engine.begin() as conn:
        conn.execute(  # a worker elsewhere claimed it and vanished mid-send
            update(messages).values(
                status="sending", claimed_by=ELSEWHERE, lease_until=datetime.now(UTC) - timedelta(hours=1)
            )
        )
    with database.engine.begin() as conn:
        b.appeal(conn, 1, "labour_court", monday)
    assert run_nightly(down, monday) == 1
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM appeals"))
    with SmtpTestServer() as server:
        up = load_settings(_smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(up, ON) == 1  # the uncovered window alone
        assert write_report_command(up, ON, None) == 1
    page = parse((tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8"))
    assert [row[0] for row in page.table("uncovered")] == ["Els Maes"]


def test_an_advisor_whose_digest_expired_in_an_outage_is_listed_as_expired_not_refused(
    database: Database, tmp_path: Path
) -> None:
    """Bart's digest waited through a week-long outage until its only deadline had passed: it expired, the
    server never refused it. The report says so, and why."""
    with database.engine.begin() as conn:
        b.advisor(conn, 2, "Bart Claes", "bart@infino.example", team="Gent")
        b.beneficiary(conn, 2, "Jan Smet", "jan@mail.example", advisor_id=2)
        b.decision(conn, 2, 2, "care_allowance", date(2024, 12, 20))  # safe Thu 20 Mar
    outage = date(2025, 3, 17)
    down = load_settings(_smtp_config(tmp_path, database.url, free_port()), {})
    assert run_nightly(down, outage) == 1
    back = date(2025, 3, 24)
    with SmtpTestServer() as server:
        up = load_settings(_smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(up, back) == 1
    with database.engine.connect() as conn:
        digest = text("SELECT status FROM aw_messages WHERE kind = 'digest'")
        assert conn.execute(digest).scalar_one() == "expired"
    page = parse((tmp_path / "reports" / back.isoformat() / "report.html").read_text(encoding="utf-8"))
    [row] = page.table("advisors")
    assert row[:3] == ["Bart Claes", "Gent", "bart@infino.example"]
    assert row[3] == "digest expired, never sent: every deadline in it passed before it could be delivered"
