"""The whole night as the fund runs it (issue 11): each command a process of its own, against its floor.

- Databases are built fast: tables first, the seeded synthetic history loaded a chunk at a time in one
  transaction (executemany on SQLite, COPY on PostgreSQL), then `init_db` adds the indexes and the project's
  own tables, as after a bulk load.
- Each command runs as a separate process of the venv that runs the benchmark (its `appealwatch` console
  script) with a generated config.toml, output to a file. Its wall time is from start to exit; its peak RSS is
  its own, taken by a small process in between (see run_process), so each is measured alone.
  Times are medians of `repeat` runs, peak RSS the highest of them.
- The floor reads every decision joined to its family as plainly as the driver can (benchmarks/floor.py).
- Rendering is measured in-process (the planning and rendering of tonight's messages, once the night is
  read); delivery as a real `appealwatch run` against a loopback SMTP relay (benchmarks/relay.py), its
  rate from the relay's side: messages between the first and the last arrival.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from benchmarks.floor import QUERY as FLOOR_QUERY
from benchmarks.relay import Relay
from benchmarks.synthetic import TABLE_COLUMNS, History, expired_history, history, insert_history
from jobs.config import load_settings
from jobs.db import init_db, make_engine, split_sql
from jobs.nightly import due_stages, read_night
from jobs.outbox.plan import build_plan
from jobs.resources import sql_text

MB = 1_000_000  # the unit: peak RSS in MB
FLOOR_SCRIPT = Path(__file__).with_name("floor.py")
LAUNCH_SCRIPT = Path(__file__).with_name("launch.py")
TIME = Path("/usr/bin/time")
EXPIRED_FACTOR = 10
OK_EXITS = (0, 1)  # 1: done, with bad rows or deliveries reported; anything else is a failed benchmark

# Targets of issue 11 (ratios within one invocation; peak RSS for the 1M night).
WINDOWS_RATIO = 1.5
RUN_RATIO = 2.0
RUN_PEAK_MB = 600
EXPIRED_RATIO = 1.3
RENDER_RATE = 5_000
DELIVER_RATE = 500

__all__ = ["FLOOR_QUERY", "Figure", "NightBench"]


class BenchError(RuntimeError):
    """A measured process failed or measured the wrong thing: no figure is better than a wrong one."""


@dataclass(frozen=True)
class Process:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    output: str  # standard output


@dataclass
class Figure:
    """One row of the table: what was measured, its figures, its target and whether it is met."""

    backend: str
    what: str
    seconds: float | None = None
    ratio: float | None = None
    rate: float | None = None  # messages per second
    peak_rss_mb: float | None = None
    target: str = ""
    met: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.backend}: {self.what}" if self.backend else self.what


@dataclass
class NightBench:
    """The measurements of one invocation; `figures` in the order of the table."""

    on: date
    seed: int
    years: float
    repeat: int
    folder: Path
    figures: list[Figure] = field(default_factory=list)
    messages: dict[str, int] = field(default_factory=dict)  # backend -> messages of the first night
    progress: Callable[[str], None] = print

    # -- the whole-process table, per backend ---------------------------------------------------------

    def whole_night(self, name: str, url: str, base: History, floor_target: str) -> None:
        """Build the database, then time the floor, `windows --format csv` and `run --dry-run` on it."""
        work = self.folder / name.lower()
        work.mkdir(parents=True, exist_ok=True)
        n = len(base.decisions)
        seconds = build_database(url, base)
        self.progress(f"  {name}: {n:,} decisions loaded, indexed and migrated in {seconds:.1f} s")
        config = write_config(work, url)
        on = self.on.isoformat()

        floor = self.measure(work, "floor", [sys.executable, str(FLOOR_SCRIPT), name.lower(), floor_target])
        if floor.output.strip() != str(n):
            raise BenchError(f"the floor read {floor.output.strip()!r} rows, not {n}")
        self.add(
            Figure(name, FLOOR_LABELS[name], floor.seconds, 1.0, None, floor.peak_rss_mb, note=f"{n:,} rows")
        )

        windows = self.measure(work, "windows", appealwatch("windows", config, on, "--format", "csv"))
        ratio = windows.seconds / floor.seconds
        self.add(
            Figure(
                name, "appealwatch windows --format csv", windows.seconds, ratio, None, windows.peak_rss_mb,
                f"<= {WINDOWS_RATIO}x floor", _met(time=ratio <= WINDOWS_RATIO),
            )
        )  # fmt: skip

        night = self.measure(work, "dry-run", appealwatch("run", config, on, "--dry-run"))
        messages = _messages(night.output)
        self.messages[name] = messages
        ratio = night.seconds / floor.seconds
        self.add(
            Figure(
                name, "appealwatch run --dry-run (first night)", night.seconds, ratio, None, night.peak_rss_mb,
                f"<= {RUN_RATIO}x floor, < {RUN_PEAK_MB} MB",
                _met(time=ratio <= RUN_RATIO, RSS=night.peak_rss_mb < RUN_PEAK_MB),
                f"{messages:,} messages",
            )
        )  # fmt: skip

    def expired(self, name: str, url: str, base: History) -> None:
        """`run --dry-run` again after adding nine times as many decisions, all long expired: the same open
        windows, the same messages (checked), in a history ten times as long."""
        work = self.folder / name.lower()
        n = len(base.decisions)
        night = next(f for f in self.figures if f.backend == name and f.what.endswith("(first night)"))
        assert night.seconds is not None
        messages = self.messages[name]
        config = work / "config.toml"
        on = self.on.isoformat()
        seconds = append_expired(url, base, EXPIRED_FACTOR, self.seed, self.years)
        self.progress(
            f"  {name}: {(EXPIRED_FACTOR - 1) * n:,} expired decisions added in {seconds:.1f} s "
            f"({EXPIRED_FACTOR * n:,} in all)"
        )
        longer = self.measure(work, "dry-run-10x", appealwatch("run", config, on, "--dry-run"))
        if _messages(longer.output) != messages:
            raise BenchError(
                f"{EXPIRED_FACTOR}x expired history changed the night: {_messages(longer.output)} "
                f"messages, not {messages}"
            )
        ratio = longer.seconds / night.seconds
        self.add(
            Figure(
                name, f"appealwatch run --dry-run, {EXPIRED_FACTOR}x expired history", longer.seconds, ratio,
                None, longer.peak_rss_mb, f"<= {EXPIRED_RATIO}x the night above", _met(time=ratio <= EXPIRED_RATIO),
                f"{EXPIRED_FACTOR * n:,} decisions",
            )
        )  # fmt: skip

    # -- rendering and delivery -----------------------------------------------------------------------

    def rendering(self, url: str) -> None:
        """Tonight's messages of a first night planned and rendered in-process, the night read beforehand."""
        settings = load_settings(write_config(self.folder / "render", url), environ={})
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                windows, people, _problems, _read = read_night(conn, settings, self.on)
                actions = due_stages(conn, windows, people, settings, self.on)
        finally:
            engine.dispose()
        times, count = [], 0
        for _ in range(self.repeat):
            start = time.perf_counter()
            plan = build_plan(actions, windows, people, settings, self.on)
            times.append(time.perf_counter() - start)
            count = len(plan.messages)
            del plan
        seconds = statistics.median(times)
        rate = count / seconds if seconds else 0.0
        self.add(
            Figure(
                "", "rendering: tonight's messages, in-process", seconds, None, rate, None,
                f">= {RENDER_RATE:,}/s", _met(rate=rate >= RENDER_RATE), f"{count:,} messages",
            )
        )  # fmt: skip

    def delivery(self, messages: int, decisions_per_message: float) -> None:
        """`appealwatch run` (not dry) on a fresh SQLite database whose first night has about `messages`
        messages, delivering to a loopback SMTP relay; each repetition on a fresh copy of that database."""
        n = max(1, math.ceil(messages * decisions_per_message))
        work = self.folder / "deliver"
        work.mkdir(parents=True, exist_ok=True)
        pristine = work / "pristine.db"
        build_database(f"sqlite:///{pristine}", history(n, self.on, seed=self.seed, years=self.years))
        walls, rates, peaks, sent = [], [], [], 0
        with Relay() as relay:
            for attempt in range(self.repeat):
                database = work / f"night{attempt}.db"
                shutil.copyfile(pristine, database)
                config = write_config(work / f"night{attempt}", f"sqlite:///{database}", smtp_port=relay.port)
                before = len(relay.arrivals())
                night = run_process(
                    appealwatch("run", config, self.on.isoformat()), work, f"deliver{attempt}"
                )
                arrivals = relay.arrivals()[before:]
                said = re.search(r"(\d+) sent", night.output)
                if said is None or int(said[1]) != len(arrivals) or len(arrivals) < 2:
                    raise BenchError(
                        f"appealwatch run said {night.output.strip()[:300]!r}; "
                        f"the relay received {len(arrivals)}"
                    )
                sent = len(arrivals)
                walls.append(night.seconds)
                peaks.append(night.peak_rss_mb)
                rates.append((sent - 1) / max(arrivals[-1] - arrivals[0], 1e-9))
                database.unlink()
            connections = relay.connections
        rate = statistics.median(rates)
        self.add(
            Figure(
                "", "delivery: appealwatch run to a loopback SMTP relay (SQLite)", statistics.median(walls),
                None, rate, max(peaks), f">= {DELIVER_RATE}/s", _met(rate=rate >= DELIVER_RATE),
                f"{sent:,} messages from {n:,} decisions; {connections} connection(s) in {self.repeat} run(s)",
            )
        )  # fmt: skip

    # -- helpers --------------------------------------------------------------------------------------

    def measure(self, work: Path, name: str, command: Sequence[str]) -> Process:
        """The median wall time of `repeat` runs of `command`, the highest peak RSS, the last run's output."""
        runs = [run_process(command, work, name) for _ in range(self.repeat)]
        return Process(
            statistics.median(r.seconds for r in runs),
            max(r.peak_rss_mb for r in runs),
            runs[-1].exit_code,
            runs[-1].output,
        )

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        self.progress(f"  {describe(figure)}")

    def table(self) -> list[Figure]:
        """The figures in the table's order: each backend's rows together, then rendering and delivery."""
        return sorted(self.figures, key=lambda f: f.backend == "")


