"""`python -m benchmarks` (`make bench`): prints the figures as aligned text, and the whole-process table
(benchmarks.night) also to docs/benchmarks.md (`--no-write`: not). The databases live in a temporary folder
or a throwaway PostgreSQL schema; `--json PATH` also writes the figures there.

    python -m benchmarks                      # engine 10k/100k/1M, scan on 300k, whole night on 1M decisions
    python -m benchmarks --quick              # small sizes, one run each: a smoke test
    python -m benchmarks --sizes 10000,100000 --db-decisions 50000 --decisions 200000
    python -m benchmarks --quick --only delivery  # some parts only (never written to docs/benchmarks.md)

PostgreSQL runs when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set, in a throwaway schema.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.night import NightBench, libpq_url
from benchmarks.runner import (
    DatabaseFigures,
    EngineFigure,
    bench_database,
    bench_engine,
    postgresql_url,
    scratch_dir,
    throwaway_schema,
)
from benchmarks.synthetic import history

DEFAULT_ON = dt.date(2026, 11, 26)
PARTS = (
    "engine",
    "scan",
    "night",
    "delivery",
)  # --only: the engine, the scan's reads, the night's table, delivery
NIGHT_COUNTS = ("windows", "windows_open", "windows_grace", "reminders_queued", "messages", "problems")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    quick: bool = args.quick
    sizes: list[int] = args.sizes or ([2_000, 10_000] if quick else [10_000, 100_000, 1_000_000])
    db_decisions: int = args.db_decisions or (20_000 if quick else 300_000)
    repeat: int = args.repeat or (1 if quick else 3)
    on: dt.date = args.on
    started = time.perf_counter()

    print(f"appealwatch benchmarks: on {on}, seed {args.seed}, best of {repeat}")
    print(f"python {platform.python_version()}, {os.cpu_count()} cpu(s), {platform.platform()}")
    results: dict[str, Any] = {"on": on.isoformat(), "seed": args.seed, "repeat": repeat}
    parts: set[str] = args.only or set(PARTS)

    if "engine" in parts:
        print("\nengine: compute_windows on synthetic frames (decisions over 2 years)")
        engine_rows, results["engine"] = [], []
        for figure in bench_engine(sizes, on, repeat, args.seed):  # one line as each size finishes
            engine_rows.append(_engine_row(figure))
            print(_table(list(engine_rows[0]), engine_rows, header=len(engine_rows) == 1, last_only=True))
            results["engine"].append({**dataclasses.asdict(figure), "per_second": figure.per_second})

    if "scan" in parts:
        data = history(db_decisions, on, seed=args.seed, years=args.years)
        databases: list[DatabaseFigures] = []
        with scratch_dir() as folder:
            url = f"sqlite:///{folder / 'bench.db'}"
            databases.append(bench_database("sqlite", url, data, repeat, folder))
            _print_database(databases[-1], args.years)
            pg = postgresql_url()
            if pg is None:
                print("\nPostgreSQL: skipped (set BENCH_DATABASE_URL)")
            else:
                with throwaway_schema(pg) as schema_url:
                    databases.append(bench_database("postgresql", schema_url, data, repeat, folder))
                _print_database(databases[-1], args.years)
        results["databases"] = [_database_json(d) for d in databases]
        del data

    if parts & {"night", "delivery"}:
        night = _whole_night(args, repeat, parts)
        results["night"] = [dataclasses.asdict(f) for f in night.table()]
        print(f"\n{report.text_table(night.table())}")
    print(f"\ntotal {time.perf_counter() - started:.1f} s")

    if args.only:
        print(f"some parts only ({', '.join(sorted(args.only))}): {args.markdown} left as it is")
    elif not args.no_write:
        facts = _facts(args, argv, repeat)
        report.write(args.markdown, report.markdown(night.table(), facts))
        print(f"table written to {args.markdown}")

    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


def _whole_night(args: argparse.Namespace, repeat: int, parts: set[str]) -> NightBench:
    """The whole-process table of issue 11: SQLite, rendering, delivery, then PostgreSQL if given (`parts`:
    "night" for all but delivery, "delivery" for delivery)."""
    decisions: int = args.decisions or (20_000 if args.quick else 1_000_000)
    deliver: int = args.deliver_messages or (200 if args.quick else 2_000)
    print(
        f"\nwhole processes: {decisions:,} decisions, {max(1, decisions // 3):,} families, {args.years:g} years; "
        f"median of {repeat} run(s) each"
    )
    base = history(decisions, args.on, seed=args.seed, years=args.years) if "night" in parts else None
    with scratch_dir() as folder:
        night = NightBench(args.on, args.seed, args.years, repeat, folder)
        if base is not None:
            database = folder / "night.db"
            url = f"sqlite:///{database}"
            night.whole_night("SQLite", url, base, str(database))
            night.rendering(url)
            night.expired("SQLite", url, base)
            database.unlink()
        if "delivery" in parts:
            messages = night.messages.get("SQLite", 0)
            night.delivery(deliver, decisions / messages if messages else 80.0)
        pg = postgresql_url()
        if base is None:
            pass
        elif pg is None:
            print("  PostgreSQL: skipped (set BENCH_DATABASE_URL)")
        else:
            with throwaway_schema(pg) as schema_url:
                night.whole_night("PostgreSQL", schema_url, base, libpq_url(schema_url))
                night.expired("PostgreSQL", schema_url, base)
    return night


def _facts(args: argparse.Namespace, argv: Sequence[str] | None, repeat: int) -> list[tuple[str, str]]:
    """The rows above the table in docs/benchmarks.md."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = " ".join(["python -m benchmarks", *words])
    if postgresql_url() is not None:
        command = f"BENCH_DATABASE_URL=... {command}"
    decisions = args.decisions or (20_000 if args.quick else 1_000_000)
    return [
        ("machine", report.machine()),
        ("date", dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("command", f"`{command}`"),
        (
            "data",
            f"{decisions:,} decisions of {max(1, decisions // 3):,} families over {args.years:g} years, "
            f"as of {args.on} (seed {args.seed}); median of {repeat} run(s)",
        ),
    ]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and one run each (a smoke test)")
    parser.add_argument("--sizes", type=_sizes, help="engine sizes, e.g. 10000,100000 (default 10k,100k,1M)")
    parser.add_argument("--db-decisions", type=int, help="decisions in the databases (default 300000)")
    parser.add_argument("--years", type=float, default=6.0, help="years of history in the databases")
    parser.add_argument(
        "--repeat",
        type=int,
        help="runs per figure (default 3, --quick 1): the best kept, the median in the whole-process table",
    )
    parser.add_argument("--on", type=dt.date.fromisoformat, default=DEFAULT_ON, help="the day to act as")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument(
        "--decisions", type=int, help="decisions of the whole-process table (default 1000000, --quick 20000)"
    )
    parser.add_argument(
        "--deliver-messages", type=int, help="messages of the delivery figure (default 2000, --quick 200)"
    )
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument(
        "--only",
        type=_parts,
        metavar="PARTS",
        help=f"run only these parts, comma-separated, of: {', '.join(PARTS)} (nothing is written to the docs)",
    )
    parser.add_argument(
        "--markdown", type=Path, default=report.DOC, metavar="PATH", help="where to write the table"
    )
    return parser


def _parts(value: str) -> set[str]:
    parts = {part.strip() for part in value.split(",") if part.strip()}
    unknown = parts - set(PARTS)
    if not parts or unknown:
        raise argparse.ArgumentTypeError(f"parts are some of {', '.join(PARTS)}, not {value!r}")
    return parts


def _sizes(value: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {value!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive: {value!r}")
    return sizes


def _engine_row(figure: EngineFigure) -> dict[str, Any]:
    return {
        "decisions": figure.decisions,
        "appeals": figure.appeals,
        "complaints": figure.complaints,
        "best s": round(figure.seconds, 3),
        "decisions/s": round(figure.per_second),
        "peak RSS": f"{figure.peak_rss_mb:.0f} MiB",
        "+RSS": f"{figure.rss_growth_mb:.0f} MiB",
    }


def _print_database(figures: DatabaseFigures, years: float) -> None:
    name = {"sqlite": "SQLite (file)", "postgresql": "PostgreSQL"}[figures.backend]
    print(
        f"\n{name}: {figures.decisions} decisions over {years:g} years, {figures.appeals} appeals, "
        f"{figures.complaints} complaints; created and filled in {figures.load_seconds:.1f} s"
    )
    print("  plan of sql/scan_decisions.sql, branch by branch:")
    for number, branch in enumerate(figures.plan, start=1):
        print(f"    {number}. {branch}")
    rows = [
        {
            "read_decisions": read.scope,
            "best s": round(read.seconds, 3),
            "decisions": read.decisions,
            "share": f"{read.decisions / max(1, figures.decisions):.1%}",
            "appeals": read.appeals,
            "complaints": read.complaints,
        }
        for read in figures.reads
    ]
    print(_indent(_table(list(rows[0]), rows)))
    night = figures.night
    counts = ", ".join(f"{key.removeprefix('windows_')} {night.get(key, 0)}" for key in NIGHT_COUNTS)
    print(
        f"  plan_night, first night (empty ledger: every due stage caught up; writes nothing): {figures.night_seconds:.3f} s"
    )
    print(f"    {counts}")


def _database_json(figures: DatabaseFigures) -> dict[str, Any]:
    return {
        "backend": figures.backend,
        "decisions": figures.decisions,
        "appeals": figures.appeals,
        "complaints": figures.complaints,
        "load_seconds": figures.load_seconds,
        "plan": [str(branch) for branch in figures.plan],
        "reads": [dataclasses.asdict(read) for read in figures.reads],
        "night_seconds": figures.night_seconds,
        "night": figures.night,
    }


def _table(
    columns: list[str], rows: list[dict[str, Any]], header: bool = True, last_only: bool = False
) -> str:
    """Aligned columns, numbers right-aligned with thousands separators."""
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), 12] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))] if header else []
    shown = cells[-1:] if last_only else cells
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in shown]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}"
    return str(value)


def _indent(block: str) -> str:
    return "\n".join("  " + line for line in block.splitlines())


if __name__ == "__main__":
    sys.exit(main())
