"""Check the fund's rows before the engine sees them: every bad row is reported and skipped on its own, the
run goes on (contract.md section 1). A missing column is not a bad row but a broken view: that raises."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
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


# Every problem a bad row can have: its stable code -> the names of its parameters. The English `message` is
# for problems.csv and the logs (contract.md); a reader's language says the code with its parameters
# (ReportPhrases.words["pr_<code>"]), so rewording a message never changes what the report says.
# tests/test_problem_codes.py checks that every code has its words in every report language.
PROBLEM_CODES: Mapping[str, tuple[str, ...]] = {
    "missing": ("column",),
    "duplicate": ("column", "raw"),
    "not_a_date": ("column", "raw"),
    "blank_not_null": ("column",),
    "not_a_boolean": ("column", "raw"),
    "info_complete_missing": (),
    "unknown_kind": ("raw",),
    "unknown_forum": ("raw",),
    "no_decision": ("raw",),
    "notified_before_decided": ("date",),
    "withdrawn_before_decided": ("date",),
    "appeal_before_decided": ("date",),
    "complaint_closed_before_filed": ("date",),
    "malformed_email": ("address",),
    "unknown_language": ("raw", "lang"),
    "no_language": ("lang",),
}


@dataclass(frozen=True)
class Issue:
    """One thing wrong in one column of a row, by its stable code (PROBLEM_CODES) and the values it quotes."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unknown problem code {self.code!r}: add it to PROBLEM_CODES, with its words")
        if set(self.params) != set(PROBLEM_CODES[self.code]):
            raise ValueError(
                f"problem {self.code!r} takes {PROBLEM_CODES[self.code]}, not {sorted(self.params)}"
            )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row. skipped=False: reported, but the row is used (with a stated policy).
    `message` is English (problems.csv, logs); `issues` say the same by code, one per thing wrong."""

    table: str
    row_id: Any
    column: str
    message: str
    skipped: bool = True
    issues: tuple[Issue, ...] = ()

    @property
    def code(self) -> str | None:
        """The code of the row's first issue (None for a problem made without one)."""
        return self.issues[0].code if self.issues else None

    @property
    def params(self) -> Mapping[str, Any]:
        return self.issues[0].params if self.issues else {}

    def __str__(self) -> str:
        outcome = "row skipped" if self.skipped else "row used"
        row = "row without id" if self.row_id is None else f"row {self.row_id}"
        return f"{self.table} {row}, {self.column}: {self.message} ({outcome})"


Found = tuple[str, str, bool, Issue]
"""(column, English message, skip, issue): one thing wrong in one column of a row."""


def merged(table: str, row_id: Any, found: list[Found]) -> Problem:
    """One problem for one bad row, however many of its columns are wrong: (column, message, skip, issue)
    each. A row that is skipped says only why it is skipped (how it would have been used no longer matters)."""
    if any(f[2] for f in found):
        found = [f for f in found if f[2]]
    columns = list(dict.fromkeys(f[0] for f in found))
    return Problem(
        table,
        row_id,
        ", ".join(columns),
        "; ".join(f[1] for f in found),
        any(f[2] for f in found),
        tuple(f[3] for f in found),
    )


# What pandas infers of an object column whose values are never text (NULLs aside): no value of it is blank.
_NEVER_TEXT = frozenset(
    {"empty", "integer", "floating", "mixed-integer-float", "decimal", "boolean", "date", "datetime",
     "datetime64", "time", "timedelta", "timedelta64", "period"}
)  # fmt: skip


def _missing(series: pd.Series) -> np.ndarray:
    """NULL, NaN, or a value that reads as blank text (str(value).strip() == "")."""
    missing = series.isna().to_numpy(dtype=bool)
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return missing  # a number, a boolean or a timestamp never reads as blank
    if pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(series, skipna=True) in _NEVER_TEXT:
        return missing
    # Each distinct value read once (a column repeats a few kinds and dates), not each row's str() of it.
    codes, uniques = pd.factorize(series)
    blank = np.array([str(value).strip() == "" for value in uniques] + [False], dtype=bool)
    return missing | blank[codes]


