"""`appealwatch explain ID`: the window of one decision with its full trace, in words."""

from __future__ import annotations

import sys
from datetime import date, datetime

import click

from jobs.commands.options import config_option, exits_cleanly, on_option, resolve_on, settings_from
from jobs.config import Settings
from jobs.db import database
from jobs.exits import Exit


def print_explanation(settings: Settings, decision_id: int, on: date) -> int:
    # Imported when it runs, not at start: the engine needs pandas, whose threads must not start before
    # `schedule` blocks SIGTERM (tests/test_cli_guards.py checks that the command line starts without it).
    from jobs.windows import explain

    with database(settings.database.url) as engine, engine.connect() as conn:
        found = explain(conn, decision_id, on)
    if found.text is None:
        for problem in found.problems:
            print(f"decision {decision_id} cannot be explained: {problem}", file=sys.stderr)
        if not found.problems:
            print(f"appealwatch: no decision with id {decision_id}", file=sys.stderr)
        return Exit.USAGE if not found.problems else Exit.PARTIAL
    print(found.text)
    return Exit.OK


@click.command("explain")
@config_option
@on_option
@click.argument("decision_id", type=int)
@click.pass_context
@exits_cleanly
def command(ctx: click.Context, decision_id: int, on: datetime | None) -> None:
    """The window of one decision with its full trace, in words."""
    settings = settings_from(ctx)
    ctx.exit(print_explanation(settings, decision_id, resolve_on(settings, on)))
