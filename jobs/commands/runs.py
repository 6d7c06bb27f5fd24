"""`appealwatch runs`: the past runs, from the run log."""

from __future__ import annotations

import json

import click

from jobs.commands.options import config_option, exits_cleanly, settings_from
from jobs.config import Settings
from jobs.db import database
from jobs.exits import Exit
from jobs.runlog import recent_runs


def print_runs(settings: Settings, last: int) -> int:
    with database(settings.database.url) as engine, engine.connect() as conn:
        rows = recent_runs(conn, last)
    if not rows:
        click.echo("no runs yet")
        return Exit.OK
    # rich only when there is a table to show: it is not needed for anything else the command line does.
    from rich.console import Console
    from rich.table import Table

    table = Table("run", "command", "for day", "started (UTC)", "took", "status", "exit", "counts", "note")
    for row in rows:
        took = ""
        if row["finished_at"] is not None:
            took = f"{(row['finished_at'] - row['started_at']).total_seconds():.1f}s"
        stats = json.loads(row["stats"]) if row["stats"] else {}
        counts = ", ".join(f"{k}={v}" for k, v in stats.items() if isinstance(v, int) and v)
        table.add_row(
            str(row["id"]),
            row["command"] + (" (dry)" if row["dry_run"] else ""),
            str(row["on_date"]),
            row["started_at"].strftime("%Y-%m-%d %H:%M:%S"),
            took,
            row["status"],
            "" if row["exit_code"] is None else str(row["exit_code"]),
            counts,
            "" if row["status"] in ("ok", "running") else (row["message"] or ""),
        )
    Console(width=200).print(table)
    return Exit.OK


@click.command("runs")
@config_option
@click.option("--last", default=10, show_default=True, type=click.IntRange(1), help="How many runs.")
@click.pass_context
@exits_cleanly
def command(ctx: click.Context, last: int) -> None:
    """List past runs from the run log."""
    ctx.exit(print_runs(settings_from(ctx), last))
