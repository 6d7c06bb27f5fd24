"""Progress on an interactive terminal (rich), nothing at all under cron.

`run`, `deliver` and `demo` take a `Progress`; the command line gives them `live_progress()`, which is a live
display only when standard error is a terminal and the log is plain text. Under cron (no terminal) or with
`--log-format json`, it is the silent `Progress`, and the output is the summary lines alone, as it always was.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Progress:
    """Silent: the interface, for cron, scripts and tests."""

    def step(self, description: str) -> None:
        """A phase without a count (reading the database, writing the plan, the report)."""

    def start_sending(self, total: int) -> None:
        """Delivery begins with `total` messages waiting."""

    def sent_one(self, outcome: str) -> None:
        """One message was handled (sent, deferred, failed...)."""

    def done(self) -> None:
        """Clear the display before the summary lines."""


class _Live(Progress):
    def __init__(self) -> None:
        # rich only when there is a terminal to draw on: cron, scripts and tests never pay for its import.
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: Any = None
        self._bar.start()

    def step(self, description: str) -> None:
        if self._task is not None:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task(description, total=None)

    def start_sending(self, total: int) -> None:
        if self._task is not None:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task("sending messages", total=total)

    def sent_one(self, outcome: str) -> None:
        if self._task is not None:
            self._bar.advance(self._task)

    def done(self) -> None:
        self._bar.stop()


def interactive() -> bool:
    return sys.stderr.isatty()


@contextmanager
def live_progress(enabled: bool) -> Iterator[Progress]:
    """A live display if `enabled` (the caller checks the terminal and the log format), else silence."""
    progress: Progress = _Live() if enabled else Progress()
    try:
        yield progress
    finally:
        progress.done()
