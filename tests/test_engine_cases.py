"""Tables of cases written from shared/domain.md and the Judicial Code, with dates worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import holidays
import numpy as np
import pandas as pd
import pytest

from deadlines.calendar import holiday_name, legal_holidays, longest_non_working_run
from deadlines.engine import OUTPUT_COLUMNS, compute_windows

D = date.fromisoformat
Complaint = tuple[str, str | None]


def window(
    kind: str,
    notified: str | None,
    on: str,
    *,
    decided: str = "2024-06-01",
    period: str | None = "2024-06-01",
    info: object = True,
    withdrawn: str | None = None,
    appeals: Sequence[tuple[str, str]] = (),
    complaints: Sequence[Complaint] = (),
) -> dict[str, Any]:
    """The engine's window for one decision, with dates as python dates (None for NaT)."""
    decisions = pd.DataFrame(
        [
            {
                "id": 1,
                "beneficiary_id": 10,
                "kind": kind,
                "decided_on": decided,
                "period_start": period,
                "notified_on": notified,
                "appeal_info_complete": info,
                "withdrawn_on": withdrawn,
            }
        ]
    )
    appeal_frame = pd.DataFrame([(1, f, d) for f, d in appeals], columns=["decision_id", "forum", "filed_on"])
    complaint_frame = pd.DataFrame(
        [(1, f, c) for f, c in complaints], columns=["decision_id", "filed_on", "closed_on"]
    )
    row = compute_windows(decisions, appeal_frame, complaint_frame, D(on)).iloc[0].to_dict()
    return {
        k: (None if v is pd.NaT or v is pd.NA else v.date() if isinstance(v, pd.Timestamp) else v)
        for k, v in row.items()
    }


def dates(row: dict[str, Any]) -> tuple[date | None, date | None]:
    return row["safe_deadline"], row["latest_deadline"]


# --- the six worked examples of domain.md ------------------------------------------------------------------

WORKED = [
    # kind, notified, art. 89?, trigger, safe, latest
    ("payment", "2025-03-10", False, "2025-03-13", "2025-06-12", "2025-06-13"),
    ("beneficiary_designation", "2025-01-31", False, "2025-01-31", "2025-07-31", "2025-07-31"),
    ("care_allowance", "2024-11-30", False, "2024-11-30", "2025-02-28", "2025-02-28"),
    ("arbitration_ruling", "2025-01-25", False, "2025-01-28", "2025-04-27", "2025-04-28"),
    ("payment", "2025-09-15", True, "2026-01-15", "2026-04-14", "2026-04-15"),
    ("care_allowance", "2025-01-21", False, "2025-01-21", "2025-04-21", "2025-04-22"),
]


@pytest.mark.parametrize(("kind", "notified", "art89", "trigger", "safe", "latest"), WORKED)
def test_the_worked_examples_of_the_domain_page(
    kind: str, notified: str, art89: bool, trigger: str, safe: str, latest: str
) -> None:
    row = window(kind, notified, notified, info=not art89, decided="2024-06-01", period="2024-06-01")
    assert row["trigger_on"] == D(trigger)
    assert dates(row) == (D(safe), D(latest))
    assert row["status"] == "open"


# --- art. 53: the latest reading moves past Saturdays, Sundays and the ten legal holidays --------------------

