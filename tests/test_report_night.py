"""The supervisors' report of a night as the run log and the ledger hold it: its subject line, the run's start
and end (the same whenever the report is written again), the last nights read like tonight, an uncovered
window, and an advisor whose digest the relay refused."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from pathlib import Path

import pytest

from jobs.commands.run import run_nightly
from jobs.config import load_settings

import builders as b
from conftest import Database
from test_report_sections import parse

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
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(outbox.rglob("*.eml"))
    ]
    return [m for m in mails if "boss@infino.example" in str(m["To"])]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("nl", "appealwatch 18 mrt: 2 te vervallen deze week, 1 te schrijven of te bellen, 0 niet gedekt, 0 mislukt"),
        ("fr", "appealwatch 18 mars : 2 à échéance cette semaine, 1 à écrire ou appeler, 0 non couverts, 0 échoués"),
        ("en", "appealwatch 18 Mar: 2 due this week, 1 to write to or call, 0 uncovered, 0 failed"),
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
