"""The whole-process table (benchmarks.night) as aligned text for the terminal and as docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from pathlib import Path

from benchmarks.night import Figure

COLUMNS = ("figure", "time", "ratio", "rate", "peak RSS", "target", "met", "")
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def cells(figure: Figure) -> list[str]:
    return [
        figure.label,
        "" if figure.seconds is None else f"{figure.seconds:.2f} s",
        "" if figure.ratio is None else f"{figure.ratio:.2f}x",
        "" if figure.rate is None else f"{figure.rate:,.0f} msg/s",
        "" if figure.peak_rss_mb is None else f"{figure.peak_rss_mb:,.0f} MB",
        figure.target,
        figure.met,
        figure.note,
    ]


def text_table(figures: Sequence[Figure]) -> str:
    """Aligned columns: the label and the words left, the figures right."""
    rows = [list(COLUMNS), *[cells(f) for f in figures]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    right = {1, 2, 3, 4}
    lines = []
    for row in rows:
        parts = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def machine() -> str:
    """The CPU model, count and memory, and the system."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), ""
            )
    except OSError:
        pass
    try:
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        memory = ""
    cpus = f"{os.cpu_count()} CPU(s)" + (f" ({model})" if model else "")
    return f"{cpus}{memory}, {platform.platform()}"


def markdown(figures: Sequence[Figure], facts: Sequence[tuple[str, str]]) -> str:
    """docs/benchmarks.md: the facts of the invocation, the table, and how it is measured."""
    escape = str.maketrans({"|": "\\|"})
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks`) and overwritten by each run (`--no-write` leaves it",
        "alone). Targets are those of issue 11; a ratio compares figures of one invocation on one machine, so it",
        "travels between machines where absolute times do not.",
        "",
        "| | |",
        "|---|---|",
        *[f"| {name} | {value.translate(escape)} |" for name, value in facts],
        "",
        "| " + " | ".join(c or "note" for c in COLUMNS) + " |",
        "|---|" + "---:|" * 4 + "---|---|---|",
        *["| " + " | ".join(c.translate(escape) for c in cells(f)) + " |" for f in figures],
        "",
        "How it is measured:",
        "",
        "- Each command is a process of its own (the `appealwatch` console script of the venv that runs the",
        "  benchmark, with a generated `config.toml`: file notifier, database in a temporary folder or a",
        "  throwaway PostgreSQL schema). Time is wall time from start to exit, the median of the runs; peak RSS",
        "  is that process's own maximum resident set, taken by a small process in between (`/usr/bin/time`, else",
        "  `benchmarks/launch.py`) so that the benchmark's own memory is not charged to it; the highest of the runs.",
        "- The floor reads every decision joined to its family as plainly as the driver can, in a process of",
        "  its own: `sqlite3` `fetchall()`, or psycopg `COPY (SELECT ...) TO STDOUT` consumed fully",
        "  (`benchmarks/floor.py`). Ratios are to the floor of the same backend.",
        "- `run --dry-run` is a first night: the ledger is empty, so every due stage is caught up.",
        "- 10x expired history: nine times as many decisions added before the others, all notified and with",
        "  every complaint closed long ago, so no window of theirs can be open; the night must plan the same",
        "  messages (checked). Its ratio is to the first night's `run --dry-run` above it.",
        "- Rendering: tonight's messages of that first night planned and rendered in-process",
        "  (`jobs.outbox.plan.build_plan`), the night read beforehand; messages per second of that call.",
        "- Delivery: a real `appealwatch run` on a fresh SQLite database with the SMTP notifier pointed at an",
        "  aiosmtpd relay on loopback in the benchmark's process; messages per second between the first and the",
        "  last message the relay received. Time and peak RSS are those of the whole run.",
        "- Data: `benchmarks/synthetic.py`, seeded and vectorised; one family for every three decisions. Each",
        "  database is loaded, then indexed and migrated by `init-db`; on PostgreSQL vacuumed, analysed and",
        "  checkpointed before anything is timed, so no figure pays for the load's own writes.",
        "",
    ]
    return "\n".join(lines)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