MOVES = [
    # kind, notified, safe (the raw expiry day or the day before it), latest: the next working day
    pytest.param("care_allowance", "2024-10-01", "2025-01-01", "2025-01-02", id="new-year-wed-to-thu"),
    pytest.param("care_allowance", "2025-01-21", "2025-04-21", "2025-04-22", id="easter-monday-to-tuesday"),
    pytest.param("payment", "2025-01-29", "2025-04-30", "2025-05-02", id="labour-day-thu-to-fri"),
    pytest.param(
        "beneficiary_designation", "2024-11-29", "2025-05-29", "2025-05-30", id="ascension-thu-to-fri"
    ),
    pytest.param("arbitration_ruling", "2025-03-06", "2025-06-08", "2025-06-10", id="whit-monday-to-tuesday"),
    pytest.param("care_allowance", "2025-04-21", "2025-07-21", "2025-07-22", id="national-day-mon-to-tue"),
    pytest.param("care_allowance", "2025-05-15", "2025-08-15", "2025-08-18", id="assumption-fri-to-mon"),
    pytest.param("care_allowance", "2024-08-01", "2024-11-01", "2024-11-04", id="all-saints-fri-to-mon"),
    pytest.param(
        "beneficiary_designation", "2025-05-11", "2025-11-11", "2025-11-12", id="armistice-tue-to-wed"
    ),
    pytest.param("care_allowance", "2025-09-25", "2025-12-25", "2025-12-26", id="christmas-thu-to-fri"),
    pytest.param("care_allowance", "2025-03-14", "2025-06-14", "2025-06-16", id="saturday-to-monday"),
    pytest.param("care_allowance", "2025-03-15", "2025-06-15", "2025-06-16", id="sunday-to-monday"),
    pytest.param("care_allowance", "2025-04-11", "2025-07-11", "2025-07-11", id="11-july-not-moved"),
    pytest.param("care_allowance", "2026-08-02", "2026-11-02", "2026-11-02", id="2-november-not-moved"),
    pytest.param("care_allowance", "2025-09-26", "2025-12-26", "2025-12-26", id="26-december-not-moved"),
]


@pytest.mark.parametrize(("kind", "notified", "safe", "latest"), MOVES)
def test_a_latest_deadline_on_a_weekend_or_legal_holiday_moves_to_the_next_working_day(
    kind: str, notified: str, safe: str, latest: str
) -> None:
    assert dates(window(kind, notified, notified)) == (D(safe), D(latest))


def test_a_latest_deadline_on_easter_monday_moves_to_tuesday() -> None:
    assert window("care_allowance", "2025-01-21", "2025-04-22")["status"] == "grace"


# --- art. 54 and the clipping policy -----------------------------------------------------------------------

CLIPPING = [
    pytest.param("care_allowance", "2025-01-31", False, "2025-04-30", "2025-04-30", id="31-jan-to-30-apr"),
    pytest.param("care_allowance", "2023-11-29", False, "2024-02-29", "2024-02-29", id="29-nov-to-leap-day"),
    pytest.param(
        "care_allowance", "2023-11-30", False, "2024-02-29", "2024-02-29", id="30-nov-clipped-to-leap-day"
    ),
    pytest.param(
        "care_allowance", "2024-11-30", False, "2025-02-28", "2025-02-28", id="30-nov-clipped-to-28-feb"
    ),
    pytest.param(
        "beneficiary_designation", "2024-08-31", False, "2025-02-28", "2025-02-28", id="six-months-28-feb"
    ),
    pytest.param(
        "beneficiary_designation", "2023-08-31", False, "2024-02-29", "2024-02-29", id="six-months-leap"
    ),
    pytest.param("payment", "2024-11-27", False, "2025-02-27", "2025-02-28", id="third-day-30-nov-clipped"),
    pytest.param(
        "payment", "2024-11-28", False, "2025-02-28", "2025-03-03", id="third-day-1-dec-to-1-mar-sat"
    ),
    pytest.param(
        "arbitration_ruling", "2024-02-26", False, "2024-05-28", "2024-05-29", id="third-day-is-leap-day"
    ),
    pytest.param("payment", "2025-10-31", True, "2026-05-27", "2026-05-28", id="art89-start-clipped-28-feb"),
]


@pytest.mark.parametrize(("kind", "notified", "art89", "safe", "latest"), CLIPPING)
def test_a_day_the_target_month_lacks_becomes_its_last_day(
    kind: str, notified: str, art89: bool, safe: str, latest: str
) -> None:
    assert dates(window(kind, notified, notified, info=not art89)) == (D(safe), D(latest))


