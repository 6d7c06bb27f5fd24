"""`appealwatch run`: the nightly job: windows, due reminders, delivery, supervisor report."""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from jobs.collector import collector_paused
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
from jobs.monitoring import monitored
from jobs.progress import Progress

if TYPE_CHECKING:
    from jobs.nightly import NightResult

log = logging.getLogger("appealwatch.run")


def run_nightly(
    settings: Settings,
    on: date,
    dry_run: bool = False,
    wait: float = 0.0,
    progress: Progress | None = None,
) -> int:
    """The night; `wait` seconds for the lock if another run holds it; the monitor (if any) is pinged."""
    # Imported when a night runs, not at start: the night needs pandas, whose threads must not start before
    # `schedule` blocks SIGTERM (tests/test_cli_guards.py checks that the command line starts without it).
    with collector_paused():  # its modules live as long as the process (jobs.collector)
        from jobs.nightly import plan_night, run_night

    progress = progress or Progress()
    if dry_run:
        with database(settings.database.url) as engine:
            result = plan_night(engine, settings, on)
        progress.done()
        print_dry_run(result)
        return result.exit_code
    with monitored(settings) as outcome:
        with database(settings.database.url) as engine:
            run_id, result = run_night(engine, settings, on, wait, progress)
        progress.done()
        outcome.code = summary(run_id, result)
        stats = result.stats()
        outcome.note = (
            f"run {run_id} for {on}: {stats['sent']} sent, {stats['failed']} failed, {stats['expired']} expired, "
            f"{stats['left_pending']} still in the outbox, {stats['problems']} bad row(s)"
            + (f"; {result.stopped}" if result.stopped else "")
        )
    return outcome.code


def print_dry_run(result: NightResult) -> None:
    """What the night would send, skip and list, on standard output; nothing was sent or recorded."""
    plan = result.plan
    lines = [f"dry run for {result.on}: nothing is sent or recorded"]
    lines += [f"  would send {message.summary}" for message in plan.messages]
    lines += [
        f"  would skip stage {row['stage']}d of decision {row['decision_id']} {row['forum']} for "
        f"{row['recipient_kind']} {row['recipient_id']} (a more urgent stage is due)"
        for row in plan.ledger
        if row["status"] == "skipped"
    ]
    lines += [
        f"  no usable e-mail: {item.get('recipient', 'beneficiary')} for decision {item['decision_id']} "
        f"{item['forum']} deadline {item['safe_deadline']} ({item['reason']}): listed for a letter or call"
        for item in plan.unreachable
    ]
    lines += [f"  bad row: {problem}" for problem in result.problems]
    lines.append(
        f"{len(plan.messages)} message(s), {plan.count('skipped')} stage(s) skipped, "
        f"{len(plan.unreachable)} without usable e-mail, {len(result.problems)} bad row(s)"
    )
    # One write of the night's tens of thousands of lines, not a print each.
    sys.stdout.write("\n".join(lines) + "\n")


def summary(run_id: int, result: NightResult) -> int:
    """The night's summary lines (through the log: plain text, timestamped under `schedule`, or json)."""
    on = result.on
    stats = result.stats()
    say(
        log,
        f"run {run_id} for {on}: {stats['windows'] + result.not_read} windows ({stats['windows']} scanned, "
        f"{result.not_read} closed for good before the scan's reach), {stats.get('windows_open', 0)} open; "
        f"{stats['messages']} message(s) planned, {stats['held']} held from earlier runs, "
        f"{stats['report_mails']} report mail(s): {stats['sent']} sent, {stats['failed']} failed, "
        f"{stats['expired']} expired, {stats['superseded']} superseded, {stats['left_pending']} waiting; "
        f"{stats['reminders_skipped']} stage(s) skipped; {stats['reminders_unreachable']} without usable "
        f"e-mail; {stats['problems']} bad row(s)",
        run_id=run_id,
        on=on.isoformat(),
        exit_code=result.exit_code,
        **stats,
    )
    if result.report_paths:
        say(log, f"report: {result.report_paths[0]}", run_id=run_id, report=result.report_paths[0])
    if result.bad_rows_line():
        say(log, result.bad_rows_line(), err=True, run_id=run_id, exit_code=result.exit_code)
    if result.stopped:
        say(log, result.stopped, err=True, run_id=run_id, stopped=True)
    elif result.delivery.incomplete:  # the last line: what went wrong with delivery, and what to do
        say(log, result.last_line(), err=True, run_id=run_id, exit_code=result.exit_code)
    return result.exit_code


@click.command("run")
@config_option
@on_option
@click.option(
    "--dry-run", is_flag=True, help="Compute and print what would be sent; send and record nothing."
)
@click.option(
    "--wait",
    "wait",
    type=click.FloatRange(0),
    default=0,
    metavar="SECONDS",
    help="If another run holds the lock, wait up to SECONDS for it (then exit 3) instead of exiting 3 at once.",
)
@log_format_option
@click.pass_context
@exits_cleanly
def command(ctx: click.Context, on: datetime | None, dry_run: bool, wait: float, log_format: str) -> None:
    """The nightly job: windows, due reminders, delivery, supervisor report."""
    use_log_format(log_format)
    settings = settings_from(ctx)
    day = resolve_on(settings, on)
    if not dry_run:
        refuse_mail_from_the_future(settings, day, "run")
        check_report_folder(settings, day, None, "[report] out_dir")
    with progress_for(log_format) as progress:
        code = run_nightly(settings, day, dry_run=dry_run, wait=wait, progress=progress)
    ctx.exit(code)