def _require(frame: pd.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise KeyError(f"{table} lacks the column(s) {absent} of contract.md section 1")


class _Checker:
    """Collects (mask, column, message) checks on one table, then splits it into clean rows and problems."""

    def __init__(self, table: str, frame: pd.DataFrame) -> None:
        self.table, self.frame = table, frame.reset_index(drop=True)
        self.bad = np.zeros(len(self.frame), dtype=bool)
        self.found: dict[int, list[Found]] = {}
        self.days: dict[str, np.ndarray] = {}  # each date column as dates() read it, for clean()
        ids = self.frame["id"] if "id" in self.frame.columns else pd.Series(frame.index)
        self.ids = ids.reset_index(drop=True)

    def check(
        self, mask: np.ndarray, column: str, code: str, message: str, skip: bool = True, **params: Any
    ) -> None:
        """Rows in `mask` have problem `code` in `column`; its parameters are `params`, and those of
        PROBLEM_CODES[code] named "column", "raw" (the value as read) or "date" (the same) filled in here."""
        wanted = PROBLEM_CODES[code]
        for position in np.flatnonzero(mask):
            raw = _plain(self.frame[column].iloc[position]) if column in self.frame.columns else None
            if isinstance(raw, dt.date):  # a DATE column (PostgreSQL) reads as ISO text does (SQLite)
                raw = raw.isoformat()
            text = message.format(raw=raw)
            known = {"column": column, "raw": raw, "date": raw, **params}
            issue = Issue(code, {name: known[name] for name in wanted})
            self.found.setdefault(int(position), []).append((column, text, skip, issue))
        if skip:
            self.bad |= mask

    @property
    def problems(self) -> list[Problem]:
        """One problem per bad row (all that is wrong with it in one message), in the table's order."""
        return [
            merged(self.table, _plain(self.ids.iloc[position]), self.found[position])
            for position in sorted(self.found)
        ]

    def key(self, column: str = "id", skip: bool = True) -> None:
        """The row's key: present, and not shared with another row (a view has no primary key)."""
        absent = _missing(self.frame[column])
        self.check(absent, column, "missing", f"{column} is missing", skip)
        self.check(
            self.frame[column].duplicated(keep=False).to_numpy() & ~absent,
            column,
            "duplicate",
            f"duplicate {column} {{raw!r}}" + (": every row with it is skipped" if skip else ""),
            skip,
        )

    def known(self, column: str, allowed: Collection[Any], code: str, what: str) -> None:
        """A value from a known set: a missing one and an unknown one (`code`) are told apart."""
        absent = _missing(self.frame[column])
        self.check(absent, column, "missing", f"{column} is missing")
        self.check(~absent & ~self.frame[column].isin(allowed).to_numpy(dtype=bool), column, code, what)

    def dates(self, column: str, required: bool) -> np.ndarray:
        """The column as days; reports a missing value (when required) and an unparseable one."""
        days, absent = to_days(self.frame[column]), _missing(self.frame[column])
        self.days[column] = days
        if required:
            self.check(absent, column, "missing", f"{column} is missing")
        else:
            # Blank text where NULL belongs (SQLite stores text): read as empty, but said, not silently.
            blank = absent & self.frame[column].notna().to_numpy(dtype=bool)
            self.check(
                blank,
                column,
                "blank_not_null",
                f"{column} is blank text instead of NULL: read as empty",
                skip=False,
            )
        self.check(
            ~absent & np.isnat(days),
            column,
            "not_a_date",
            f"{column} is not a date between 1900 and 2199: {{raw!r}}",
        )
        return days

    def clean(self, date_columns: tuple[str, ...]) -> pd.DataFrame:
        kept = self.frame[~self.bad].copy()
        for column in date_columns:
            # The kept rows' days as dates() read them (to_days reads each value on its own), not read again.
            days = self.days[column][~self.bad] if column in self.days else to_days(kept[column])
            kept[column] = pd.Series(days.astype("datetime64[ns]"), index=kept.index)
        return kept


def _plain(value: Any) -> Any:
    """Numpy scalars as python values and timestamps as dates, so messages and row ids read plainly; a
    missing value (NULL, NaN, NaT) as None, never "nan"."""
    if value is None or (
        not isinstance(value, str | bytes) and pd.api.types.is_scalar(value) and pd.isna(value)
    ):
        return None
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
    d.key("id")
    d.check(_missing(d.frame["beneficiary_id"]), "beneficiary_id", "missing", "beneficiary_id is missing")
    d.known("kind", KINDS, "unknown_kind", "unknown kind {raw!r}")
    decided = d.dates("decided_on", required=True)
    d.dates("period_start", required=False)
    notified = d.dates("notified_on", required=False)
    withdrawn = d.dates("withdrawn_on", required=False)
    d.check(
        notified < decided, "notified_on", "notified_before_decided", "notified_on {raw} is before decided_on"
    )
    d.check(
        withdrawn < decided,
        "withdrawn_on",
        "withdrawn_before_decided",
        "withdrawn_on {raw} is before decided_on",
    )
    flag, flag_absent = to_flag(d.frame["appeal_info_complete"]), _missing(d.frame["appeal_info_complete"])
    d.check(
        ~flag_absent & np.isnan(flag),
        "appeal_info_complete",
        "not_a_boolean",
        "appeal_info_complete is not a boolean: {raw!r}",
    )
    d.check(
        flag_absent & ~d.bad,
        "appeal_info_complete",
        "info_complete_missing",
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
    # The kept decisions' ids are unique (a shared id is skipped): looked up in an index, not a dict of 100k
    # dates; an appeal of no kept decision (position -1) gets the NaT appended last.
    kept_index = pd.Index(clean_decisions["id"].to_numpy(dtype=object))
    decided_or_nat = np.append(
        clean_decisions["decided_on"].to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT")
    )

    a = _Checker("appeals", appeals)
    # An appeal's or a complaint's own id plays no part in a window: one missing or shared is reported, and the
    # row used (skipping a real appeal or complaint would misstate the window).
    if "id" in a.frame.columns:
        a.key("id", skip=False)
    a.known("decision_id", all_ids, "no_decision", "no decision {raw!r}")
    a.known("forum", FORUMS, "unknown_forum", "unknown forum {raw!r}")
    filed = a.dates("filed_on", required=True)
    decided_of_appeal = to_days(
        pd.Series(decided_or_nat[kept_index.get_indexer(a.frame["decision_id"].to_numpy(dtype=object))])
    )
    a.check(
        filed < decided_of_appeal,
        "filed_on",
        "appeal_before_decided",
        "appeal filed on {raw} before the decision was taken",
    )
    a.bad |= ~a.frame["decision_id"].isin(kept_ids).to_numpy(dtype=bool)

    c = _Checker("complaints", complaints)
    if "id" in c.frame.columns:
        c.key("id", skip=False)
    c.known("decision_id", all_ids, "no_decision", "no decision {raw!r}")
    filed = c.dates("filed_on", required=True)
    closed = c.dates("closed_on", required=False)
    c.check(
        closed < filed,
        "closed_on",
        "complaint_closed_before_filed",
        "complaint closed on {raw} before it was filed",
    )
    c.bad |= ~c.frame["decision_id"].isin(kept_ids).to_numpy(dtype=bool)

    return (
        clean_decisions,
        a.clean(("filed_on",)),
        c.clean(("filed_on", "closed_on")),
        d.problems + a.problems + c.problems,
    )
