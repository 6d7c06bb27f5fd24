"""`appealwatch windows`: the appeal windows as of a day, as a table, CSV or JSON."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime

import click

from jobs.commands.options import config_option, exits_cleanly, on_option, resolve_on, settings_from
from jobs.config import Settings
from jobs.db import database
from jobs.exits import Exit


def print_windows(settings: Settings, on: date, show_all: bool, fmt: str) -> int:
    # Imported when it runs, not at start: the engine needs pandas, whose threads must not start before
    # `schedule` blocks SIGTERM (tests/test_cli_guards.py checks that the command line starts without it).
    from jobs.report_cells import WINDOW_COLUMNS, window_records, write_windows_csv
    from jobs.windows import windows_on

    with database(settings.database.url) as engine, engine.connect() as conn:
        windows, problems = windows_on(conn, on, show_all)
    if fmt == "json":
        # One write of the whole text: json.dump would write each of its hundreds of thousands of pieces.
        sys.stdout.write(json.dumps(window_records(windows), ensure_ascii=False, indent=1))
        sys.stdout.write("\n")
    elif fmt == "csv":
        write_windows_csv(windows, sys.stdout)
    else:
        # rich only for the table: the CSV and JSON that scripts read never pay for its import.
        from rich.console import Console
        from rich.table import Table

        table = Table(
            *WINDOW_COLUMNS, title=f"appeal windows on {on}" + (" (all)" if show_all else " (open)")
        )
        records = window_records(windows)
        for record in records:
            table.add_row(*("" if v is None else str(v) for v in record.values()))
        Console(width=220).print(table)
        print(f"{len(records)} window(s)")
    for problem in problems:
        print(f"bad row: {problem}", file=sys.stderr)
    # The windows were printed: that is done. The bad rows are on standard error, and `run` exits 1 for them.
    return Exit.OK


@click.command("windows")
@config_option
@on_option
@click.option("--all", "show_all", is_flag=True, help="Every decision's window, not only open ones.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@click.pass_context
@exits_cleanly
def command(ctx: click.Context, on: datetime | None, show_all: bool, fmt: str) -> None:
    """The appeal windows as of a day: open ones only, unless --all."""
    settings = settings_from(ctx)
    ctx.exit(print_windows(settings, resolve_on(settings, on), show_all=show_all, fmt=fmt))
