"""`appealwatch schedule`: stay up and run the nightly job on [schedule] cron, in [schedule] timezone.

For sites without cron. One run at a time (the job lock guarantees it across processes too); a night missed
while the process was down is caught up at the next start only by the reminders' own catch-up rule, never
by a burst of runs (coalesce, one instance, a grace time of an hour).
"""

from __future__ import annotations

import logging
import signal
from types import FrameType

from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.schedulers.blocking import BlockingScheduler
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
    log.info("nightly run finished with exit code %s", code)


def serve(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    trigger = CronTrigger.from_crontab(settings.schedule.cron, timezone=settings.schedule.timezone)
    scheduler = BlockingScheduler(timezone=settings.schedule.timezone)
    scheduler.add_job(
        nightly_job,
        trigger,
        args=[settings],
        id="nightly",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )

    def stop(signum: int, _frame: FrameType | None) -> None:
        # The run in progress finishes the message in hand and marks it; nothing is cut off mid-send.
        log.info("signal %s: stopping after the current message", signum)
        SHUTDOWN.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)  # a job in progress is still joined before the process exits

    def started(_event: SchedulerEvent) -> None:
        log.info("appealwatch scheduled on '%s' (%s)", settings.schedule.cron, settings.schedule.timezone)

    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    log.info("stopped")
    return 0
