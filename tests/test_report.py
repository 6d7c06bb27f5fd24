"""The supervisor report: who to call, what is in grace, which rows were bad, what went out; mailed once."""

from __future__ import annotations

import csv
import email
import email.policy
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from jobs.commands.run import run_nightly
from jobs.config import load_settings

import builders as b

ON = date(2025, 3, 18)


def test_the_report_lists_who_to_call_what_is_in_grace_and_the_bad_rows(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    with db_engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example")
        b.beneficiary(conn, 1, "Camille Dubois", None, "fr", advisor_id=1)  # no e-mail: to call
        b.beneficiary(conn, 2, "Jan Peeters", "jan.peeters@@mail", "nl", advisor_id=1)  # malformed: to call
        b.beneficiary(
            conn, 3, "Els Maes", "els@mail.example", "es", advisor_id=1
        )  # language outside the four
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # safe 2025-03-20: stage 2 due
        b.decision(conn, 2, 2, "care_allowance", date(2024, 12, 20))
        b.decision(conn, 3, 3, "care_allowance", date(2024, 12, 20))
        # payment (arbitration) informed Sun 2024-12-15: third day 12-18, + 3 months = 2025-03-18; safe takes
        # one day off: 2025-03-17; latest 2025-03-18 (a Tuesday, a working day). On 03-18: in grace.
        b.decision(conn, 4, 3, "payment", date(2024, 12, 15), decided_on=date(2024, 12, 13))
        b.decision(conn, 5, 3, "family_bonus", date(2025, 1, 2))  # unknown kind
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n[notifier]\noutbox_dir = "outbox"\n'
        '[report]\nout_dir = "reports"\nrecipients = ["supervisor@infino.example"]\nlanguage = "en"\n',
        encoding="utf-8",
    )
    settings = load_settings(path, environ={})
    assert run_nightly(settings, ON) == 1  # bad rows: done, but exit 1
    root = tmp_path / "reports" / ON.isoformat()

    def rows(name: str) -> list[dict[str, str]]:
        with open(root / name, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    to_call = {(r["decision_id"], r["reason"]) for r in rows("unreachable.csv")}
    assert to_call == {("1", "missing e-mail address"), ("2", "invalid e-mail address")}
    assert [(r["decision_id"], r["safe_deadline"], r["latest_deadline"]) for r in rows("grace.csv")] == [
        ("4", "2025-03-17", "2025-03-18")
    ]
    problems = {(r["table"], r["row_id"], r["column"], r["row"]) for r in rows("problems.csv")}
    assert ("decisions", "5", "kind", "skipped") in problems
    assert ("beneficiaries", "2", "email", "used") in problems
    assert ("beneficiaries", "3", "language", "used") in problems
    page = (root / "report.html").read_text(encoding="utf-8")
    assert "Camille Dubois" in page and "Jan Peeters" in page and "family_bonus" in page
    assert {r["decision_id"] for r in rows("windows.csv")} == {"1", "2", "3", "4"}

    # The supervisor's copy goes through the outbox: once, however often the night is rerun.
    assert run_nightly(settings, ON) == 1
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in (tmp_path / "outbox").glob("*.eml")
    ]
    reports = [m for m in mails if m["X-Appealwatch-Kind"] == "report"]
    assert len(reports) == 1
    assert reports[0]["To"].addresses[0].addr_spec == "supervisor@infino.example"
    # Families 1 and 2 (no usable address) and family 3, whose grace window (decision 4) ends today and was
    # never reminded: the report (issue 9) lists all three to write to or call.
    assert "3 to write to or call" in reports[0]["Subject"]
    # Els's language is outside the four: she is written to in the fallback language, nl.
    [els] = [m for m in mails if m["To"] is not None and m["To"].addresses[0].addr_spec == "els@mail.example"]
    assert els["Content-Language"] == "nl"


def test_the_report_written_the_morning_after_shows_the_nights_numbers(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    from jobs.commands.report import write_report_command

    with db_engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # stage 2 due on ON
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n[report]\nout_dir = "reports"\n', encoding="utf-8")
    settings = load_settings(path, environ={})
    assert run_nightly(settings, ON) == 0
    page = (tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8")
    assert write_report_command(settings, ON, None) == 0
    again = (tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8")
    assert again == page
    # (Was: the raw counts "messages sent 1" and "stages queued tonight 1"; now said in words, issue 9.)
    from test_report_sections import parse

    report = parse(again)
    assert report.table("counts")[0][1] == "1"  # sent
    assert report.table("stages")[0][1] == "1"  # the one family reminder
