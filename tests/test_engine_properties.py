"""Properties that hold for every notification day, whatever the calendar does."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines.engine import compute_windows

BELGIAN_HOLIDAYS = holidays.country_holidays("BE", categories=("public",), years=range(1995, 2101))
# (kind, appeal_info_complete): every rule, and art. 89 for arbitration.
VARIANTS = [
    ("payment", True),
    ("payment", False),
    ("care_allowance", True),
    ("beneficiary_designation", True),
    ("arbitration_ruling", True),
]
# latest - safe: one day taken off the safe reading, plus the move past at most three non-working days in a
# row (a weekend with a Friday or Monday holiday; Belgium has no longer run).
MAX_GAP_DAYS = 4

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2095, 12, 31))
NO_APPEALS = pd.DataFrame(columns=["decision_id", "forum", "filed_on"])
NO_COMPLAINTS = pd.DataFrame(columns=["decision_id", "filed_on", "closed_on"])


def windows(
    notified: list[date], complaints: pd.DataFrame = NO_COMPLAINTS, on: date | None = None
) -> pd.DataFrame:
    """Every variant notified on each day, as of `on` (default: the last notification, so all are notified)."""
    rows = [(kind, info, day) for day in notified for kind, info in VARIANTS]
    decisions = pd.DataFrame(
        {
            "id": range(1, len(rows) + 1),
            "beneficiary_id": 1,
            "kind": [r[0] for r in rows],
            "decided_on": [r[2] for r in rows],
            "period_start": [r[2] for r in rows],
            "notified_on": [r[2] for r in rows],
            "appeal_info_complete": [r[1] for r in rows],
            "withdrawn_on": None,
        }
    )
    return compute_windows(decisions, NO_APPEALS, complaints, on or max(notified))


@settings(max_examples=60, deadline=None)
@given(st.lists(days, min_size=1, max_size=40))
def test_safe_is_never_after_latest_and_at_most_four_days_before(notified: list[date]) -> None:
    out = windows(notified)
    gap = (out["latest_deadline"] - out["safe_deadline"]).dt.days
    assert gap.between(0, MAX_GAP_DAYS).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(days, min_size=1, max_size=40))
def test_the_latest_deadline_is_a_working_day(notified: list[date]) -> None:
    for latest in windows(notified)["latest_deadline"].dt.date:
        assert latest.weekday() < 5 and latest not in BELGIAN_HOLIDAYS, latest


@settings(max_examples=60, deadline=None)
@given(days, st.integers(min_value=0, max_value=400))
def test_a_later_notification_never_gives_an_earlier_deadline(first: date, later_by: int) -> None:
    out = windows([first, first + timedelta(days=later_by)])
    n = len(VARIANTS)
    for column in ("trigger_on", "safe_deadline", "latest_deadline"):
        earlier, later = out[column].to_numpy()[:n], out[column].to_numpy()[n:]
        assert (earlier <= later).all(), column


@settings(max_examples=60, deadline=None)
@given(days, st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=200))
def test_a_complaint_that_applies_never_brings_the_deadline_forward_when_the_information_was_complete(
    notified: date, filed_after: int, open_for: int
) -> None:
    filed = notified + timedelta(days=filed_after)
    closed = filed + timedelta(days=open_for)
    ids = range(1, len(VARIANTS) + 1)
    complaints = pd.DataFrame({"decision_id": ids, "filed_on": filed, "closed_on": closed})
    with_complaint = windows([notified], complaints, on=closed)
    without = windows([notified], on=closed)
    complete = [info for _, info in VARIANTS]
    applied = with_complaint["trigger_reason"].eq("complaint_closed").to_numpy() & complete
    # The family-court window takes any complaint within its term, which is at least 181 days (6 months from
    # 1 February in a common year) and at most 184 days plus a move past a long weekend.
    assert applied[3] or filed_after > 180
    assert (
        with_complaint["safe_deadline"].to_numpy()[applied] >= without["safe_deadline"].to_numpy()[applied]
    ).all()
