"""`appealwatch schedule`: stay up and run the nightly job on [schedule] cron (the scheduler: `jobs.schedule`)."""

from __future__ import annotations

import gc
import logging
import traceback

import click

from jobs.commands.options import (
    check_report_folder,
    config_option,
    exits_cleanly,
    log_format_of,
    log_format_option,
    settings_from,
    use_log_format,
)
from jobs.commands.run import run_nightly
from jobs.config import Settings
from jobs.db import DatabaseLost, LockHeld, NotReady, database, describe_error, is_database_error
from jobs.exits import Exit
from jobs.logs import say
from jobs.schedule import schedule_logging, serve

log = logging.getLogger("appealwatch.schedule")


def nightly_job(settings: Settings) -> None:
    """One night under `schedule`: its outcome logged in the scheduler's shape; nothing stops the next night."""
    try:
        _night(settings)
    finally:
        # The planning freezes what it made (jobs.collector.collector_paused), which suits a process that
        # exits after its night; this one lives on, so what a night left is handed back to the collector
        # (any reference cycle among it collected as usual) and nights do not pile up in memory.
        gc.unfreeze()


def _night(settings: Settings) -> None:
    try:
        code = run_nightly(settings, settings.today())
    except LockHeld as exc:
        log.warning("skipped: %s", exc)
        return
    except NotReady as exc:
        log.error("the nightly run could not start: %s", exc, extra={"fields": {"exit_code": Exit.USAGE}})
        return
    except DatabaseLost as exc:
        # Not a bug: the database went away (exit 2 on the command line); the next night carries on.
        log.error("the nightly run stopped: %s", exc, extra={"fields": {"exit_code": Exit.USAGE}})
        return
    except Exception as exc:
        # A bug: logged in the same shape as every other line (not APScheduler's), and the next night runs.
        if is_database_error(exc):
            # Never the database's whole message: PostgreSQL's DETAIL can carry a family's name and address.
            stack = "".join(traceback.format_tb(exc.__traceback__))
            log.error(
                "the nightly run failed (a bug): %s\n%s",
                describe_error(exc),
                stack.rstrip(),
                extra={"fields": {"exit_code": Exit.BUG}},
            )
            return
        log.exception(
            "the nightly run failed (a bug): see the traceback", extra={"fields": {"exit_code": Exit.BUG}}
        )
        return
    say(log, f"nightly run finished with exit code {code}", exit_code=code)


@click.command("schedule")
@config_option
@log_format_option
@click.pass_context
@exits_cleanly
def command(ctx: click.Context, log_format: str) -> None:
    """Stay up and run the nightly job on [schedule] cron, in [schedule] timezone."""
    use_log_format(log_format)
    settings = settings_from(ctx)
    check_report_folder(settings, None, None, "[report] out_dir")
    schedule_logging(log_format_of(log_format))
    # Fail at start, not at 2 a.m.: the database must be there and migrated (NotReady: exit 2).
    with database(settings.database.url):
        pass
    ctx.exit(serve(settings, nightly_job))
