"""`appealwatch schedule`: stay up and run the nightly job on [schedule] cron, in [schedule] timezone.

For sites without cron. One run at a time (the job lock guarantees it across processes too); a night missed
while the process was down is caught up at the next start only by the reminders' own catch-up rule, never
by a burst of runs (coalesce, one instance, a grace time of an hour).

Every line it writes, its own, the nightly job's and an error's, has one shape: timestamped text, or JSON with
`--log-format json`. The libraries' INFO chatter (Alembic, APScheduler) stays out.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from jobs.config import Settings
from jobs.exits import Exit
from jobs.logs import LogFormat, say, setup_logging
from jobs.outbox.delivery import SHUTDOWN

log = logging.getLogger("appealwatch.schedule")


def schedule_logging(fmt: LogFormat = "text") -> None:
    """The shape of every line `schedule` writes: timestamped text, or JSON."""
    setup_logging(fmt, timestamps=True)


def serve(settings: Settings, night: Callable[[Settings], None]) -> Exit:
    """Run `night(settings)` on [schedule] cron until SIGTERM or SIGINT; then finish the message in hand."""
    # SIGTERM and SIGINT are taken synchronously by the main thread (sigwait), never by an asynchronous
    # handler: a handler that touched the scheduler's locks could deadlock with the thread it interrupted.
    # Blocked before any thread starts, so the scheduler's threads inherit the mask.
    signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    trigger = CronTrigger.from_crontab(settings.schedule.cron, timezone=settings.schedule.timezone)
    scheduler = BackgroundScheduler(timezone=settings.schedule.timezone)
    job = scheduler.add_job(
        night,
        trigger,
        args=[settings],
        id="nightly",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.start()
    next_run = job.next_run_time
    shown = next_run.strftime("%Y-%m-%d %H:%M %Z") if next_run is not None else "none"
    say(
        log,
        f"appealwatch scheduled on '{settings.schedule.cron}' ({settings.schedule.timezone}); next run {shown}",
        cron=settings.schedule.cron,
        timezone=settings.schedule.timezone,
        next_run=next_run.isoformat() if next_run is not None else None,
    )
    signum = signal.sigwait(signals)
    # A run in progress finishes the message in hand, marks it and stops; nothing is cut off mid-send.
    say(log, f"{signal.Signals(signum).name}: stopping after the current message", signal=signum)
    SHUTDOWN.set()
    scheduler.shutdown(wait=True)
    say(log, "stopped")
    return Exit.OK
