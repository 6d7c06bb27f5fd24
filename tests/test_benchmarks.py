"""`make bench` (python -m benchmarks) runs end to end at a tiny size and prints every row of the
whole-process table with its verdict. Figures are never asserted: speed is measured there, not here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SQLITE_ROWS = [
    "SQLite: floor: sqlite3 fetchall of decisions joined to families",
    "SQLite: appealwatch windows --format csv",
    "SQLite: appealwatch run --dry-run (first night)",
    "SQLite: appealwatch run --dry-run, 10x expired history",
]
POSTGRESQL_ROWS = [
    "PostgreSQL: floor: COPY (decisions joined to families) TO STDOUT",
    "PostgreSQL: appealwatch windows --format csv",
    "PostgreSQL: appealwatch run --dry-run (first night)",
    "PostgreSQL: appealwatch run --dry-run, 10x expired history",
]
IN_PROCESS_AND_DELIVERY_ROWS = [
    "rendering: tonight's messages, in-process",
    "delivery: appealwatch run to a loopback SMTP relay (SQLite)",
]


@pytest.mark.slow
def test_bench_prints_every_row_of_the_table_and_writes_nothing_with_no_write(tmp_path: Path) -> None:
    markdown = tmp_path / "benchmarks.md"
    tiny = [
        "--quick",
        "--sizes",
        "500",
        "--db-decisions",
        "2000",
        "--decisions",
        "3000",
        "--deliver-messages",
        "20",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", *tiny, "--no-write", "--markdown", str(markdown)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    header, *rows = done.stdout.split("\nfigure ", 1)[1].split("\n\n", 1)[0].splitlines()
    assert header.split()[:5] == ["time", "ratio", "rate", "peak", "RSS"]
    postgresql = bool(os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"))
    expected = SQLITE_ROWS + (POSTGRESQL_ROWS if postgresql else []) + IN_PROCESS_AND_DELIVERY_ROWS
    labels = [next((e for e in expected if row.startswith(e)), row) for row in rows]
    assert labels == expected
    for row in rows:
        if "floor:" not in row:  # every other row has a target and says whether it is met
            assert " yes" in row or " no" in row, row
    assert not markdown.exists()


@pytest.mark.slow
def test_bench_only_delivery_prints_the_delivery_row_alone_and_writes_nothing(tmp_path: Path) -> None:
    markdown = tmp_path / "benchmarks.md"
    markdown.write_text("as it was\n", encoding="utf-8")
    only = ["--quick", "--only", "delivery", "--deliver-messages", "20", "--markdown", str(markdown)]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", *only],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "engine: compute_windows" not in done.stdout
    _header, *rows = done.stdout.split("\nfigure ", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [row for row in rows if row.strip()] and all(
        row.startswith(IN_PROCESS_AND_DELIVERY_ROWS[1]) for row in rows if row.strip()
    ), rows
    assert markdown.read_text(encoding="utf-8") == "as it was\n"
