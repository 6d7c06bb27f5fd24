"""A plain, row-by-row reading of shared/domain.md, written apart from deadlines/ to check the vectorised
engine against: python dates, dateutil's relativedelta, holidays looked up day by day. Slow and obvious on
purpose; it imports nothing from deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
from dateutil.relativedelta import relativedelta

CUT_OFF = date(2019, 1, 1)
HOLIDAYS = holidays.country_holidays("BE", categories=("public",), years=range(1990, 2101))
NEVER = date(9999, 12, 31)


@dataclass
class Decision:
    id: int
    beneficiary_id: int
    kind: str
    decided_on: date | None
    period_start: date | None
    notified_on: date | None
    appeal_info_complete: bool | None
    withdrawn_on: date | None
    appeals: list[tuple[str, date]] = field(default_factory=list)  # (forum, filed_on)
    complaints: list[tuple[date, date | None]] = field(default_factory=list)  # (filed_on, closed_on)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def readings(trigger: date, months: int, day_one_is_trigger: bool) -> tuple[date, date]:
    """(safe, latest). relativedelta clips to the month's last day."""
    end = trigger + relativedelta(months=months)
    safe = end - timedelta(days=1) if day_one_is_trigger else end
    return safe, next_working_day(end)


def the_rule(d: Decision) -> tuple[str, str, int, bool, bool, bool]:
    """(rule id, forum, months, from the third day?, interrupted by complaints?, needs confirmation?)"""
    if d.kind == "payment":
        # domain.md: arbitration when decided_on >= 2019-01-01 and period_start >= 2019-01-01; otherwise the
        # labour court. An unknown period does not meet the condition.
        new_law = (
            d.decided_on is not None
            and d.decided_on >= CUT_OFF
            and d.period_start is not None
            and d.period_start >= CUT_OFF
        )
        if new_law:
            return "payment_arbitration", "arbitration", 3, True, True, False
        return "payment_labour_court_old_law", "labour_court", 3, False, False, True
    if d.kind == "care_allowance":
        return "care_allowance_labour_court", "labour_court", 3, False, False, False
    if d.kind == "beneficiary_designation":
        return "beneficiary_designation_family_court", "family_court", 6, False, True, False
    if d.kind == "arbitration_ruling":
        return "arbitration_ruling_labour_court", "labour_court", 3, True, False, False
    raise ValueError(d.kind)


def reference_window(d: Decision, on: date) -> dict[str, object]:
    rule, forum, months, third_day, interruptible, needs = the_rule(d)
    needs = needs or (forum == "arbitration" and d.appeal_info_complete is None)
    art89 = forum == "arbitration" and d.appeal_info_complete is False
    n = d.notified_on
    trigger: date | None = None
    reason: str | None = None
    safe = latest = None
    restarted = interrupted_since = None
    if n is not None:
        if art89:
            trigger, reason, day_one = n + relativedelta(months=4), "art89_four_months", True
        elif third_day:
            trigger, reason, day_one = n + timedelta(days=3), "third_day_after_informed", True
        else:
            trigger, reason, day_one = n, "notification", False
        safe, latest = readings(trigger, months, day_one)
        running_from = date.min  # a complaint filed before the last applied one closed does not apply
        for filed, closed in sorted(d.complaints, key=lambda c: (c[0], c[1] or NEVER)):
            if not interruptible or filed > on or filed < n or filed < running_from or filed > latest:
                continue
            if closed is None or closed > on:
                interrupted_since, running_from = filed, NEVER
                continue
            trigger = closed + timedelta(days=3) if third_day else closed
            reason, restarted, running_from = "complaint_closed", closed, closed
            safe, latest = readings(trigger, months, third_day)
    appealed = min((f for fo, f in d.appeals if fo == forum and f <= on), default=None)
    if n is None or n > on:
        status, trigger, reason, safe, latest = "not_notified", None, None, None, None
    elif d.withdrawn_on is not None and d.withdrawn_on <= on:
        status = "withdrawn"
    elif appealed is not None:
        status = "appealed"
    elif interrupted_since is not None:
        status = "interrupted"
    elif safe is not None and on <= safe:
        status = "open"
    elif latest is not None and on <= latest:
        status = "grace"
    else:
        status = "expired"
    if interrupted_since is not None:
        safe = latest = None
    return {
        "decision_id": d.id,
        "beneficiary_id": d.beneficiary_id,
        "kind": d.kind,
        "forum": forum,
        "rule": rule,
        "status": status,
        "trigger_on": trigger,
        "safe_deadline": safe,
        "latest_deadline": latest,
        "days_left": (safe - on).days if safe is not None else None,
        "needs_confirmation": needs,
        "term_months": months,
        "counts_from": "third_day" if third_day else "notification",
        "trigger_reason": reason,
        "informed_on": n,
        "restarted_on": restarted,
        "interrupted_since": interrupted_since,
        "appealed_on": appealed,
        "withdrawn_on": d.withdrawn_on,
    }
