"""The deadline engine: decisions, appeals and complaints in, one appeal window per decision out.

Pure and vectorised: whole columns of numpy datetime64[D] days, no loop per decision (only over the handful
of rules and over the complaint rank). The policy it implements is shared/domain.md; the numbers live in
deadlines/rules.py; holidays come from deadlines/calendar.py.

Two readings of every term (domain.md, "What is ambiguous"):
- safe_deadline = trigger + months (clipped to the month's last day), minus one day when the trigger day is
  itself day one of the term (third_day counting and the art. 89 start); never moved.
- latest_deadline = trigger + months (clipped), no day off, moved past Saturdays, Sundays and legal holidays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import numpy as np
import pandas as pd

from deadlines.calendar import roll_forward
from deadlines.rules import (
    ART89_DELAY_MONTHS,
    RULES,
    THIRD_DAY_OFFSET_DAYS,
    UNKNOWN_APPEAL_INFO_IS_COMPLETE,
)
from deadlines.vocabulary import Status

OUTPUT_COLUMNS: Final = (
    "decision_id",
    "beneficiary_id",
    "kind",
    "forum",
    "rule",
    "status",
    "trigger_on",
    "safe_deadline",
    "latest_deadline",
    "days_left",
    "needs_confirmation",
    "term_months",
    "counts_from",
    "trigger_reason",
    "informed_on",
    "restarted_on",
    "interrupted_since",
    "appealed_on",
    "withdrawn_on",
    "legal_source",
)
DATE_COLUMNS: Final = (
    "trigger_on",
    "safe_deadline",
    "latest_deadline",
    "informed_on",
    "restarted_on",
    "interrupted_since",
    "appealed_on",
    "withdrawn_on",
)
COMPLAINT_OUTCOMES: Final = (
    "applied_closed",  # applied, closed on or before `on`: the term restarted from its closing day
    "applied_open",  # applied, still open on `on`: the window is interrupted
    "not_interruptible",  # the window's rule is not interrupted by complaints (labour court)
    "after_on",  # filed after `on`: not known yet
    "before_notification",  # filed before notified_on (or the decision is not notified)
    "overlapping",  # filed while an earlier applied complaint was still open: the term was not running
    "after_latest_deadline",  # filed after the window's current latest_deadline: nothing left to interrupt
)

NAT: Final = np.datetime64("NaT", "D")
FIRST_VALID_DAY: Final = np.datetime64("1900-01-01", "D")
LAST_VALID_DAY: Final = np.datetime64("2199-12-31", "D")
_NEVER: Final = np.datetime64("9999-12-31", "D")  # "closed" date of a complaint still open
_TRUE_WORDS: Final = ["1", "1.0", "true", "t", "yes", "y"]
_FALSE_WORDS: Final = ["0", "0.0", "false", "f", "no", "n"]


# --- normalisation at the entrance -------------------------------------------------------------------------


def to_days(values: Any) -> np.ndarray:
    """datetime64[D] array from datetime64, python dates or ISO text; missing, unparseable or out-of-span
    (before 1900, after 2199: data errors that would overflow pandas' nanoseconds) values become NaT."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if series.empty:
        return np.array([], dtype="datetime64[D]")
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        parsed = pd.to_datetime(series, errors="coerce", format="ISO8601")
    else:
        parsed = pd.to_datetime(series, errors="coerce")
    days = np.array(parsed.to_numpy(dtype="datetime64[D]"), copy=True)
    days[~np.isnat(days) & ((days < FIRST_VALID_DAY) | (days > LAST_VALID_DAY))] = NAT
    return days


def to_flag(values: Any) -> np.ndarray:
    """Float array: 1.0 true, 0.0 false, NaN missing or unrecognisable. Accepts bool, 0/1 (int or float, as
    SQLite and pandas give them) and the usual words in text."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    # What the words below make of each value, without a str() of every row (0.1 s per 100k rows): a column
    # of one type reads the same as its values' text would ("True"/"False", "1"/"0", "1.0"/"0.0"; NULL is
    # "None", "nan" or "<NA>", never a word).
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
        number = series.to_numpy(dtype=float, na_value=np.nan)
        # -0.0 reads "-0.0", not a word; an integer column has none
        return np.where(number == 1.0, 1.0, np.where((number == 0.0) & ~np.signbit(number), 0.0, np.nan))
    if pd.api.types.infer_dtype(series, skipna=True) in ("integer", "boolean", "string", "empty"):
        # Values of one type are equal only when their text is: each distinct one read once.
        codes, uniques = pd.factorize(series)
        return np.append(_flag_words(pd.Series(uniques, dtype=object)), np.nan)[codes]
    return _flag_words(series)


def _flag_words(series: pd.Series) -> np.ndarray:
    words = series.astype(object).astype(str).str.strip().str.lower()
    return np.where(words.isin(_TRUE_WORDS), 1.0, np.where(words.isin(_FALSE_WORDS), 0.0, np.nan))


# --- counting ----------------------------------------------------------------------------------------------


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Add calendar months; a day the target month lacks becomes its last day (31 Jan + 1 month = 28/29 Feb).

    Ger.W. art. 54 ("de quantième à veille de quantième") read with the domain's clipping policy. NaT stays NaT.
    """
    days = np.asarray(days, dtype="datetime64[D]")
    missing = np.isnat(days)
    base = np.where(missing, np.datetime64("2000-01-01", "D"), days)
    month = base.astype("datetime64[M]")
    day_index = (base - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    first = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    result = first + np.minimum(day_index, length - 1).astype("timedelta64[D]")
    return np.where(missing, NAT, result)


def term_end(
    trigger: np.ndarray, months: np.ndarray | int, day_off: np.ndarray | bool
) -> tuple[np.ndarray, np.ndarray]:
    """(safe_deadline, latest_deadline) of terms of `months` months from `trigger` (see module docstring)."""
    end = add_months(trigger, months)
    safe = end - np.asarray(day_off, dtype=np.int64).astype("timedelta64[D]")
    return safe, roll_forward(end)


# --- the engine --------------------------------------------------------------------------------------------


def compute_windows(
    decisions: pd.DataFrame, appeals: pd.DataFrame, complaints: pd.DataFrame, on: dt.date
) -> pd.DataFrame:
    """One window per decision as of day `on`, in the input order, with OUTPUT_COLUMNS.

    The decisions must have valid kinds (deadlines.validate filters the others); missing or unparseable
    dates never raise. appeal_info_complete: true/1 means complete, false/0 means art. 89 applies, anything
    else (NULL) counts as complete, the safe reading, and marks an art89_start rule's window
    needs_confirmation.
    """
    return _evaluate(decisions, appeals, complaints, on)[0]


def complaint_outcomes(decisions: pd.DataFrame, complaints: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """Each complaint with what the engine made of it: decision_id, filed_on, closed_on, outcome (one of
    COMPLAINT_OUTCOMES), deadline_at_filing (the window's latest_deadline it was compared with). For the trace."""
    no_appeals = pd.DataFrame({"decision_id": [], "forum": [], "filed_on": []})
    return _evaluate(decisions, no_appeals, complaints, on)[1]


def select_rules(kind: np.ndarray, decided: np.ndarray, period: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index into RULES of each row's rule (first match in RULES order), and whether the condition could not
    be fully checked (a decision without period_start, of a kind with a period_from cut-off: the cut-off is
    not met, so it falls to the kind's next rule, today the general rule, the labour court from notification,
    which is also the earlier deadline; needs confirmation)."""
    chosen = np.full(kind.shape, -1, dtype=np.int64)
    unchecked = np.zeros(kind.shape, dtype=bool)
    for index, rule in reversed(list(enumerate(RULES))):  # reversed: the first rule in RULES wins
        matches = kind == rule.kind
        if rule.period_from is not None:
            unchecked |= matches & np.isnat(period)
        # NaT compares False: no day, no cut-off met (Rule.applies, on whole columns).
        if rule.decided_from is not None:
            matches &= decided >= np.datetime64(rule.decided_from, "D")
        if rule.period_from is not None:
            matches &= period >= np.datetime64(rule.period_from, "D")
        chosen[matches] = index
    unknown = chosen < 0
    if unknown.any():
        raise ValueError(f"unknown decision kinds {sorted(set(kind[unknown].tolist()))}: validate first")
    return chosen, unchecked & (chosen >= 0)


def _evaluate(
    decisions: pd.DataFrame, appeals: pd.DataFrame, complaints: pd.DataFrame, on: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    today = np.datetime64(on, "D")
    n = len(decisions)
    ids = decisions["id"].to_numpy() if n else np.array([], dtype=np.int64)
    kind = decisions["kind"].astype(object).to_numpy() if n else np.array([], dtype=object)
    notified = to_days(decisions["notified_on"])
    withdrawn = to_days(decisions["withdrawn_on"])
    chosen, unchecked = select_rules(
        kind, to_days(decisions["decided_on"]), to_days(decisions["period_start"])
    )

    def attr(name: str) -> np.ndarray:
        return np.array([getattr(rule, name) for rule in RULES], dtype=object)[chosen]

    forum, rule_id = attr("forum"), attr("id")
    months = attr("term_months").astype(np.int64)
    third_day = attr("counts_from") == "third_day"
    interruptible = attr("interrupted_by_complaint").astype(bool)
    art89_rule = attr("art89_start").astype(bool)
    flag = to_flag(decisions["appeal_info_complete"]) if n else np.array([], dtype=float)
    info_unknown = np.isnan(flag)
    info_complete = np.where(info_unknown, UNKNOWN_APPEAL_INFO_IS_COMPLETE, flag == 1.0)
    art89 = art89_rule & ~info_complete

    # The first term: from notification, from the third day after it, or four months after it (art. 89).
    offset = np.where(third_day, THIRD_DAY_OFFSET_DAYS, 0).astype("timedelta64[D]")
    trigger = np.where(art89, add_months(notified, ART89_DELAY_MONTHS), notified + offset)
    day_off = third_day | art89
    reason = np.where(
        art89, "art89_four_months", np.where(third_day, "third_day_after_informed", "notification")
    ).astype(object)
    safe, latest = term_end(trigger, months, day_off)

    # Complaints, in filing order, one rank at a time (every decision's k-th complaint at once).
    restarted = np.full(n, NAT)
    interrupted_since = np.full(n, NAT)
    blocked_until = np.full(n, FIRST_VALID_DAY)  # closing day of the last applied complaint (_NEVER: open)
    log = _complaints_in_order(ids, complaints)
    pos, filed, closed, rank = (log[c].to_numpy() for c in ("pos", "filed", "closed", "rank"))
    outcome = np.full(len(log), "", dtype=object)
    at_filing = np.full(len(log), NAT)
    for k in range(int(rank.max()) + 1 if len(log) else 0):
        sel = np.flatnonzero(rank == k)
        p, f = pos[sel], filed[sel]
        c = np.where(np.isnat(closed[sel]), _NEVER, closed[sel])
        at_filing[sel] = latest[p]
        outcome[sel] = np.select(
            [~interruptible[p], f > today, np.isnat(notified[p]) | (f < notified[p]), f < blocked_until[p]],
            ["not_interruptible", "after_on", "before_notification", "overlapping"],
            default=np.where(
                f <= latest[p],
                np.where(c <= today, "applied_closed", "applied_open"),
                "after_latest_deadline",
            ),
        )
        is_open = outcome[sel] == "applied_open"
        interrupted_since[p[is_open]] = f[is_open]
        blocked_until[p[is_open]] = _NEVER
        shut = outcome[sel] == "applied_closed"
        q, day = p[shut], c[shut]
        trigger[q] = day + offset[q]  # C in place of the day informed; the art. 89 start does not carry over
        day_off[q] = third_day[q]
        reason[q] = "complaint_closed"
        restarted[q] = day
        blocked_until[q] = day
        safe[q], latest[q] = term_end(trigger[q], months[q], day_off[q])

    appealed = _first_appeal(ids, forum, appeals, today)
    interrupted = ~np.isnat(interrupted_since)
    not_notified = np.isnat(notified) | (notified > today)
    status = np.select(
        [
            not_notified,
            ~np.isnat(withdrawn) & (withdrawn <= today),
            ~np.isnat(appealed),
            interrupted,
            safe >= today,
            latest >= today,
        ],
        [
            Status.NOT_NOTIFIED.value,
            Status.WITHDRAWN.value,
            Status.APPEALED.value,
            Status.INTERRUPTED.value,
            Status.OPEN.value,
            Status.GRACE.value,
        ],
        default=Status.EXPIRED.value,
    )
    # No window yet: no trigger. A complaint still open: no deadline (domain.md, "Complaint interrupts").
    trigger[not_notified] = NAT
    reason[not_notified] = None
    safe[not_notified | interrupted] = NAT
    latest[not_notified | interrupted] = NAT
    days_left = pd.array(np.where(np.isnat(safe), 0, (safe - today).astype(np.int64)), dtype="Int64")
    days_left[np.isnat(safe)] = pd.NA

    dates = {
        "trigger_on": trigger,
        "safe_deadline": safe,
        "latest_deadline": latest,
        "informed_on": notified,
        "restarted_on": restarted,
        "interrupted_since": interrupted_since,
        "appealed_on": appealed,
        "withdrawn_on": withdrawn,
    }
    windows = pd.DataFrame(
        {
            "decision_id": ids,
            "beneficiary_id": decisions["beneficiary_id"].to_numpy() if n else np.array([], dtype=np.int64),
            "kind": kind,
            "forum": forum,
            "rule": rule_id,
            "status": status.astype(object),
            **{name: pd.Series(value.astype("datetime64[ns]")) for name, value in dates.items()},
            "days_left": days_left,
            "needs_confirmation": attr("needs_confirmation").astype(bool)
            | unchecked
            | (info_unknown & art89_rule),
            "term_months": months,
            "counts_from": attr("counts_from"),
            "trigger_reason": reason.astype(object),
            "legal_source": attr("legal_source"),
        }
    )[list(OUTPUT_COLUMNS)]
    result_log = pd.DataFrame(
        {
            "decision_id": ids[pos] if len(log) else np.array([], dtype=np.int64),
            "filed_on": filed.astype("datetime64[ns]"),
            "closed_on": closed.astype("datetime64[ns]"),
            "outcome": outcome,
            "deadline_at_filing": at_filing.astype("datetime64[ns]"),
        }
    )
    return windows, result_log


def _complaints_in_order(ids: np.ndarray, complaints: pd.DataFrame) -> pd.DataFrame:
    """The complaints of known decisions, sorted by decision, filing day, closing day (open last) and input
    order, with the decision's row position and the complaint's rank within its decision."""
    if complaints.empty or len(ids) == 0:
        empty = np.array([], dtype="datetime64[D]")
        return pd.DataFrame(
            {
                "pos": np.array([], dtype=np.int64),
                "filed": empty,
                "closed": empty,
                "rank": np.array([], dtype=np.int64),
            }
        )
    pos = pd.Index(ids).get_indexer(complaints["decision_id"].to_numpy())
    filed, closed = to_days(complaints["filed_on"]), to_days(complaints["closed_on"])
    keep = (pos >= 0) & ~np.isnat(filed)
    pos, filed, closed = pos[keep], filed[keep], closed[keep]
    order = np.lexsort((np.arange(len(pos)), np.where(np.isnat(closed), _NEVER, closed), filed, pos))
    pos, filed, closed = pos[order], filed[order], closed[order]
    starts = np.r_[0, np.flatnonzero(np.diff(pos)) + 1] if len(pos) else np.array([], dtype=np.int64)
    rank = np.arange(len(pos)) - np.repeat(starts, np.diff(np.r_[starts, len(pos)]))
    return pd.DataFrame({"pos": pos, "filed": filed, "closed": closed, "rank": rank})


def _first_appeal(
    ids: np.ndarray, forum: np.ndarray, appeals: pd.DataFrame, today: np.datetime64
) -> np.ndarray:
    """Filing day of each window's first appeal to its own forum filed on or before `today` (else NaT)."""
    first = np.full(len(ids), NAT)
    if appeals.empty or len(ids) == 0:
        return first
    pos = pd.Index(ids).get_indexer(appeals["decision_id"].to_numpy())
    filed = to_days(appeals["filed_on"])
    same_forum = np.zeros(len(pos), dtype=bool)
    known = pos >= 0
    same_forum[known] = appeals["forum"].astype(object).to_numpy()[known] == forum[pos[known]]
    keep = same_forum & ~np.isnat(filed) & (filed <= today)
    pos, filed = pos[keep], filed[keep]
    order = np.lexsort((filed, pos))
    unique_pos, first_index = np.unique(pos[order], return_index=True)
    first[unique_pos] = filed[order][first_index]
    return first
