"""The run log (`aw_runs`): every nightly run, delivery and report, with its counts and its outcome."""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, date, datetime
from typing import Any

import click
from sqlalchemy import Engine, insert, select, update

from jobs.config import Settings
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
                status="running",
                host=socket.gethostname(),
                pid=os.getpid(),
            )
            .returning(runs.c.id)
        )
        return int(result.scalar_one())


def finish_run(engine: Engine, run_id: int, exit_code: int, stats: dict[str, Any], message: str = "") -> None:
    status = {0: "ok", 1: "partial"}.get(exit_code, "failed")
    with engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(
                finished_at=now_utc(),
                status=status,
                exit_code=exit_code,
                stats=json.dumps(stats, sort_keys=True, default=str),
                message=message or None,
            )
        )


def finish_run_if_possible(engine: Engine, run_id: int, exit_code: int, message: str) -> None:
    """Record the end of a run whose database failed: if it is still unreachable, the row stays `running`."""
    from contextlib import suppress

    from sqlalchemy.exc import SQLAlchemyError

    with suppress(SQLAlchemyError):
        finish_run(engine, run_id, exit_code, {}, message)


def print_runs(settings: Settings, last: int) -> int:
    from jobs.db import database

    with database(settings.database.url) as engine, engine.connect() as conn:
        rows = conn.execute(select(runs).order_by(runs.c.id.desc()).limit(last)).mappings().all()
    if not rows:
        click.echo("no runs yet")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table("run", "command", "for day", "started (UTC)", "took", "status", "exit", "counts")
    for row in rows:
        took = ""
        if row["finished_at"] is not None:
            took = f"{(row['finished_at'] - row['started_at']).total_seconds():.1f}s"
        stats = json.loads(row["stats"]) if row["stats"] else {}
        counts = ", ".join(f"{k}={v}" for k, v in stats.items() if isinstance(v, int) and v)
        table.add_row(
            str(row["id"]),
            row["command"] + (" (dry)" if row["dry_run"] else ""),
            str(row["on_date"]),
            row["started_at"].strftime("%Y-%m-%d %H:%M:%S"),
            took,
            row["status"],
            "" if row["exit_code"] is None else str(row["exit_code"]),
            counts,
        )
    Console(width=200).print(table)
    return 0
