"""`appealwatch windows` and `explain` as scripts and people read them (shared/contract.md section 3)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import builders as b
from conftest import Database

CONTRACT_FIELDS = {
    "decision_id": int,
    "beneficiary_id": int,
    "forum": str,
    "status": str,
    "rule": str,
    "trigger_on": (str, type(None)),
    "safe_deadline": (str, type(None)),
    "latest_deadline": (str, type(None)),
    "days_left": (int, type(None)),
    "needs_confirmation": bool,
}


@pytest.fixture
def config(database: Database, tmp_path: Path) -> Path:
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "payment", date(2025, 3, 10), decided_on=date(2025, 3, 7))  # open on 03-18
        b.decision(conn, 2, 1, "care_allowance", date(2024, 11, 30))  # expired on 03-18
        b.decision(conn, 3, 1, "beneficiary_designation", None, decided_on=date(2025, 3, 1))  # not notified
        b.decision(conn, 4, 1, "beneficiary_designation", date(2025, 1, 31))
        b.complaint(conn, 4, date(2025, 3, 1))  # interrupted
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{database.url}"\n', encoding="utf-8")
    return path


def appealwatch(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}
    return subprocess.run(
        [sys.executable, "-m", "jobs", *args, "--config", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_windows_json_lists_one_element_per_decision_with_the_contract_fields(config: Path) -> None:
    done = appealwatch(config, "windows", "--on", "2025-03-18", "--all", "--format", "json")
    assert done.returncode == 0, done.stderr
    windows = json.loads(done.stdout)
    assert sorted(w["decision_id"] for w in windows) == [1, 2, 3, 4]
    for window in windows:
        for field, kind in CONTRACT_FIELDS.items():
            assert isinstance(window[field], kind), (field, window)
    by_id = {w["decision_id"]: w for w in windows}
    first = by_id[1]
    assert (first["status"], first["safe_deadline"], first["latest_deadline"]) == (
        "open",
        "2025-06-12",
        "2025-06-13",
    )
    assert by_id[1]["days_left"] == 86 and by_id[1]["forum"] == "arbitration"
    assert (by_id[2]["status"], by_id[3]["status"], by_id[4]["status"]) == (
        "expired",
        "not_notified",
        "interrupted",
    )
    assert by_id[3]["trigger_on"] is None and by_id[4]["days_left"] is None


def test_windows_without_all_lists_the_open_ones_and_csv_keeps_whole_days(config: Path) -> None:
    done = appealwatch(config, "windows", "--on", "2025-03-18", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["decision_id"], r["status"], r["days_left"]) for r in rows] == [("1", "open", "86")]


def test_windows_as_a_table_for_people(config: Path) -> None:
    done = appealwatch(config, "windows", "--on", "2025-03-18")
    assert done.returncode == 0 and "2025-06-12" in done.stdout and "1 window(s)" in done.stdout


def test_explain_tells_the_rule_the_steps_and_the_status_in_words(config: Path) -> None:
    done = appealwatch(config, "explain", "1", "--on", "2025-03-18")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "Rule payment_arbitration" in text
    assert (
        "Informed on Monday 2025-03-10: the term runs from the third calendar day after, Thursday 2025-03-13"
        in text
    )
    assert "Safe deadline: Thursday 2025-06-12" in text and "Latest deadline: Friday 2025-06-13" in text
    assert "the window is OPEN" in text
