"""`appealwatch schedule`: stays up on the configured cron, runs the nightly job, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, select

from jobs.config import load_settings
from jobs.schedule import nightly_job
from jobs.store import runs


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


def test_the_cron_line_is_read_in_the_configured_time_zone(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, "sqlite:///x.db"), environ={})
    trigger = CronTrigger.from_crontab(settings.schedule.cron, timezone=settings.schedule.timezone)
    from datetime import datetime
    from zoneinfo import ZoneInfo

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
