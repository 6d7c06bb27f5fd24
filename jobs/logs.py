"""What the job says: one logger tree (`appealwatch.*`) in one of three shapes.

- plain (the default of `run`, `deliver`, `demo`): the message alone, INFO on standard output and warnings
  and errors on standard error, exactly the summary lines cron has always mailed;
- text with timestamps (`schedule`, which stays up for months): every line, its own, the nightly job's and
  a traceback's, starts with the time and the level;
- json (`--log-format json`): one JSON object per line on standard error, with `time`, `level`, `logger`,
  `message` and the record's structured fields (counts, run id, exit code).

Nothing private goes into a log: messages carry counts, ids and paths, never names, addresses or bodies.
Alembic's and APScheduler's INFO chatter is silenced; their warnings still show, in the same shape.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["text", "json"]
LOG_FORMATS = ("text", "json")
ROOT = "appealwatch"
_QUIET = ("alembic", "apscheduler")


def say(logger: logging.Logger, message: str, *, err: bool = False, **fields: Any) -> None:
    """A line for the operator: INFO (standard output in plain shape) or, with `err`, WARNING (standard
    error), with its structured fields for the json shape."""
    logger.log(logging.WARNING if err else logging.INFO, message, extra={"fields": fields})


class _Plain(logging.Handler):
    """The message alone, on the stream cron and the operator have always read it from."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            # Looked up at each line: a progress display (or a test) may have swapped the streams.
            stream = sys.stderr if record.levelno >= logging.WARNING else sys.stdout
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


class _Stamped(logging.Formatter):
    """`2026-11-30 02:00:01+0100 INFO appealwatch.run: message`, on every line of a multi-line record."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S%z")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        first, *rest = text.splitlines() or [""]
        prefix = f"{self.formatTime(record, self.datefmt)} {record.levelname} {record.name}: "
        return "\n".join([first, *(prefix + line for line in rest)])


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in getattr(record, "fields", {}).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def setup_logging(fmt: LogFormat = "text", timestamps: bool = False) -> None:
    """Send every record (ours, and the warnings of the libraries) through one handler of one shape."""
    if fmt == "json":
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_Json())
    elif timestamps:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_Stamped())
    else:
        handler = _Plain()
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    ours = logging.getLogger(ROOT)
    for old in list(ours.handlers):
        ours.removeHandler(old)
    ours.propagate = True
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)


def _default() -> None:
    """Before (or without) `setup_logging`, as when a test or a script calls the job: the plain shape for
    our loggers only, leaving the rest of the process's logging alone."""
    ours = logging.getLogger(ROOT)
    if not ours.handlers:
        ours.addHandler(_Plain())
        ours.setLevel(logging.INFO)
        ours.propagate = False


_default()
