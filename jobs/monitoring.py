"""`[monitoring] ping_url`: tell a healthchecks.io-style monitor that the night started and how it ended.

The monitor, not this program, notices a night that never ran (the machine off, cron broken, the job hung):
it expects a ping every day and alerts when none comes. Following healthchecks' pinging API: `<url>/start`
when the run starts, `<url>` when it ends with exit 0, `<url>/<exit code>` (a failure) otherwise; the same
`rid` on both pairs them, so two overlapping runs are told apart. A ping is tried once with a short timeout;
one that fails is logged and never fails the night. The URL is a secret of sorts (anyone holding it can
report for the check): logs name only its host.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from jobs.config import ConfigError, Settings
from jobs.db import DatabaseLost, LockHeld, NotReady
from jobs.exits import Exit

log = logging.getLogger("appealwatch.monitoring")
TIMEOUT = 10.0  # seconds: a monitor that does not answer must not hold up the night


def ping_address(url: str, suffix: str, rid: str) -> str:
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/") + (f"/{suffix}" if suffix else "")
    query = urllib.parse.urlencode([*urllib.parse.parse_qsl(parts.query), ("rid", rid)])
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def ping(url: str, suffix: str, rid: str, body: str = "") -> bool:
    """One ping (POST, with a short text body the monitor shows beside it); False if it did not arrive."""
    if not url:
        return False
    request = urllib.request.Request(
        ping_address(url, suffix, rid),
        data=body.encode("utf-8")[:10_000],
        method="POST",
        headers={"User-Agent": "appealwatch", "Content-Type": "text/plain; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
        return True
    except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts and refused connections are OSErrors
        host = urllib.parse.urlsplit(url).hostname
        reason = getattr(exc, "reason", None) or exc
        log.warning(
            "monitoring ping (%s) to %s failed: %s; the night goes on",
            suffix or "success",
            host,
            reason,
            extra={"fields": {"ping": suffix or "success", "host": host}},
        )
        return False


@dataclass
class Monitored:
    """What the run tells the monitor at its end: the exit code (set by the caller) and a one-line note."""

    code: int | None = None
    note: str = ""


@contextmanager
def monitored(settings: Settings) -> Iterator[Monitored]:
    """Ping `/start` now and the outcome at the end, whatever way the run ends (an exception is mapped to
    the exit code the command line gives it)."""
    url = settings.monitoring.ping_url
    outcome = Monitored()
    if not url:
        yield outcome
        return
    rid = str(uuid.uuid4())
    ping(url, "start", rid)
    try:
        yield outcome
    except LockHeld as exc:
        _end(url, rid, Exit.LOCKED, str(exc))
        raise
    except (NotReady, DatabaseLost, ConfigError) as exc:  # exit 2 on the command line (jobs.commands.options)
        _end(url, rid, Exit.USAGE, str(exc).splitlines()[0])
        raise
    except Exception as exc:
        _end(url, rid, Exit.BUG, f"internal error: {type(exc).__name__}")
        raise
    except BaseException:  # SystemExit, KeyboardInterrupt: the night did not finish
        _end(url, rid, Exit.BUG if outcome.code is None else outcome.code, "interrupted")
        raise
    _end(url, rid, Exit.BUG if outcome.code is None else outcome.code, outcome.note)


def _end(url: str, rid: str, code: int, note: str) -> None:
    ping(
        url,
        "" if code == Exit.OK else str(int(code)),
        rid,
        f"exit {code}: {note}" if note else f"exit {code}",
    )