# --- the 2019 cut-off for payments -------------------------------------------------------------------------

CUT_OFF = [
    ("2019-01-01", "2019-01-01", "payment_arbitration", "arbitration", False),
    ("2018-12-31", "2019-01-01", "payment_labour_court_old_law", "labour_court", True),
    ("2019-01-01", "2018-12-31", "payment_labour_court_old_law", "labour_court", True),
    ("2018-12-31", "2018-12-31", "payment_labour_court_old_law", "labour_court", True),
    # no period: the new-law condition is not met, so the general rule (and the earlier deadline); confirm
    ("2019-01-01", None, "payment_labour_court_old_law", "labour_court", True),
    ("2018-12-31", None, "payment_labour_court_old_law", "labour_court", True),
]


@pytest.mark.parametrize(("decided", "period", "rule", "forum", "confirm"), CUT_OFF)
def test_a_payment_goes_to_arbitration_only_when_decided_and_covering_from_2019(
    decided: str, period: str | None, rule: str, forum: str, confirm: bool
) -> None:
    row = window("payment", "2019-02-01", "2019-02-01", decided=decided, period=period)
    assert (row["rule"], row["forum"], row["needs_confirmation"]) == (rule, forum, confirm)


def test_an_old_law_payment_counts_three_months_from_notification() -> None:
    row = window("payment", "2019-02-01", "2019-02-01", decided="2018-12-31")
    assert (row["counts_from"], row["trigger_on"], *dates(row)) == (
        "notification",
        D("2019-02-01"),
        D("2019-05-01"),
        D("2019-05-02"),
    )


# --- modifiers ---------------------------------------------------------------------------------------------