FLOOR_LABELS = {
    "SQLite": "floor: sqlite3 fetchall of decisions joined to families",
    "PostgreSQL": "floor: COPY (decisions joined to families) TO STDOUT",
}


def describe(figure: Figure) -> str:
    parts = [figure.label]
    if figure.seconds is not None:
        parts.append(f"{figure.seconds:.2f} s")
    if figure.ratio is not None:
        parts.append(f"{figure.ratio:.2f}x")
    if figure.rate is not None:
        parts.append(f"{figure.rate:,.0f} messages/s")
    if figure.peak_rss_mb is not None:
        parts.append(f"peak RSS {figure.peak_rss_mb:,.0f} MB")
    return ", ".join(parts)


def _met(**conditions: bool) -> str:
    """ "yes", or "no" (with the conditions missed when there are several)."""
    failed = [name for name, good in conditions.items() if not good]
    if not failed:
        return "yes"
    return "no" if len(conditions) == 1 else f"no ({', '.join(failed)})"


def _messages(output: str) -> int:
    """The message count of `run --dry-run`'s summary line ("13765 message(s), ...")."""
    found = re.findall(r"^(\d+) message\(s\)", output, flags=re.MULTILINE)
    if not found:
        raise BenchError(f"run --dry-run printed no count of messages: {output[-300:]!r}")
    return int(found[-1])


