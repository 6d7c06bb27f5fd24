"""How far back the nightly scan (sql/scan_decisions.sql) must look so that it loses no window that can still
be open, in grace or interrupted on day `on`.

Derivation (every step is a rule of deadlines/rules.py or of the counting in deadlines/engine.py):

1. A window is open or in grace on `on` only if on <= latest_deadline. Absent complaints, a decision notified
   on N has latest(N) = roll(add_months(trigger(N), months)), with trigger(N) = N, N + 3 days (third day) or
   add_months(N, 4) (art. 89: rules with art89_start); roll = Ger.W. art. 53's move to the next working day.
2. latest(N) never decreases when N grows: adding days, adding months with clipping to the month's last day
   and rolling forward all keep the order of days (a later day never lands before an earlier one). So the
   days N whose window can still be alive on `on` form one unbroken run [N*, on], N* the first of them.
3. A crude bound first: k months are at most 31k days, and roll moves a day at most R days, R the longest run
   of non-working days in the calendar (3: a weekend with a Friday or Monday holiday). So
   latest(N) <= N + 3 + 31 * K + R, K = the largest term plus the art. 89 delay (3 + 4 = 7 months, more than
   the family court's 6), and any N before on - (3 + 31K + R) is expired on `on`.
4. From that crude day, we walk forward to the first N whose latest, for ANY rule (and with and without
   art. 89), reaches `on`: that is N*, exact, so the bound is both safe (step 2) and tight (a decision
   notified on N* is open or in grace on `on` for at least one rule).
5. Complaints: a window of a rule interrupted_by_complaint whose last applied complaint closed on C runs a
   whole new term from C (C + 3 days for a rule counted from the third day, else C), so the same walk over
   the complaint-restarted terms gives closed_from.
   A complaint still open (closed_on NULL or after `on`) keeps its window interrupted: the SQL takes it
   whatever its dates. A decision none of whose complaints closed on or after closed_from, notified before
   notified_from, is expired on `on`: its term ended before `on`, from N or from the last C.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from deadlines.calendar import longest_non_working_run, roll_forward
from deadlines.engine import FIRST_VALID_DAY, LAST_VALID_DAY, add_months
from deadlines.rules import ART89_DELAY_MONTHS, RULES, THIRD_DAY_OFFSET_DAYS

_FIRST_DAY = np.datetime64(dt.date.min, "D")


@dataclass(frozen=True)
class ScanBounds:
    notified_from: dt.date  # decisions notified before this day are expired on `on` (absent complaints)
    closed_from: dt.date  # complaints closed before this day restarted terms that ended before `on`


def _first_alive(on: dt.date, latest_of: list[tuple[int, int, bool]]) -> dt.date:
    """The first day X such that, for some (offset_days, months, art89) term started from X, the latest
    deadline is on or after `on` (steps 3 and 4 of the module docstring)."""
    longest_months = max(months + (ART89_DELAY_MONTHS if art89 else 0) for _, months, art89 in latest_of)
    reach = THIRD_DAY_OFFSET_DAYS + 31 * longest_months + longest_non_working_run()
    today = np.datetime64(on, "D")
    # No day before 0001-01-01 exists (dt.date's first, and SQL's): `--on 0001-01-01` scans from there.
    days = np.arange(max(today - reach, _FIRST_DAY), today + 1, dtype="datetime64[D]")
    latest = np.full(days.shape, np.datetime64("NaT", "D"))
    for offset, months, art89 in latest_of:
        trigger = add_months(days, ART89_DELAY_MONTHS) if art89 else days + offset
        candidate = roll_forward(add_months(trigger, months))
        latest = np.where(np.isnat(latest) | (candidate > latest), candidate, latest)
    alive = np.flatnonzero(latest >= today)
    return days[alive[0]].astype(dt.date)  # never empty: a term started on `on` ends after `on`


def scan_bounds(on: dt.date) -> ScanBounds:
    """The earliest notified_on and complaint closed_on that can still matter on `on` (see module docstring)."""
    from_notification = []
    from_complaint = []
    for rule in RULES:
        offset = THIRD_DAY_OFFSET_DAYS if rule.counts_from == "third_day" else 0
        from_notification.append((offset, rule.term_months, False))
        if rule.art89_start:
            from_notification.append((offset, rule.term_months, True))
        if rule.interrupted_by_complaint:
            from_complaint.append((offset, rule.term_months, False))
    return ScanBounds(_first_alive(on, from_notification), _first_alive(on, from_complaint))


def scan_parameters(on: dt.date) -> dict[str, dt.date]:
    """The bound parameters of sql/scan_decisions.sql. (SQLite stores ISO text: bind date.isoformat() there if
    the driver does not adapt dates itself.)"""
    bounds = scan_bounds(on)
    return {
        "on": on,
        "notified_from": bounds.notified_from,
        "closed_from": bounds.closed_from,
        # the days validation accepts (deadlines.engine.FIRST_VALID_DAY, LAST_VALID_DAY): a date outside
        # them makes a bad row, which the scan reads (to be reported) even when the decision is withdrawn
        "first_day": FIRST_VALID_DAY.astype(dt.date),
        "last_day": LAST_VALID_DAY.astype(dt.date),
    }
