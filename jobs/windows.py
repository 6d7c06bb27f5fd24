"""The engine's answers for one day, read from the fund's tables: the appeal windows (`appealwatch windows`)
and one decision's window with its full trace in words (`appealwatch explain`). The commands print them."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from deadlines.engine import compute_windows
from deadlines.validate import Problem
from jobs.inputs import read_decisions
from jobs.report_cells import csv_cell

WINDOW_COLUMNS = [
    "decision_id",
    "beneficiary_id",
    "kind",
    "forum",
    "status",
    "rule",
    "trigger_on",
    "safe_deadline",
    "latest_deadline",
    "days_left",
    "needs_confirmation",
]
DATE_COLUMNS = ("trigger_on", "safe_deadline", "latest_deadline")


def windows_on(conn: Connection, on: date, show_all: bool) -> tuple[pd.DataFrame, list[Problem]]:
    """The windows as of `on` (open ones only, unless `show_all`), the most urgent first, and the bad rows met."""
    inputs = read_decisions(conn, on, "all" if show_all else "scan")
    windows = compute_windows(inputs.decisions, inputs.appeals, inputs.complaints, on)
    if not show_all:
        windows = windows[windows["status"] == "open"]
    windows = windows.sort_values(["safe_deadline", "decision_id"], na_position="last")
    return windows, inputs.problems


@dataclass
class Explanation:
    """One decision's trace in words, or None when it cannot be explained (`problems` say why, if any)."""

    text: str | None
    problems: list[Problem] = field(default_factory=list)


def explain(conn: Connection, decision_id: int, on: date) -> Explanation:
    # Imported here: `windows` does not need the trace's words.
    from deadlines.explain import explain_decision, render_trace

    inputs = read_decisions(conn, on, decision_id)
    if inputs.decisions.empty:
        return Explanation(None, inputs.problems)
    trace = explain_decision(decision_id, inputs.decisions, inputs.appeals, inputs.complaints, on)
    return Explanation(render_trace(trace), inputs.problems)


def window_columns(windows: pd.DataFrame) -> dict[str, list[Any]]:
    """The windows' columns of shared/contract.md section 3 as python values: ISO dates or None, ints (None for
    no days left), bools, the text as read. Converted a column at a time: a night has tens of thousands of
    windows, and a python step per cell (DataFrame.to_dict, then each value) cost a second at 1M decisions."""
    frame = windows.reindex(columns=WINDOW_COLUMNS)
    columns: dict[str, list[Any]] = {}
    for name in WINDOW_COLUMNS:
        values = frame[name]
        if name in DATE_COLUMNS:
            if not pd.api.types.is_datetime64_dtype(values.dtype):
                values = pd.to_datetime(values)
            days = values.to_numpy(dtype="datetime64[D]")
            columns[name] = _with_none(np.datetime_as_string(days).tolist(), np.isnat(days))
        elif name == "days_left":
            missing = values.isna().to_numpy(dtype=bool)
            columns[name] = _with_none(values.fillna(0).to_numpy(dtype=np.int64).tolist(), missing)
        elif name in ("decision_id", "beneficiary_id"):
            columns[name] = values.to_numpy().astype(np.int64).tolist()
        elif name == "needs_confirmation":
            columns[name] = values.to_numpy().astype(bool).tolist()
        else:
            columns[name] = values.tolist()
    return columns


def _with_none(values: list[Any], missing: np.ndarray) -> list[Any]:
    for position in np.flatnonzero(missing).tolist():
        values[position] = None
    return values


def window_records(windows: pd.DataFrame) -> list[dict[str, Any]]:
    """The JSON shape of shared/contract.md section 3: ISO dates or null, ints, bools."""
    columns = window_columns(windows)
    return [dict(zip(WINDOW_COLUMNS, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def write_windows_csv(windows: pd.DataFrame, out: IO[str]) -> None:
    """`windows --format csv`: a header, then a row per window; text cells as csv_cell makes them (never a
    formula), a missing value empty, booleans True/False. Written from the columns by one csv writer."""
    columns = window_columns(windows)
    for name, values in columns.items():
        if name not in ("decision_id", "beneficiary_id", "days_left", "needs_confirmation"):
            columns[name] = _csv_cells(values)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(WINDOW_COLUMNS)
    writer.writerows(zip(*columns.values(), strict=True))


def _csv_cells(values: list[Any]) -> list[Any]:
    """csv_cell of each value, computed once per distinct value (a column holds a few kinds, forums, dates)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    cells = np.array([*(csv_cell(u) for u in uniques), None], dtype=object)  # code -1 (missing): empty
    return cells[codes].tolist()
