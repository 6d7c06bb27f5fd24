"""Python's cyclic garbage collector, paused while the job makes many objects that all live on.

Used by the command line around its imports (jobs.cli) and by the night around its reading and planning
(jobs.nightly, jobs.outbox.plan)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a night is read and planned (jobs.nightly.plan_night;
    the planning alone for other callers) and while the command line imports its modules (jobs.cli), then
    restored as it was; nested, only the outermost restores it.

    Reading and planning make hundreds of thousands of small tuples, dicts and strings that live until the
    plan is written (the driver's rows, ledger rows, messages, rows of the night) and no garbage cycles worth
    collecting in between; the collector, started every 700 new containers, kept scanning them: about a
    quarter of the planning's CPU at 1M decisions, and a tenth of the reading's (docs/performance.md).
    Whatever cycles a render leaves are collected once it runs again. The same holds of the modules a command
    imports (pandas, SQLAlchemy, Jinja: some 200,000 objects alive until the process ends): the collector
    scanned them over and over while they were made, a sixth of the imports' CPU (0.71 -> 0.60 s).

    On the way out the objects alive then are frozen (`gc.freeze`) before the collector is enabled again:
    else its first collection scans every object the planning made (about 0.1 s at 1M), all of it alive
    until the plan is written, and the night's process exits soon after. A frozen object is still freed
    when its last reference goes (reference counting); only a cycle among them is left to the process's
    end, which for a nightly batch process that exits after writing its plan costs nothing; `schedule`, which
    lives on, unfreezes them after each night (jobs.commands.schedule.nightly_job).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()
