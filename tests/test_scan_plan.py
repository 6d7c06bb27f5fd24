"""The nightly scan is served by the indexes init-db creates, on SQLite and PostgreSQL, and reads only the
decisions that can still matter. Behaviour only: which index the planner takes and which rows come back,
never how long anything takes (that is `make bench`).

The database holds six years of seeded history (benchmarks.synthetic), analysed, so that the planner sees
a realistic spread: about a tenth of the decisions fall within the scan's bounds. PostgreSQL would still
read a table this small whole, because that is cheaper than any index; `SET LOCAL enable_seqscan = off`
makes it show the plan it would take on a large table (and a Seq Scan still chosen then means that no
index can serve the query).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection

from benchmarks.plans import Branch, explain
from benchmarks.synthetic import History, history, insert_history
from deadlines.scan import scan_bounds, scan_parameters
from jobs.inputs import read_decisions

from conftest import Database

ON = date(2026, 11, 26)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def filled(database: Database) -> History:
    """Six years of history in the fixture's database, with planner statistics."""
    data = history(3000, ON, seed=7, years=6)
    with database.engine.begin() as conn:
        insert_history(conn, data)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return data


def plan_of(conn: Connection, name: str, params: dict[str, object]) -> list[Branch]:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return explain(conn, name, params)


def test_the_scan_finds_recent_decisions_by_ix_decisions_notified_on(
    database: Database, filled: History
) -> None:
    with database.engine.begin() as conn:
        branches = plan_of(conn, "scan_decisions", scan_parameters(ON))

    assert len(branches) == 4, branches
    by_notification = [b for b in branches if "complaints" not in b.tables()]
    assert len(by_notification) == 2, branches  # notified_on >= :notified_from; notified_on IS NULL
    for branch in by_notification:
        assert branch.tables() == {"decisions"}, branch
        for access in branch.of("decisions"):
            assert access.index == "ix_decisions_notified_on", access
            assert not access.full, access  # a range or IS NULL, not the whole index
    # Nowhere does the scan read the decisions table itself from end to end.
    assert not [a for b in branches for a in b.of("decisions") if a.index is None], branches


def test_the_scan_finds_complaints_by_ix_complaints_closed_on(database: Database, filled: History) -> None:
    with database.engine.begin() as conn:
        branches = plan_of(conn, "scan_decisions", scan_parameters(ON))

    by_complaint = [b for b in branches if "complaints" in b.tables()]
    assert len(by_complaint) == 2, branches  # closed_on IS NULL; closed_on >= :closed_from
    for branch in by_complaint:
        complaints = branch.of("complaints")
        assert complaints, branch
        for access in complaints:
            assert access.index == "ix_complaints_closed_on", access
            assert not access.full, access


@pytest.mark.parametrize(
    ("name", "table", "index"),
    [
        ("complaints_of", "complaints", "ix_complaints_decision_id"),
        ("appeals_of", "appeals", "ix_appeals_decision_id"),
    ],
)
def test_the_scanned_decisions_complaints_and_appeals_are_found_by_decision_id(
    database: Database, filled: History, name: str, table: str, index: str
) -> None:
    with database.engine.begin() as conn:
        (branch,) = plan_of(conn, name, {"ids": [11, 2900, 2950]})

    assert [a.index for a in branch.of(table)] == [index], branch
    assert not [a for a in branch.accesses if a.full], branch


def expected_scan(data: History) -> set[int]:
    """The decisions sql/scan_decisions.sql promises, worked out from the frames: notified on or after
    notified_from or not at all, or with a complaint open or closed on or after closed_from; not withdrawn
    on or before `on`."""
    bounds, on = scan_bounds(data.on), pd.Timestamp(data.on)
    d, c = data.decisions, data.complaints
    with_complaint = c.loc[
        c["closed_on"].isna() | (c["closed_on"] >= pd.Timestamp(bounds.closed_from)), "decision_id"
    ]
    wanted = (
        (d["notified_on"] >= pd.Timestamp(bounds.notified_from))
        | d["notified_on"].isna()
        | d["id"].isin(with_complaint)
    ) & ~(d["withdrawn_on"] <= on)
    return set(d.loc[wanted, "id"].tolist())


def test_the_scan_reads_only_the_decisions_that_can_still_matter(database: Database, filled: History) -> None:
    with database.engine.connect() as conn:
        scanned = read_decisions(conn, ON, "scan")
        everything = read_decisions(conn, ON, "all")

    ids = set(scanned.decisions["id"].tolist())
    assert ids == expected_scan(filled)
    assert len(everything.decisions) == len(filled.decisions)
    assert len(ids) < 0.2 * len(filled.decisions)  # six years of history; the scan reaches back ~7 months
    # Their appeals and complaints, and no others.
    assert set(scanned.complaints["decision_id"]) == set(filled.complaints["decision_id"]) & ids
    assert set(scanned.appeals["decision_id"]) == set(filled.appeals["decision_id"]) & ids


TINY_NIGHT = ("--decisions", "3000", "--deliver-messages", "20")


@pytest.mark.slow
def test_the_quick_benchmark_runs_and_reports_what_the_scan_read(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        # --no-write: the repository's docs/benchmarks.md holds the figures of a real run; the whole-process
        # table (tests/test_benchmarks.py) at a tiny size, to keep this test about the scan
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(figures), "--no-write", *TINY_NIGHT],
        cwd=tmp_path,  # it must write nothing where it runs either
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "ix_decisions_notified_on" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures.json"]
    result = json.loads(figures.read_text(encoding="utf-8"))
    assert [row["decisions"] for row in result["engine"]] == [2_000, 10_000]
    for db in result["databases"]:
        reads = {read["scope"]: read["decisions"] for read in db["reads"]}
        assert reads["all"] == db["decisions"]
        assert 0 < reads["scan"] < 0.2 * reads["all"], reads
        assert db["night"]["windows"] == reads["scan"]


def test_sqlite_finds_non_iso_dates_through_partial_indexes_not_by_reading_the_history(
    database: Database, filled: History
) -> None:
    """`sql/odd_dates.sqlite.sql` (text dates that are not ISO, which the scan's ranges cannot see) reads only
    the rows of the partial indexes init-db creates: a history of millions of well-formed rows is not read
    (it was, whole, every night: the 10x-history benchmark's extra time)."""
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's DATE columns hold no such text; the query is SQLite's own")
    with database.engine.begin() as conn:
        accesses = [a for branch in explain(conn, "odd_dates.sqlite", {}) for a in branch.accesses]
    by_table = {(a.table, a.index) for a in accesses}
    assert ("decisions", "ix_decisions_odd_dates") in by_table, accesses
    assert ("complaints", "ix_complaints_odd_dates") in by_table, accesses
    # Never the table itself from end to end: the decisions' own rows come by the partial index or by key.
    assert not [a for a in accesses if a.index is None and a.full], accesses
