"""Check the fund's rows before the engine sees them: every bad row is reported and skipped on its own, the
run goes on (contract.md section 1). A missing column is not a bad row but a broken view: that raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from deadlines.engine import to_days, to_flag
from deadlines.vocabulary import FORUMS, KINDS

DECISION_COLUMNS = (
    "id",
    "beneficiary_id",
    "kind",
    "decided_on",
    "period_start",
    "notified_on",
    "appeal_info_complete",
    "withdrawn_on",
)
APPEAL_COLUMNS = ("decision_id", "forum", "filed_on")
COMPLAINT_COLUMNS = ("decision_id", "filed_on", "closed_on")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row. skipped=False: reported, but the row is used (with a stated policy)."""

    table: str
    row_id: Any
    column: str
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        outcome = "row skipped" if self.skipped else "row used"
        return f"{self.table} row {self.row_id}, {self.column}: {self.message} ({outcome})"


def _missing(series: pd.Series) -> np.ndarray:
    blank = series.astype(object).astype(str).str.strip().eq("").fillna(False)
    return (series.isna() | blank).to_numpy(dtype=bool)


def _require(frame: pd.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise KeyError(f"{table} lacks the column(s) {absent} of contract.md section 1")


class _Checker:
    """Collects (mask, column, message) checks on one table, then splits it into clean rows and problems."""

    def __init__(self, table: str, frame: pd.DataFrame) -> None:
        self.table, self.frame = table, frame.reset_index(drop=True)
        self.bad = np.zeros(len(self.frame), dtype=bool)
        self.problems: list[Problem] = []
        ids = self.frame["id"] if "id" in self.frame.columns else pd.Series(frame.index)
        self.ids = ids.reset_index(drop=True)

    def check(self, mask: np.ndarray, column: str, message: str, skip: bool = True) -> None:
        for position in np.flatnonzero(mask):
            raw = _plain(self.frame[column].iloc[position]) if column in self.frame.columns else None
            text = message.format(raw=raw)
            self.problems.append(Problem(self.table, _plain(self.ids.iloc[position]), column, text, skip))
        if skip:
            self.bad |= mask

    def dates(self, column: str, required: bool) -> np.ndarray:
        """The column as days; reports a missing value (when required) and an unparseable one."""
        days, absent = to_days(self.frame[column]), _missing(self.frame[column])
        if required:
            self.check(absent, column, f"{column} is missing")
        else:
            # Blank text where NULL belongs (SQLite stores text): read as empty, but said, not silently.
            blank = absent & self.frame[column].notna().to_numpy(dtype=bool)
            self.check(blank, column, f"{column} is blank text instead of NULL: read as empty", skip=False)
        self.check(
            ~absent & np.isnat(days), column, f"{column} is not a date between 1900 and 2199: {{raw!r}}"
        )
        return days

    def clean(self, date_columns: tuple[str, ...]) -> pd.DataFrame:
        kept = self.frame[~self.bad].copy()
        for column in date_columns:
            kept[column] = pd.Series(to_days(kept[column]).astype("datetime64[ns]"), index=kept.index)
        return kept


def _plain(value: Any) -> Any:
    """Numpy scalars as python values and timestamps as dates, so messages and row ids read plainly."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if isinstance(value, np.generic) else value


def validate_decisions(
    decisions: pd.DataFrame, appeals: pd.DataFrame, complaints: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[Problem]]:
    """(clean decisions, clean appeals, clean complaints, problems). Dates come back as datetime64[ns] and
    appeal_info_complete as a nullable boolean; appeals and complaints of skipped decisions are dropped
    without a problem of their own (the decision's problem says it)."""
    _require(decisions, "decisions", DECISION_COLUMNS)
    _require(appeals, "appeals", APPEAL_COLUMNS)
    _require(complaints, "complaints", COMPLAINT_COLUMNS)

    d = _Checker("decisions", decisions)
    d.check(_missing(d.frame["id"]), "id", "id is missing")
    d.check(
        d.frame["id"].duplicated(keep=False).to_numpy() & ~_missing(d.frame["id"]),
        "id",
        "duplicate id {raw!r}",
    )
    d.check(_missing(d.frame["beneficiary_id"]), "beneficiary_id", "beneficiary_id is missing")
    d.check(~d.frame["kind"].isin(KINDS).to_numpy(dtype=bool), "kind", "unknown kind {raw!r}")
    decided = d.dates("decided_on", required=True)
    d.dates("period_start", required=False)
    notified = d.dates("notified_on", required=False)
    withdrawn = d.dates("withdrawn_on", required=False)
    d.check(notified < decided, "notified_on", "notified_on {raw} is before decided_on")
    d.check(withdrawn < decided, "withdrawn_on", "withdrawn_on {raw} is before decided_on")
    flag, flag_absent = to_flag(d.frame["appeal_info_complete"]), _missing(d.frame["appeal_info_complete"])
    d.check(
        ~flag_absent & np.isnan(flag),
        "appeal_info_complete",
        "appeal_info_complete is not a boolean: {raw!r}",
    )
    d.check(
        flag_absent & ~d.bad,
        "appeal_info_complete",
        "appeal_info_complete is missing: counted as complete (no art. 89 delay, the earlier deadline); "
        "the window needs confirmation",
        skip=False,
    )
    clean_decisions = d.clean(("decided_on", "period_start", "notified_on", "withdrawn_on"))
    for column in ("id", "beneficiary_id"):
        if pd.api.types.is_float_dtype(clean_decisions[column]):  # a NULL elsewhere made pandas use floats
            clean_decisions[column] = clean_decisions[column].astype("int64")
    kept_flag = flag[~d.bad]
    complete = pd.array(kept_flag == 1.0, dtype="boolean")
    complete[np.isnan(kept_flag)] = pd.NA
    clean_decisions["appeal_info_complete"] = complete

    all_ids, kept_ids = set(decisions["id"].dropna().tolist()), set(clean_decisions["id"].tolist())
    decided_by_id = dict(zip(clean_decisions["id"], clean_decisions["decided_on"], strict=True))

    a = _Checker("appeals", appeals)
    a.check(~a.frame["decision_id"].isin(all_ids).to_numpy(dtype=bool), "decision_id", "no decision {raw!r}")
    a.check(~a.frame["forum"].isin(FORUMS).to_numpy(dtype=bool), "forum", "unknown forum {raw!r}")
    filed = a.dates("filed_on", required=True)
    decided_of_appeal = to_days(a.frame["decision_id"].map(decided_by_id))
    a.check(filed < decided_of_appeal, "filed_on", "appeal filed on {raw} before the decision was taken")
    a.bad |= ~a.frame["decision_id"].isin(kept_ids).to_numpy(dtype=bool)

    c = _Checker("complaints", complaints)
    c.check(~c.frame["decision_id"].isin(all_ids).to_numpy(dtype=bool), "decision_id", "no decision {raw!r}")
    filed = c.dates("filed_on", required=True)
    closed = c.dates("closed_on", required=False)
    c.check(closed < filed, "closed_on", "complaint closed on {raw} before it was filed")
    c.bad |= ~c.frame["decision_id"].isin(kept_ids).to_numpy(dtype=bool)

    return (
        clean_decisions,
        a.clean(("filed_on",)),
        c.clean(("filed_on", "closed_on")),
        d.problems + a.problems + c.problems,
    )
