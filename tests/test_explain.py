"""The trace says, step by step and in words, why a window has its dates and status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import pytest

from deadlines.engine import compute_windows
from deadlines.explain import (
    ComplaintStep,
    DayOffStep,
    MismatchStep,
    MonthsStep,
    SkipStep,
    StatusStep,
    Trace,
    explain_decision,
    reason_facts,
    render_trace,
)

D = date.fromisoformat


def trace(
    kind: str,
    notified: str,
    on: str,
    *,
    info: object = True,
    period: str | None = "2024-06-01",
    complaints: Sequence[tuple[str, str | None]] = (),
) -> Trace:
    decisions = pd.DataFrame(
        [(7, 70, kind, "2024-06-01", period, notified, info, None)],
        columns=["id", "beneficiary_id", "kind", "decided_on", "period_start", "notified_on",
                 "appeal_info_complete", "withdrawn_on"],
    )  # fmt: skip
    appeals = pd.DataFrame(columns=["decision_id", "forum", "filed_on"])
    frame = pd.DataFrame([(7, f, c) for f, c in complaints], columns=["decision_id", "filed_on", "closed_on"])
    return explain_decision(7, decisions, appeals, frame, D(on))


def of(steps: Trace, kind: type) -> list:
    return [s for s in steps.steps if isinstance(s, kind)]


def test_it_names_each_skipped_day_and_holiday_on_the_way_to_the_latest_deadline() -> None:
    # Assumption 2025: Fri 15 August (holiday), Sat 16, Sun 17, so Monday 18 August.
    skipped = of(trace("care_allowance", "2025-05-15", "2025-05-15"), SkipStep)
    assert [(s.day, s.why) for s in skipped] == [
        (D("2025-08-15"), "holiday"),
        (D("2025-08-16"), "Saturday"),
        (D("2025-08-17"), "Sunday"),
    ]
    assert skipped[0].holiday_names == {
        "nl": "O. L. V. Hemelvaart",
        "fr": "Assomption",
        "de": "Mariä Himmelfahrt",
        "en": "Assumption Day",
    }


def test_it_says_when_a_month_lacks_the_day_and_when_a_day_comes_off() -> None:
    steps = trace("payment", "2024-11-27", "2024-11-27")  # third day 30 Nov; February has no 30th
    months = of(steps, MonthsStep)
    assert months[0].clipped and months[0].wanted_day == 30 and months[0].result == D("2025-02-28")
    assert of(steps, DayOffStep)[0].result == D("2025-02-27")
    text = render_trace(steps)
    assert "that month has no day 30: its last day is taken" in text
    assert "one day comes off: Thursday 2025-02-27" in text


def test_it_explains_each_complaint_and_why_it_was_applied_or_ignored() -> None:
    steps = trace(
        "payment",
        "2025-03-10",
        "2025-05-01",
        complaints=[("2025-03-01", None), ("2025-04-01", "2025-04-15"), ("2025-04-10", "2025-04-20")],
    )
    assert [s.outcome for s in of(steps, ComplaintStep)] == [
        "before_notification",
        "applied_closed",
        "overlapping",
    ]
    text = render_trace(steps)
    assert "filed before the decision was notified" in text
    assert "restarted a whole new term" in text
    assert "earlier complaint was still open" in text
    assert "OPEN" in text


def test_it_says_a_labour_court_term_is_not_interrupted() -> None:
    steps = trace("care_allowance", "2025-01-21", "2025-03-01", complaints=[("2025-02-01", None)])
    assert of(steps, ComplaintStep)[0].outcome == "not_interruptible"
    assert "do not interrupt a labour-court term" in render_trace(steps)


@pytest.mark.parametrize(
    ("on", "status", "words"),
    [
        ("2025-06-12", "open", "0 day(s) left"),
        ("2025-06-13", "grace", "an appeal may still be admissible"),
        ("2025-06-14", "expired", "past the latest deadline Friday 2025-06-13"),
    ],
)
def test_it_says_the_status_and_why(on: str, status: str, words: str) -> None:
    steps = trace("payment", "2025-03-10", on)
    assert of(steps, StatusStep)[0].status == status
    assert words in render_trace(steps)


def test_an_interrupted_window_is_explained_without_deadlines() -> None:
    steps = trace("beneficiary_designation", "2025-01-31", "2025-04-01", complaints=[("2025-03-01", None)])
    assert not of(steps, MonthsStep)
    assert "a complaint filed on Saturday 2025-03-01 is still open" in render_trace(steps)


def test_it_cites_art89_for_a_decision_without_the_appeal_information() -> None:
    text = render_trace(trace("payment", "2025-09-15", "2025-09-15", info=False))
    assert "Groeipakketdecreet art. 89" in text
    assert "starts four months later, on Thursday 2026-01-15" in text


def test_it_says_why_a_payment_without_period_start_goes_to_the_labour_court() -> None:
    text = render_trace(trace("payment", "2025-09-15", "2025-09-15", info=False, period=None))
    assert "labour court" in text
    assert "the payment has no period_start, so the new-law condition (period from 2019) is not met" in text
    assert "art. 89" not in text  # the four-month start is the arbitration appeal's, not the court's


def test_a_missing_appeal_info_needs_confirmation_only_where_art89_could_apply() -> None:
    arbitration = render_trace(trace("payment", "2025-03-10", "2025-04-01", info=None))
    assert "Needs confirmation: appeal_info_complete is missing: counted as complete" in arbitration
    assert "Thursday 2025-03-13, which counts as day one" in arbitration  # no four-month start
    court = render_trace(trace("care_allowance", "2025-03-10", "2025-04-01", info=None))
    assert "labour court" in court and "Needs confirmation" not in court


@pytest.mark.parametrize(
    ("kind", "notified", "on"),
    [("payment", "2025-03-10", "2025-04-01"), ("arbitration_ruling", "2025-01-25", "2025-02-01"),
     ("care_allowance", "2024-11-30", "2024-12-01"), ("payment", "2025-09-15", "2025-10-01")],
)  # fmt: skip
def test_the_recount_agrees_with_the_engine(kind: str, notified: str, on: str) -> None:
    assert not of(trace(kind, notified, on, info=kind != "payment" or notified != "2025-09-15"), MismatchStep)


def test_reason_facts_give_what_a_one_sentence_reason_needs() -> None:
    decisions = pd.DataFrame(
        [(1, 1, "payment", "2025-01-01", "2025-01-01", "2025-03-10", True, None)],
        columns=["id", "beneficiary_id", "kind", "decided_on", "period_start", "notified_on",
                 "appeal_info_complete", "withdrawn_on"],
    )  # fmt: skip
    row = compute_windows(
        decisions,
        pd.DataFrame(columns=["decision_id", "forum", "filed_on"]),
        pd.DataFrame(columns=["decision_id", "filed_on", "closed_on"]),
        D("2025-04-01"),
    ).iloc[0]
    assert reason_facts(row.to_dict()) == {
        "trigger_reason": "third_day_after_informed",
        "informed_on": D("2025-03-10"),
        "trigger_on": D("2025-03-13"),
        "restarted_on": None,
        "term_months": 3,
        "counts_from": "third_day",
        "safe_deadline": D("2025-06-12"),
    }


def test_render_trace_refuses_a_language_it_does_not_speak() -> None:
    with pytest.raises(ValueError):
        render_trace(trace("payment", "2025-03-10", "2025-04-01"), lang="nl")