MODIFIERS = [
    # kind, notified, info, complaints, on, status, trigger, safe, latest, reason, restarted
    pytest.param(
        "payment", "2025-03-10", True, [("2025-04-01", None)], "2025-05-01",
        "interrupted", "2025-03-13", None, None, "third_day_after_informed", None, id="open-complaint-interrupts-arbitration",
    ),
    pytest.param(
        "payment", "2025-03-10", True, [("2025-04-01", "2025-05-02")], "2025-05-01",
        "interrupted", "2025-03-13", None, None, "third_day_after_informed", None, id="closed-after-on-still-interrupts",
    ),
    pytest.param(
        "payment", "2025-03-10", True, [("2025-04-01", "2025-04-15")], "2025-05-01",
        "open", "2025-04-18", "2025-07-17", "2025-07-18", "complaint_closed", "2025-04-15", id="arbitration-restarts-third-day-after-closing",
    ),
    pytest.param(
        "beneficiary_designation", "2025-01-31", True, [("2025-03-01", None)], "2025-03-02",
        "interrupted", "2025-01-31", None, None, "notification", None, id="open-complaint-interrupts-family-court",
    ),
    pytest.param(
        "beneficiary_designation", "2025-01-31", True, [("2025-03-01", "2025-03-20")], "2025-03-20",
        "open", "2025-03-20", "2025-09-20", "2025-09-22", "complaint_closed", "2025-03-20", id="family-court-restarts-from-closing-day",
    ),
    pytest.param(
        "care_allowance", "2025-01-21", True, [("2025-02-01", None)], "2025-03-01",
        "open", "2025-01-21", "2025-04-21", "2025-04-22", "notification", None, id="labour-court-not-interrupted",
    ),
    pytest.param(
        "arbitration_ruling", "2025-01-25", True, [("2025-02-01", "2025-02-10")], "2025-03-01",
        "open", "2025-01-28", "2025-04-27", "2025-04-28", "third_day_after_informed", None, id="ruling-not-restarted",
    ),
    pytest.param(
        "payment", "2025-03-10", True, [("2025-03-09", None)], "2025-04-01",
        "open", "2025-03-13", "2025-06-12", "2025-06-13", "third_day_after_informed", None, id="complaint-before-notification-ignored",
    ),
    pytest.param(
        "payment", "2025-03-10", True, [("2025-03-10", None)], "2025-04-01",
        "interrupted", "2025-03-13", None, None, "third_day_after_informed", None, id="complaint-on-notification-day-applies",
    ),
    pytest.param(
        "payment", "2025-03-10", True, [("2025-06-13", "2025-06-16")], "2025-06-20",
        "open", "2025-06-19", "2025-09-18", "2025-09-19", "complaint_closed", "2025-06-16", id="complaint-on-latest-deadline-applies",
    ),
    pytest.param(
        "payment", "2025-03-10", True, [("2025-06-14", "2025-06-16")], "2025-06-20",
        "expired", "2025-03-13", "2025-06-12", "2025-06-13", "third_day_after_informed", None, id="complaint-after-latest-deadline-ignored",
    ),
    pytest.param(
        "payment", "2025-03-10", True, [("2025-04-02", None)], "2025-04-01",
        "open", "2025-03-13", "2025-06-12", "2025-06-13", "third_day_after_informed", None, id="complaint-filed-after-on-not-known-yet",
    ),
    pytest.param(
        "beneficiary_designation", "2025-01-31", True, [("2025-03-01", "2025-03-10"), ("2025-02-10", "2025-02-20")], "2025-04-01",
        "open", "2025-03-10", "2025-09-10", "2025-09-10", "complaint_closed", "2025-03-10", id="several-complaints-apply-in-filing-order",
    ),
    pytest.param(
        "beneficiary_designation", "2025-01-31", True, [("2025-02-10", "2025-03-10"), ("2025-03-01", "2025-04-30")], "2025-05-01",
        "open", "2025-03-10", "2025-09-10", "2025-09-10", "complaint_closed", "2025-03-10", id="overlapping-complaint-ignored",
    ),
    pytest.param(
        "beneficiary_designation", "2025-01-31", True, [("2025-02-10", "2025-03-10"), ("2025-03-01", None)], "2025-05-01",
        "open", "2025-03-10", "2025-09-10", "2025-09-10", "complaint_closed", "2025-03-10", id="overlapping-open-complaint-does-not-interrupt",
    ),
    pytest.param(
        "payment", "2025-03-10", True, [("2025-04-01", "2025-04-15"), ("2025-07-10", "2025-07-20")], "2025-08-01",
        "open", "2025-07-23", "2025-10-22", "2025-10-23", "complaint_closed", "2025-07-20", id="second-complaint-judged-against-restarted-term",
    ),
    pytest.param(
        "payment", "2025-09-15", False, [], "2025-09-15",
        "open", "2026-01-15", "2026-04-14", "2026-04-15", "art89_four_months", None, id="art89-four-month-start",
    ),
    pytest.param(
        "payment", "2025-09-15", False, [("2025-10-01", "2025-10-10")], "2025-10-10",
        "open", "2025-10-13", "2026-01-12", "2026-01-13", "complaint_closed", "2025-10-10", id="art89-start-does-not-carry-over",
    ),
    pytest.param(
        "care_allowance", "2025-01-21", False, [], "2025-01-21",
        "open", "2025-01-21", "2025-04-21", "2025-04-22", "notification", None, id="art89-only-for-arbitration",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    (
        "kind",
        "notified",
        "info",
        "complaints",
        "on",
        "status",
        "trigger",
        "safe",
        "latest",
        "reason",
        "restarted",
    ),
    MODIFIERS,
)
def test_modifiers_change_the_window_as_the_law_says(
    kind: str,
    notified: str,
    info: bool,
    complaints: list[Complaint],
    on: str,
    status: str,
    trigger: str,
    safe: str | None,
    latest: str | None,
    reason: str,
    restarted: str | None,
) -> None:
    row = window(kind, notified, on, info=info, complaints=complaints)
    as_day = lambda s: D(s) if s else None  # noqa: E731
    assert (row["status"], row["trigger_on"], row["safe_deadline"], row["latest_deadline"]) == (
        status,
        D(trigger),
        as_day(safe),
        as_day(latest),
    )
    assert (row["trigger_reason"], row["restarted_on"]) == (reason, as_day(restarted))


def test_an_interrupted_window_says_since_when() -> None:
    row = window("payment", "2025-03-10", "2025-05-01", complaints=[("2025-04-01", None)])
    assert row["interrupted_since"] == D("2025-04-01")
    assert row["days_left"] is None


@pytest.mark.parametrize(("info", "art89", "confirm"), [(True, False, False), (1, False, False), (False, True, False),
                                                        (0, True, False), (None, False, True)])  # fmt: skip
def test_appeal_info_flag_accepts_bools_and_integers_and_a_null_counts_as_complete(
    info: object, art89: bool, confirm: bool
) -> None:
    row = window("payment", "2025-09-15", "2025-09-15", info=info)
    assert (row["trigger_reason"] == "art89_four_months", row["needs_confirmation"]) == (art89, confirm)


# --- statuses and their boundaries (arbitration notified 2025-03-10: safe 2025-06-12, latest 2025-06-13) ----

STATUSES = [
    ("2025-03-09", {}, "not_notified", None),
    ("2025-03-10", {}, "open", 94),
    ("2025-06-12", {}, "open", 0),
    ("2025-06-13", {}, "grace", -1),
    ("2025-06-14", {}, "expired", -2),
    ("2025-04-30", {"withdrawn": "2025-05-01"}, "open", 43),
    ("2025-05-01", {"withdrawn": "2025-05-01"}, "withdrawn", 42),
    ("2025-03-31", {"appeals": [("arbitration", "2025-04-01")]}, "open", 73),
    ("2025-04-01", {"appeals": [("arbitration", "2025-04-01")]}, "appealed", 72),
    ("2025-04-01", {"appeals": [("labour_court", "2025-04-01")]}, "open", 72),
    ("2025-05-01", {"appeals": [("arbitration", "2025-04-01")], "withdrawn": "2025-04-20"}, "withdrawn", 42),
    (
        "2025-05-01",
        {"appeals": [("arbitration", "2025-04-01")], "complaints": [("2025-03-20", None)]},
        "appealed",
        None,
    ),
    ("2025-07-01", {"complaints": [("2025-06-13", None)]}, "interrupted", None),
    ("2025-03-09", {"withdrawn": "2025-03-01"}, "not_notified", None),
]


@pytest.mark.parametrize(("on", "extra", "status", "days_left"), STATUSES)
def test_each_status_and_its_boundary_day(
    on: str, extra: dict[str, Any], status: str, days_left: int | None
) -> None:
    row = window("payment", "2025-03-10", on, **extra)
    assert (row["status"], row["days_left"]) == (status, days_left)


def test_grace_lasts_over_the_weekend_until_the_moved_latest_deadline() -> None:
    statuses = [
        window("arbitration_ruling", "2025-01-25", day)["status"]
        for day in ("2025-04-27", "2025-04-28", "2025-04-29")
    ]
    assert statuses == ["open", "grace", "expired"]


def test_a_decision_never_notified_is_not_notified_and_has_no_trigger() -> None:
    row = window("payment", None, "2025-05-01", complaints=[("2025-04-01", None)])
    assert (row["status"], row["trigger_on"], row["safe_deadline"], row["trigger_reason"]) == (
        "not_notified",
        None,
        None,
        None,
    )


def test_the_first_appeal_to_the_windows_forum_is_reported() -> None:
    appeals = [("arbitration", "2025-05-02"), ("family_court", "2025-03-20"), ("arbitration", "2025-04-02")]
    assert window("payment", "2025-03-10", "2025-06-01", appeals=appeals)["appealed_on"] == D("2025-04-02")


# --- inputs in every shape, and the output's shape ----------------------------------------------------------


def test_dates_may_arrive_as_text_python_dates_or_datetime64() -> None:
    base = {"id": [1], "beneficiary_id": [1], "kind": ["payment"], "appeal_info_complete": [True]}
    shapes = {
        "text": ["2025-03-01", "2025-01-01", "2025-03-10", None],
        "date": [D("2025-03-01"), D("2025-01-01"), D("2025-03-10"), None],
        "datetime64": list(pd.to_datetime(["2025-03-01", "2025-01-01", "2025-03-10", None])),
    }
    safes = set()
    for values in shapes.values():
        columns = dict(
            zip(
                ("decided_on", "period_start", "notified_on", "withdrawn_on"),
                ([v] for v in values),
                strict=True,
            )
        )
        frame = pd.DataFrame({**base, **columns})
        safes.add(
            compute_windows(frame, _no_appeals(), _no_complaints(), D("2025-03-10"))["safe_deadline"].iloc[0]
        )
    assert safes == {pd.Timestamp("2025-06-12")}


def test_empty_frames_give_an_empty_frame_with_every_column() -> None:
    decisions = pd.DataFrame(columns=["id", "beneficiary_id", "kind", "decided_on", "period_start", "notified_on",
                                      "appeal_info_complete", "withdrawn_on"])  # fmt: skip
    out = compute_windows(decisions, _no_appeals(), _no_complaints(), D("2025-01-01"))
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert out.empty
    assert out["safe_deadline"].dtype == np.dtype("datetime64[ns]")
    assert str(out["days_left"].dtype) == "Int64"


def test_unparseable_dates_do_not_crash_the_engine() -> None:
    row = window("payment", "not a date", "2025-05-01", decided="2025-13-45")
    assert row["status"] == "not_notified"


def _no_appeals() -> pd.DataFrame:
    return pd.DataFrame(columns=["decision_id", "forum", "filed_on"])


def _no_complaints() -> pd.DataFrame:
    return pd.DataFrame(columns=["decision_id", "filed_on", "closed_on"])


# --- the calendar itself -----------------------------------------------------------------------------------


def test_the_calendar_holds_the_ten_legal_holidays_and_not_11_july_2_november_or_26_december() -> None:
    year = {day for day in legal_holidays() if day.year == 2025}
    sundays = {D("2025-04-20"), D("2025-06-08")}  # Easter and Whit Sunday: in the package, Sundays anyway
    assert year - sundays == {
        D("2025-01-01"), D("2025-04-21"), D("2025-05-01"), D("2025-05-29"), D("2025-06-09"),
        D("2025-07-21"), D("2025-08-15"), D("2025-11-01"), D("2025-11-11"), D("2025-12-25"),
    }  # fmt: skip
    assert not {D("2025-07-11"), D("2025-11-02"), D("2025-12-26")} & year
    assert holiday_name(D("2025-04-21"), "nl") == "Paasmaandag"
    assert holiday_name(D("2025-04-21"), "fr") == "Lundi de Pâques"


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
def test_each_holiday_has_the_name_of_the_whole_calendar_in_each_language_and_no_other_day_has_one(
    lang: str,
) -> None:
    """A holiday is named from its own year's table; the names are those of the whole span's table."""
    span = holidays.country_holidays(
        "BE", categories=("public",), years=range(1990, 2101), language={"en": "en_US"}.get(lang, lang)
    )
    days = pd.date_range("1990-01-01", "2100-12-31").date
    named = {day: holiday_name(day, lang) for day in days}
    assert {day: name for day, name in named.items() if name is not None} == dict(span)


def test_no_more_than_three_non_working_days_ever_follow_each_other() -> None:
    assert longest_non_working_run() == 3
