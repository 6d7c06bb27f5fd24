"""A cell of the report's CSV files and workbook that a spreadsheet opens as data, never as a formula; and the
windows' columns as `windows --format csv/json` and the report's windows.csv write them (docs/contract.md)."""

from __future__ import annotations

import csv
import re
from typing import IO, Any

import numpy as np
import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet opens as data, never as a formula (OWASP, "CSV injection").

    Text that starts with = + - @ (or a tab or carriage return) gets a leading single quote. Numbers stay
    numbers: they are not text, and a text that is only a number ("-3") cannot carry a formula either.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


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


def window_columns(windows: pd.DataFrame) -> dict[str, list[Any]]:
    """The windows' columns of docs/contract.md (`windows --format json`) as python values: ISO dates or None, ints (None for
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
    """The JSON shape of docs/contract.md (`windows --format json`): ISO dates or null, ints, bools."""
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
