"""Shared fixtures: a fresh, initialised database per test, on SQLite always and on PostgreSQL when
TEST_DATABASE_URL is set (each test in a schema of its own, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from jobs.db import init_db, make_engine

# CI replays the same examples every run (a red CI must mean a change broke something, not a new random draw);
# locally, hypothesis keeps exploring.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REPO = Path(__file__).resolve().parents[1]
# What the tools themselves keep in the repository (caches, the virtualenv, byte code): not the tests' doing.
TOOL_FOLDERS = {
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".benchmarks",
}
BACKENDS = ["sqlite", "postgresql"]


@dataclass
class Database:
    url: str
    engine: Engine
    backend: str


def _pg_schema_url(base: str, schema: str) -> str:
    url = make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    query = dict(url.query)
    query["options"] = f"-csearch_path={schema}"
    return url.set(query=query).render_as_string(hide_password=False)


def repository_files() -> set[str]:
    """Every file and folder in the repository but the tools' own (see TOOL_FOLDERS)."""
    found: set[str] = set()
    for folder, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in TOOL_FOLDERS and not d.endswith(".egg-info")]
        here = Path(folder).relative_to(REPO)
        found.update(str(here / name) for name in [*dirs, *files])
    return found


@pytest.fixture(scope="session", autouse=True)
def the_suite_leaves_the_repository_as_it_found_it() -> Iterator[None]:
    """A test writes in its tmp_path, never in the repository (a `reports/` or `outbox/` folder, a database)."""
    before = repository_files()
    yield
    left = sorted(repository_files() - before)
    if left:
        pytest.fail(f"the tests left new files in the repository: {', '.join(left[:10])}", pytrace=False)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database with the contract tables and the project's own tables."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'appealwatch.db'}"
        engine = make_engine(url)
        init_db(engine)
        yield Database(url, engine, "sqlite")
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
        )
    schema = f"aw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_pg_schema_url(PG_URL, "public"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _pg_schema_url(PG_URL, schema)
    engine = make_engine(url)
    try:
        init_db(engine)
        yield Database(url, engine, "postgresql")
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_engine(database: Database) -> Engine:
    return database.engine


@pytest.fixture
def db_url(database: Database) -> str:
    return database.url


def pytest_report_header() -> str:
    if PG_URL:
        shown = make_url(PG_URL).render_as_string(hide_password=True)
        return f"database backends: sqlite and postgresql ({shown}): every database test runs on both"
    return "database backends: sqlite only (set TEST_DATABASE_URL to run the PostgreSQL tests too)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many database tests ran on each backend: a skipped PostgreSQL run must show."""
    counts: dict[str, dict[str, int]] = {b: {"passed": 0, "failed": 0, "skipped": 0} for b in BACKENDS}
    for outcome in counts["sqlite"]:
        for report in terminalreporter.stats.get(outcome, []):
            for backend in BACKENDS:
                if f"[{backend}" in getattr(report, "nodeid", "") and (
                    outcome != "passed" or report.when == "call"
                ):
                    counts[backend][outcome] += 1
    line = "; ".join(f"{b}: " + ", ".join(f"{n} {o}" for o, n in c.items()) for b, c in counts.items())
    terminalreporter.write_line(f"database tests by backend: {line}")
