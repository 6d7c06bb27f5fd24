"""`appealwatch windows` and `appealwatch explain`: the engine's answers, for people and for scripts."""

from __future__ import annotations

import json
import sys
from datetime import date

import pandas as pd

from deadlines.engine import compute_windows
from deadlines.explain import explain_decision, render_trace
from jobs.config import Settings
from jobs.db import database
from jobs.inputs import read_decisions
from jobs.report import WINDOW_COLUMNS, csv_cell, window_records


def print_windows(settings: Settings, on: date, show_all: bool, fmt: str) -> int:
    with database(settings.database.url) as engine, engine.connect() as conn:
        inputs = read_decisions(conn, on, "all" if show_all else "scan")
    windows = compute_windows(inputs.decisions, inputs.appeals, inputs.complaints, on)
    if not show_all:
        windows = windows[windows["status"] == "open"]
    windows = windows.sort_values(["safe_deadline", "decision_id"], na_position="last")
    records = window_records(windows)
    if fmt == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif fmt == "csv":
        cells = [{k: csv_cell(v) if isinstance(v, str) else v for k, v in r.items()} for r in records]
        frame = pd.DataFrame(cells, columns=WINDOW_COLUMNS).astype({"days_left": "Int64"})
        frame.to_csv(sys.stdout, index=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(
            *WINDOW_COLUMNS, title=f"appeal windows on {on}" + (" (all)" if show_all else " (open)")
        )
        for record in records:
            table.add_row(*("" if v is None else str(v) for v in record.values()))
        Console(width=220).print(table)
        print(f"{len(records)} window(s)")
    for problem in inputs.problems:
        print(f"bad row: {problem}", file=sys.stderr)
    # The windows were printed: that is done. The bad rows are on standard error, and `run` exits 1 for them.
    return 0


def print_explanation(settings: Settings, decision_id: int, on: date) -> int:
    with database(settings.database.url) as engine, engine.connect() as conn:
        inputs = read_decisions(conn, on, decision_id)
    if inputs.decisions.empty:
        for problem in inputs.problems:
            print(f"decision {decision_id} cannot be explained: {problem}", file=sys.stderr)
        if not inputs.problems:
            print(f"appealwatch: no decision with id {decision_id}", file=sys.stderr)
        return 2 if not inputs.problems else 1
    trace = explain_decision(decision_id, inputs.decisions, inputs.appeals, inputs.complaints, on)
    print(render_trace(trace))
    return 0
