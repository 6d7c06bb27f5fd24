"""The run log (`aw_runs`): every nightly run, delivery and report, with its counts and its outcome."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from jobs.exits import Exit
from jobs.states import RunStatus
from jobs.store import runs


def now_utc() -> datetime:
    return datetime.now(UTC)


def start_run(engine: Engine, command: str, on: date, dry_run: bool = False) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            insert(runs)
            .values(
                command=command,
                on_date=on,
                dry_run=dry_run,
                started_at=now_utc(),
                status=RunStatus.RUNNING,
                host=socket.gethostname(),
                pid=os.getpid(),
            )
            .returning(runs.c.id)
        )
        return int(result.scalar_one())


def finish_run(
    engine: Engine,
    run_id: int,
    exit_code: int,
    stats: dict[str, Any],
    message: str = "",
    status: str | None = None,
) -> None:
    """Record the outcome: ok (0), partial (1), failed; or the status given (`stopped` by a signal)."""
    outcomes: dict[int, str] = {Exit.OK: RunStatus.OK, Exit.PARTIAL: RunStatus.PARTIAL}
    status = status or outcomes.get(exit_code, RunStatus.FAILED)
    with engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(
                finished_at=now_utc(),
                status=status,
                exit_code=int(exit_code),
                stats=json.dumps(stats, sort_keys=True, default=str),
                message=message or None,
            )
        )


def record_work_done(engine: Engine, run_id: int, stats: dict[str, Any]) -> None:
    """Record, before the night's report is written, the run's counts so far with `work_done_at`: when its
    reminders and digests were done. The report shows that as the run's end, and reads the same whenever it
    is written again (by `deliver`, or `appealwatch report --on` the morning after); `finish_run` then keeps
    the key and records the whole run's end in `finished_at`. The run stays `running` until then."""
    with engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(stats=json.dumps(stats, sort_keys=True, default=str))
        )


def finish_run_if_possible(engine: Engine, run_id: int, exit_code: int, message: str) -> None:
    """Record the end of a run whose database failed: if it is still unreachable, the row stays `running`."""
    with suppress(SQLAlchemyError):
        finish_run(engine, run_id, exit_code, {}, message)


def record_refused(engine: Engine, command: str, on: date, message: str) -> int:
    """A run that never started because another held the lock (exit 3): on the record all the same, so
    that `runs` shows the night was tried."""
    run_id = start_run(engine, command, on)
    finish_run(engine, run_id, Exit.LOCKED, {}, message, status=RunStatus.REFUSED)
    return run_id


def _gone(host: str, pid: int) -> bool:
    """True only when we can tell: the process ran on this host and no longer exists."""
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def mark_died(engine: Engine, by_run: int) -> int:
    """Called with the job lock just taken: a `run` still `running` cannot be alive (it would hold the
    lock), so it died without a word (SIGKILL, the machine stopped, the out-of-memory killer). A `deliver`
    (which takes no lock) is marked only when its process is known gone. Returns how many were marked."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(runs.c.id, runs.c.command, runs.c.host, runs.c.pid).where(
                runs.c.status == RunStatus.RUNNING, runs.c.id != by_run
            )
        ).all()
        dead = [r.id for r in rows if r.command == "run" or _gone(r.host, r.pid)]
        if dead:
            conn.execute(
                update(runs)
                .where(runs.c.id.in_(dead), runs.c.status == RunStatus.RUNNING)
                .values(
                    status=RunStatus.DIED,
                    message=f"died without finishing (killed, or the machine stopped); found by run {by_run}",
                )
            )
    return len(dead)


def recent_runs(conn: Connection, last: int) -> Sequence[RowMapping]:
    """The `last` runs, the latest first, for `appealwatch runs`."""
    return conn.execute(select(runs).order_by(runs.c.id.desc()).limit(last)).mappings().all()
