"""`appealwatch schedule`: stay up and run the nightly job on [schedule] cron, in [schedule] timezone.

For sites without cron. One run at a time (the job lock guarantees it across processes too); a night missed
while the process was down is caught up at the next start only by the reminders' own catch-up rule, never
by a burst of runs (coalesce, one instance, a grace time of an hour).
"""

from __future__ import annotations

import logging
import signal
import traceback

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from jobs.config import Settings
from jobs.db import LockHeld
from jobs.deliver import SHUTDOWN

log = logging.getLogger("appealwatch.schedule")


def nightly_job(settings: Settings) -> None:
    from jobs.nightly import run_nightly

    try:
        code = run_nightly(settings, settings.today())
    except LockHeld as exc:
        log.warning("skipped: %s", exc)
        return
    except Exception as exc:
        from jobs.db import describe_error, is_database_error

        if not is_database_error(exc):
            raise  # APScheduler logs it, with its traceback
        # Never the database's whole message: PostgreSQL's DETAIL can carry a family's name and address.
        stack = "".join(traceback.format_tb(exc.__traceback__))
        log.error("nightly run failed (a bug): %s\n%s", describe_error(exc), stack)
        return
    log.info("nightly run finished with exit code %s", code)


def serve(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # SIGTERM and SIGINT are taken synchronously by the main thread (sigwait), never by an asynchronous
    # handler: a handler that touched the scheduler's locks could deadlock with the thread it interrupted.
    # Blocked before any thread starts, so the scheduler's threads inherit the mask.
    signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    trigger = CronTrigger.from_crontab(settings.schedule.cron, timezone=settings.schedule.timezone)
    scheduler = BackgroundScheduler(timezone=settings.schedule.timezone)
    scheduler.add_job(
        nightly_job,
        trigger,
        args=[settings],
        id="nightly",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.start()
    log.info("appealwatch scheduled on '%s' (%s)", settings.schedule.cron, settings.schedule.timezone)
    signum = signal.sigwait(signals)
    # A run in progress finishes the message in hand, marks it and stops; nothing is cut off mid-send.
    log.info("signal %s: stopping after the current message", signum)
    SHUTDOWN.set()
    scheduler.shutdown(wait=True)
    log.info("stopped")
    return 0
