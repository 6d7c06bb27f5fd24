"""A cell of the report's CSV files and workbook that a spreadsheet opens as data, never as a formula."""

from __future__ import annotations

import re
from typing import Any

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
