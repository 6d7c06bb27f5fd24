"""The job lock: one run at a time, released when its process dies, and a lost lock is noticed."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from jobs.db import LockHeld, job_lock, make_engine

from conftest import Database

HOLD = """
import sys, time
from jobs.db import job_lock, make_engine
with job_lock(make_engine(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_holder_is_refused_and_a_killed_holder_frees_the_lock(database: Database) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, database.url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld), job_lock(make_engine(database.url)):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
    with job_lock(make_engine(database.url)) as lock:  # the kill released it
        lock.check()


def test_a_lock_lost_with_its_connection_is_noticed_before_the_plan_is_written(database: Database) -> None:
    engine = make_engine(database.url)
    with job_lock(engine) as lock:
        lock.check()
        if database.backend == "sqlite":
            return  # an flock is held by the process itself: it cannot be lost while the process lives
        with engine.connect() as other:
            pid = lock._conn.execute(text("SELECT pg_backend_pid()")).scalar_one()  # type: ignore[union-attr]
            lock._conn.commit()  # type: ignore[union-attr]
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            other.commit()
        with pytest.raises(LockHeld, match="lost"):
            lock.check()
