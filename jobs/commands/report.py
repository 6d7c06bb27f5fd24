"""`appealwatch report`: the supervisor report of a day, computed afresh, sending and recording nothing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from jobs.commands.options import (
    check_report_folder,
    config_option,
    exits_cleanly,
    on_option,
    resolve_on,
    settings_from,
)
from jobs.config import Settings
from jobs.db import database


def write_report_command(settings: Settings, on: date, out_dir: str | None) -> int:
    """The same report as a run, computed afresh, sending and recording nothing."""
    # Imported when it runs, not at start: the night needs pandas, whose threads must not start before
    # `schedule` blocks SIGTERM (tests/test_cli_guards.py checks that the command line starts without it).
    from jobs.nightly import plan_night
    from jobs.report import write_report

    # --out on the command line is relative to where it was typed, not to the config file.
    out = str(Path(out_dir).resolve()) if out_dir else None
    with database(settings.database.url) as engine:
        result = plan_night(engine, settings, on)
        report = write_report(engine, settings, on, result.windows, result.problems, out)
    print(f"report: {report.paths[0]}")
    print(f"workbook: {report.paths[2]}")
    # As the night would exit: its bad rows, and a window no reminder and no call list covers (the report
    # counts those; the plan alone does not), and what the ledger holds failed or waiting for the night.
    result.uncovered = report.uncovered
    return max(result.exit_code, report.exit_code)


@click.command("report")
@config_option
@on_option
@click.option("--out", "out_dir", default=None, help="Folder for the report (default: [report] out_dir).")
@click.pass_context
@exits_cleanly
def command(ctx: click.Context, on: datetime | None, out_dir: str | None) -> None:
    """Write the supervisor report."""
    settings = settings_from(ctx)
    day = resolve_on(settings, on)
    # --out on the command line is relative to where it was typed, not to the config file.
    out = str(Path(out_dir).resolve()) if out_dir else None
    check_report_folder(settings, day, out, "--out" if out_dir else "[report] out_dir")
    ctx.exit(write_report_command(settings, day, out))
