"""`appealwatch demo`: a demo SQLite database, one nightly run with the file notifier, the report."""

from __future__ import annotations

from datetime import date, datetime

import click

from jobs.commands.options import config_option, exits_cleanly, on_option, progress_for, settings_from
from jobs.commands.run import run_nightly
from jobs.config import named_config
from jobs.db import init_db, make_engine
from jobs.demo import demo_folder
from jobs.demo_data import generate
from jobs.exits import Exit
from jobs.progress import Progress


def run_demo(directory: str, on: date | None, seed: int, progress: Progress | None = None) -> int:
    from jobs.demo_correction import seed_a_correction  # pandas (Message-IDs): imported when it runs

    folder = demo_folder(directory)
    settings = folder.settings
    day = on or settings.today()
    engine = make_engine(settings.database.url)
    init_db(engine)
    with engine.begin() as conn:
        summary = generate(conn, day, seed=seed)
        corrected = seed_a_correction(conn, day, settings.smtp.sender)
    print(summary.describe())
    print(
        f"  correction:    decisions {corrected[0]} (nl) and {corrected[1]} (fr): a reminder of an earlier night "
        "(seeded in the ledger), then a complaint recorded late that moves the deadline earlier"
    )
    print()
    code = run_nightly(settings, day, progress=progress)
    if code == Exit.PARTIAL:
        print(
            "(The demo data holds bad rows on purpose: a real night exits 1 for them, and the report lists them.)"
        )
    outbox = folder.outbox
    print(
        f"""
Demo ready. Look at:
  database  {folder.db}
  outbox    {outbox}  ({len(list(outbox.glob("*.eml")))} e-mails as .eml files; open one in a mail program)
  report    {folder.report(day)}
  workbook  {folder.report(day).with_name(f"report-{day.isoformat()}.xlsx")}
Try:  .venv/bin/appealwatch windows --config {folder.config} --on {day}
      .venv/bin/appealwatch explain --config {folder.config} --on {day} <decision id>
      .venv/bin/appealwatch history --config {folder.config} --on {day} {corrected[0]}
      .venv/bin/appealwatch runs --config {folder.config}"""
    )
    # The demo's data holds bad rows on purpose, to show how they are reported: that is success here.
    return Exit.OK if code in (Exit.OK, Exit.PARTIAL) else code


@click.command("demo")
@config_option
@on_option
@click.option("--dir", "directory", default="demo", show_default=True, help="Folder for the demo's files.")
@click.option("--seed", default=20261126, show_default=True, help="Seed of the demo data.")
@click.pass_context
@exits_cleanly
def command(ctx: click.Context, on: datetime | None, directory: str, seed: int) -> None:
    """Build a demo SQLite database, run the nightly job with the file notifier, write the report."""
    if named_config(ctx.ensure_object(dict).get("config_path")) is not None:
        settings_from(ctx)  # the demo runs on its own config, but a file named and missing is still a mistake
    with progress_for() as progress:
        code = run_demo(directory=directory, on=on.date() if on else None, seed=seed, progress=progress)
    ctx.exit(code)
