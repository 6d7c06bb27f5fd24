"""`appealwatch schedule`: stays up on the configured cron, runs the nightly job, stops cleanly on SIGTERM."""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, select

from jobs.commands.schedule import nightly_job
from jobs.config import load_settings
from jobs.store import runs

import builders as b


def config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[schedule]\ncron = "30 1 * * *"\ntimezone = "Europe/Brussels"\n',
        encoding="utf-8",
    )
    return path


def test_the_scheduled_job_runs_the_nightly_job_for_today_in_the_fund_time_zone(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    settings = load_settings(config(tmp_path, db_url), environ={})
    nightly_job(settings)
    with db_engine.connect() as conn:
        [(command, on_date, status)] = conn.execute(
            select(runs.c.command, runs.c.on_date, runs.c.status)
        ).all()
    assert (command, str(on_date), status) == ("run", settings.today().isoformat(), "ok")


def test_a_scheduled_night_leaves_nothing_frozen_in_the_long_running_process(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """The planning freezes the night's objects for a one-shot process (`run` exits right after); the
    scheduler's process lives for months, so each night's objects must go back to the collector."""
    settings = load_settings(config(tmp_path, db_url), environ={})
    with db_engine.begin() as conn:  # a family with an open window tonight: the night plans a reminder
        b.beneficiary(conn, 1, "Anna Peeters", "anna@example.org")
        b.decision(conn, 1, 1, "care_allowance", settings.today() - timedelta(days=80))
    gc.unfreeze()
    nightly_job(settings)
    with db_engine.connect() as conn:
        assert conn.execute(select(runs.c.status)).scalar_one() == "ok"
    assert gc.get_freeze_count() == 0


def test_the_cron_line_is_read_in_the_configured_time_zone(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, "sqlite:///x.db"), environ={})
    trigger = CronTrigger.from_crontab(settings.schedule.cron, timezone=settings.schedule.timezone)
    after = datetime(2026, 3, 28, 12, 0, tzinfo=ZoneInfo("Europe/Brussels"))  # the night clocks go forward
    fire = trigger.get_next_fire_time(None, after)
    assert fire is not None and (fire.hour, fire.minute, fire.day) == (1, 30, 29)


def test_schedule_stays_up_and_stops_cleanly_on_sigterm(db_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", "schedule", "--config", str(config(tmp_path, db_url))],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    started = time.monotonic()
    line = ""
    while "scheduled on" not in line and time.monotonic() - started < 60:
        line = proc.stdout.readline()
    assert "scheduled on '30 1 * * *' (Europe/Brussels)" in line
    assert proc.poll() is None, "it stays up"
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "stopped" in out


STAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4} (INFO|WARNING|ERROR|CRITICAL) appealwatch\.")


def _schedule(cfg: Path, *args: str) -> tuple[str, str]:
    """Start `schedule`, wait for its first line, stop it with SIGTERM: (first line, everything)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", "schedule", "--config", str(cfg), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, first + rest
    return first, first + rest


def test_schedule_writes_every_line_with_a_timestamp_and_says_when_it_runs_next(
    db_url: str, tmp_path: Path
) -> None:
    first, out = _schedule(config(tmp_path, db_url))
    assert re.search(r"next run 20\d\d-\d\d-\d\d 01:30 CES?T$", first.strip()), first
    lines = out.splitlines()
    assert all(STAMPED.match(line) for line in lines), out
    assert "alembic" not in out.lower() and "apscheduler" not in out.lower()  # no library chatter at INFO
    assert [line.split(": ", 1)[1] for line in lines[1:]] == [
        "SIGTERM: stopping after the current message",
        "stopped",
    ]


def test_schedule_in_json_gives_the_next_run_as_a_field(db_url: str, tmp_path: Path) -> None:
    _first, out = _schedule(config(tmp_path, db_url), "--log-format", "json")
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0]["next_run"].startswith("20") and records[0]["cron"] == "30 1 * * *"
    assert [r["message"] for r in records[1:]] == ["SIGTERM: stopping after the current message", "stopped"]


NIGHT = """
import sys
from jobs.config import load_settings
from jobs.commands.schedule import nightly_job
from jobs.schedule import schedule_logging
schedule_logging()
settings = load_settings(sys.argv[1], environ={})
if sys.argv[2] == "bug":
    import jobs.nightly
    def boom(*args, **kwargs):
        raise RuntimeError("boom")
    jobs.nightly.plan_night = boom
nightly_job(settings)
"""


@pytest.mark.parametrize("case", ["bad row", "bug", "no database"])
def test_the_nightly_jobs_lines_and_errors_under_schedule_are_timestamped_too(
    db_engine: Engine, db_url: str, tmp_path: Path, case: str
) -> None:
    """What `schedule` runs each night: its summary, its exit-1 line and its errors in the one shape."""
    with db_engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        # An unknown kind: a bad row in tonight's scan (the job runs for today, as `schedule` does).
        b.decision(
            conn, 1, 1, "family_bonus", datetime.now(ZoneInfo("Europe/Brussels")).date() - timedelta(days=10)
        )
    url = db_url if case != "no database" else f"sqlite:///{tmp_path / 'missing.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}
    done = subprocess.run(
        [sys.executable, "-c", NIGHT, str(config(tmp_path, url)), case],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert lines and all(STAMPED.match(line) for line in lines), lines
    text = "\n".join(lines)
    assert "alembic" not in text.lower()
    if case == "bad row":
        assert " INFO appealwatch.run: run 1 for " in text
        assert " WARNING appealwatch.run: exit 1: 1 bad row(s)" in text
        assert "nightly run finished with exit code 1" in text
        assert "Els Maes" not in text and "els@mail.example" not in text
    elif case == "bug":
        assert " ERROR appealwatch.schedule: the nightly run failed (a bug)" in text
        assert any(line.endswith("RuntimeError: boom") for line in lines)
    else:
        assert " ERROR appealwatch.schedule: the nightly run could not start: no database file at" in text