# -- processes --------------------------------------------------------------------------------------------


def appealwatch(command: str, config: Path, on: str, *options: str) -> list[str]:
    """The command line of the venv's own console script (the venv that runs the benchmark)."""
    script = Path(sys.executable).parent / "appealwatch"
    if not script.exists():
        raise BenchError(f"{script} is missing: install the project in this venv (make bench does)")
    return [str(script), command, "--config", str(config), "--on", on, *options]


def run_process(command: Sequence[str], work: Path, name: str) -> Process:
    """Run one process, output to files in `work`; its wall time and its own peak RSS.

    The peak RSS comes from a small process in between (/usr/bin/time, else benchmarks/launch.py) that
    waits for the command: Linux charges a child spawned straight from this large process with this
    process's resident set, so each command is measured alone only that way."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}  # the config decides
    out, err, rss = work / f"{name}.out", work / f"{name}.err", work / f"{name}.rss"
    if TIME.exists():
        wrapped = [str(TIME), "-f", "%M", "-o", str(rss), *command]
    else:
        wrapped = [sys.executable, "-S", "-I", str(LAUNCH_SCRIPT), str(rss), *command]
    rss.unlink(missing_ok=True)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        start = time.perf_counter()
        code = subprocess.run(
            wrapped, stdout=stdout, stderr=stderr, cwd=work, env=env, check=False
        ).returncode
        seconds = time.perf_counter() - start
    if code not in OK_EXITS:
        tail = err.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        raise BenchError(f"{Path(command[0]).name} {command[1]} exited {code}: " + " | ".join(tail))
    # GNU time writes "Command exited with non-zero status 1" first when it did; the figure comes last.
    peak_kib = int(rss.read_text(encoding="utf-8").split()[-1])
    return Process(seconds, peak_kib * 1024 / MB, code, out.read_bytes().decode("utf-8", "replace"))


def write_config(folder: Path, url: str, smtp_port: int | None = None) -> Path:
    """A config.toml in `folder` for this database: the file notifier, or SMTP to the loopback relay."""
    folder.mkdir(parents=True, exist_ok=True)
    if smtp_port is None:
        notifier = '[notifier]\nkind = "file"\noutbox_dir = "outbox"\n'
    else:
        notifier = (
            '[notifier]\nkind = "smtp"\n\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\ntimeout = 10.0\n'
        )
    config = folder / "config.toml"
    config.write_text(
        f'[database]\nurl = {json.dumps(url)}\n\n{notifier}\n[report]\nout_dir = "reports"\n',
        encoding="utf-8",
    )
    return config


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq (psycopg.connect) takes it, search_path option included."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# -- databases --------------------------------------------------------------------------------------------


def build_database(url: str, data: History) -> float:
    """The five tables, filled with `data` in one transaction, then indexed and migrated by init_db (the
    indexes after the load); on PostgreSQL vacuumed and analysed, as autovacuum would, and checkpointed.
    Returns seconds."""
    start = time.perf_counter()
    loader = create_engine(url)  # plain: no foreign-key checks row by row during the load
    try:
        dialect = "postgresql" if loader.dialect.name == "postgresql" else "sqlite"
        with loader.begin() as conn:
            for statement in split_sql(sql_text(f"schema/contract.{dialect}")):
                conn.exec_driver_sql(statement)
            insert_history(conn, data)
    finally:
        loader.dispose()
    _index_and_analyse(url)
    return time.perf_counter() - start


def append_expired(url: str, base: History, factor: int, seed: int, years: float) -> float:
    """Add `factor - 1` times base's decisions, all long expired (benchmarks.synthetic.expired_history),
    with the scan's indexes dropped during the load and built again after it. Returns seconds."""
    start = time.perf_counter()
    loader = create_engine(url)
    try:
        with loader.begin() as conn:
            for statement in split_sql(sql_text("schema/contract_indexes")):
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {statement.split()[5]}")
            for chunk in expired_history(base, factor, seed, years):
                insert_history(conn, chunk, tables=("decisions", "appeals", "complaints"))
    finally:
        loader.dispose()
    _index_and_analyse(url)
    return time.perf_counter() - start


def _index_and_analyse(url: str) -> None:
    engine = make_engine(url)
    try:
        init_db(engine)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(f"VACUUM ANALYZE {', '.join(TABLE_COLUMNS)}")  # this schema only
                # The load's dirty pages written out now, not by the checkpointer during the next
                # measurement: a fund's database is not bulk-loaded a minute before its night. (A loaded
                # 10x history otherwise cost that night about a second of I/O; skipped without the right.)
                with contextlib.suppress(DBAPIError):  # CHECKPOINT needs a superuser or pg_checkpoint
                    conn.exec_driver_sql("CHECKPOINT")
    finally:
        engine.dispose()
