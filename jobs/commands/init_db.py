"""`appealwatch init-db`: create the five contract tables and the project's own tables (idempotent)."""

from __future__ import annotations

import click

from jobs.commands.options import config_option, exits_cleanly, settings_from
from jobs.db import init_db, make_engine


@click.command("init-db")
@config_option
@click.pass_context
@exits_cleanly
def command(ctx: click.Context) -> None:
    """Create the five contract tables and the project's own tables (idempotent)."""
    settings = settings_from(ctx)
    engine = make_engine(settings.database.url)
    try:
        created = init_db(engine)
    finally:
        engine.dispose()
    url = engine.url.render_as_string(hide_password=True)
    made = ", ".join(created) if created else "none (they existed)"
    click.echo(f"database ready: {url}\ncontract tables created: {made}\nproject tables: migrated to head")
