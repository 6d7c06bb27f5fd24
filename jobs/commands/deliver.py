"""`appealwatch deliver`: what the outbox still holds (after an SMTP outage, or as extra workers)."""

from __future__ import annotations

import logging
from datetime import date, datetime

import click

from jobs.commands.options import (
    check_report_folder,
    config_option,
    exits_cleanly,
    log_format_option,
    on_option,
    progress_for,
    refuse_mail_from_the_future,
    resolve_on,
    settings_from,
    use_log_format,
)
from jobs.config import Settings
from jobs.db import database
from jobs.logs import say
from jobs.outbox.delivery import delivery_line
from jobs.progress import Progress

log = logging.getLogger("appealwatch.deliver")


def deliver_pending(settings: Settings, on: date, workers: int = 1, progress: Progress | None = None) -> int:
    """What the outbox still holds, then exit 0, or 1 if some could not go out."""
    # Imported when it runs, not at start: settling reads tonight's windows with pandas, which must not start
    # its threads before `schedule` blocks SIGTERM (tests/test_cli_guards.py).
    from jobs.nightly import deliver_held

    progress = progress or Progress()
    with database(settings.database.url) as engine:
        done = deliver_held(engine, settings, on, workers, progress)
    progress.done()
    stats, code = done.stats, done.exit_code
    say(
        log,
        f"deliver for {on}: {done.held} message(s) waited: {stats.sent} sent, {stats.failed} failed, "
        f"{stats.expired} expired, {done.superseded} superseded, {stats.left_pending} waiting"
        + (f", {stats.lost_claims} lost claims" if stats.lost_claims else ""),
        run_id=done.run_id,
        on=on.isoformat(),
        exit_code=code,
        **done.counts(),
    )
    if done.stopped:
        say(log, done.stopped, err=True, run_id=done.run_id, exit_code=code)
    elif code:
        say(
            log,
            f"exit 1: {delivery_line(stats, settings.notifier.kind)}",
            err=True,
            run_id=done.run_id,
            exit_code=code,
        )
    return code


@click.command("deliver")
@config_option
@on_option
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32), help="Parallel senders.")
@log_format_option
@click.pass_context
@exits_cleanly
def command(ctx: click.Context, on: datetime | None, workers: int, log_format: str) -> None:
    """Deliver what the ledger still holds pending (after an SMTP outage, or as extra workers)."""
    use_log_format(log_format)
    settings = settings_from(ctx)
    day = resolve_on(settings, on)
    refuse_mail_from_the_future(settings, day, "deliver")
    # The night's report is written again if its supervisors' mail waited: its folder is checked now, before
    # anything is sent, not after the reminders went out.
    check_report_folder(settings, day, None, "[report] out_dir")
    with progress_for(log_format) as progress:
        code = deliver_pending(settings, day, workers=workers, progress=progress)
    ctx.exit(code)
