"""The measurements: the engine on synthetic frames, the nightly scan against reading everything, and the
whole nightly planning, on a file SQLite database and (when given one) on PostgreSQL.

Wall times are the best of `repeat` runs (the least disturbed by the rest of the machine). Memory is the
process's peak resident set (getrusage's ru_maxrss): a high-water mark, so sizes run smallest first and
each row shows the peak after it and how much that run raised it (0 when an earlier run went higher).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.plans import Branch, explain
from benchmarks.synthetic import History, history, insert_history
from deadlines.engine import compute_windows
from deadlines.scan import scan_parameters
from jobs.config import Settings, load_settings
from jobs.db import init_db, make_engine
from jobs.inputs import read_decisions
from jobs.nightly import plan_night

T = TypeVar("T")
PG_URL_VARIABLES = ("BENCH_DATABASE_URL", "TEST_DATABASE_URL")


@dataclass(frozen=True)
class EngineFigure:
    decisions: int
    appeals: int
    complaints: int
    seconds: float
    peak_rss_mb: float
    rss_growth_mb: float

    @property
    def per_second(self) -> float:
        return self.decisions / self.seconds


@dataclass(frozen=True)
class ReadFigure:
    scope: str
    seconds: float
    decisions: int
    appeals: int
    complaints: int


@dataclass
class DatabaseFigures:
    backend: str
    decisions: int
    appeals: int
    complaints: int
    load_seconds: float
    reads: list[ReadFigure] = field(default_factory=list)
    plan: list[Branch] = field(default_factory=list)
    night_seconds: float = 0.0
    night: dict[str, Any] = field(default_factory=dict)


def best_of(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    """(the shortest wall time of `repeat` runs, the last run's result)."""
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result  # type: ignore[return-value]


def peak_rss_mb() -> float:
    """The process's peak resident set so far, in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def bench_engine(sizes: list[int], on: dt.date, repeat: int, seed: int) -> Iterator[EngineFigure]:
    """compute_windows on frames of each size (data drawn outside the timing), after one untimed warm-up
    (the first call builds the holiday calendar)."""
    warm = history(100, on, seed=seed)
    compute_windows(warm.decisions, warm.appeals, warm.complaints, on)
    for size in sorted(sizes):
        data = history(size, on, seed=seed)
        before = peak_rss_mb()
        seconds, windows = best_of(
            repeat, partial(compute_windows, data.decisions, data.appeals, data.complaints, on)
        )
        if len(windows) != size:  # a benchmark of the wrong thing is worse than none
            raise RuntimeError(f"compute_windows gave {len(windows)} windows for {size} decisions")
        after = peak_rss_mb()
        yield EngineFigure(size, len(data.appeals), len(data.complaints), seconds, after, after - before)
        del data, windows


def bench_database(backend: str, url: str, data: History, repeat: int, workdir: Path) -> DatabaseFigures:
    """Create and fill the database at `url`, then time the scan, reading everything, and plan_night."""
    engine = make_engine(url)
    try:
        start = time.perf_counter()
        init_db(engine)
        with engine.begin() as conn:
            insert_history(conn, data)
        if backend == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")  # what autovacuum would do after a bulk load
        figures = DatabaseFigures(
            backend,
            len(data.decisions),
            len(data.appeals),
            len(data.complaints),
            time.perf_counter() - start,
        )
        on = data.on
        with engine.connect() as conn:
            figures.plan = explain(conn, "scan_decisions", scan_parameters(on))
            for scope in ("scan", "all"):
                seconds, inputs = best_of(repeat, partial(read_decisions, conn, on, scope))
                figures.reads.append(
                    ReadFigure(
                        scope, seconds, len(inputs.decisions), len(inputs.appeals), len(inputs.complaints)
                    )
                )
        settings = _settings(url, workdir / backend)
        figures.night_seconds, night = best_of(repeat, partial(plan_night, engine, settings, on))
        figures.night = night.stats()
        return figures
    finally:
        engine.dispose()


def postgresql_url() -> str | None:
    """BENCH_DATABASE_URL, else TEST_DATABASE_URL, else None (PostgreSQL is skipped)."""
    return next((os.environ[v] for v in PG_URL_VARIABLES if os.environ.get(v)), None)


@contextmanager
def throwaway_schema(base: str) -> Iterator[str]:
    """A URL to a schema of its own on the server at `base`, dropped afterwards (as tests/conftest.py)."""
    schema = f"aw_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_with_search_path(base, "public"))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield _with_search_path(base, schema)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def scratch_dir() -> Iterator[Path]:
    """A temporary folder for the SQLite file and the config; never inside the repository."""
    with tempfile.TemporaryDirectory(prefix="appealwatch-bench-") as name:
        yield Path(name)


def _with_search_path(base: str, schema: str) -> str:
    url = make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.set(query={**url.query, "options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def _settings(url: str, folder: Path) -> Settings:
    """Settings read from a config.toml naming this database, the file notifier and folders in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    config.write_text(
        f"[database]\nurl = {json.dumps(url)}\n\n"
        '[notifier]\nkind = "file"\noutbox_dir = "outbox"\n\n[report]\nout_dir = "reports"\n',
        encoding="utf-8",
    )
    return load_settings(config, environ={})  # environ={}: APPEALWATCH_DATABASE_URL must not redirect it
