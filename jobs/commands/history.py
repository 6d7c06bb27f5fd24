"""`appealwatch history ID [--format text|json]`: everything the job did about one decision, oldest first."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime

import click

from jobs.commands.options import config_option, exits_cleanly, on_option, resolve_on, settings_from
from jobs.config import Settings
from jobs.db import database
from jobs.exits import Exit


def print_history(settings: Settings, decision_id: int, on: date, fmt: str) -> int:
    from jobs.history import as_json, as_text, decision_history  # pandas: only when it runs

    with database(settings.database.url) as engine, engine.connect() as conn:
        history = decision_history(conn, decision_id, on)
    if not history.found:
        print(
            f"appealwatch: no decision with id {decision_id}, and nothing in the ledger about it",
            file=sys.stderr,
        )
        return Exit.USAGE
    print(json.dumps(as_json(history), ensure_ascii=False, indent=2) if fmt == "json" else as_text(history))
    return Exit.OK


@click.command("history")
@config_option
@on_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("decision_id", type=int)
@click.pass_context
@exits_cleanly
def command(ctx: click.Context, decision_id: int, on: datetime | None, fmt: str) -> None:
    """Everything the job did about one decision, oldest first: deadlines, stages, deliveries."""
    settings = settings_from(ctx)
    ctx.exit(print_history(settings, decision_id, resolve_on(settings, on), fmt))
