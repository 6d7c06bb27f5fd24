"""Bad rows are reported and skipped one by one; good rows go on to the engine."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from deadlines.engine import compute_windows
from deadlines.validate import Problem, validate_decisions

GOOD: dict[str, Any] = {
    "id": 1,
    "beneficiary_id": 10,
    "kind": "payment",
    "decided_on": "2025-03-01",
    "period_start": "2025-01-01",
    "notified_on": "2025-03-10",
    "appeal_info_complete": 1,
    "withdrawn_on": None,
}
APPEAL_COLUMNS = ["id", "decision_id", "forum", "filed_on"]
COMPLAINT_COLUMNS = ["id", "decision_id", "filed_on", "closed_on"]


def run(
    bad: dict[str, Any], appeals: list[tuple[Any, ...]] = (), complaints: list[tuple[Any, ...]] = ()
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[Problem]]:
    decisions = pd.DataFrame([GOOD, {**GOOD, "id": 2, **bad}])
    return validate_decisions(
        decisions,
        pd.DataFrame(list(appeals), columns=APPEAL_COLUMNS),
        pd.DataFrame(list(complaints), columns=COMPLAINT_COLUMNS),
    )


@pytest.mark.parametrize(
    ("bad", "column", "words"),
    [
        ({"kind": "child_benefit"}, "kind", "unknown kind 'child_benefit'"),
        ({"decided_on": None}, "decided_on", "decided_on is missing"),
        ({"decided_on": "31/12/2024"}, "decided_on", "not a date"),
        ({"decided_on": "2025-02-30"}, "decided_on", "not a date"),
        ({"notified_on": "9999-12-31"}, "notified_on", "not a date between 1900 and 2199"),
        ({"notified_on": "2025-02-28"}, "notified_on", "notified_on 2025-02-28 is before decided_on"),
        ({"withdrawn_on": "2025-02-01"}, "withdrawn_on", "before decided_on"),
        ({"period_start": "soon"}, "period_start", "not a date"),
        ({"appeal_info_complete": "perhaps"}, "appeal_info_complete", "not a boolean"),
        ({"beneficiary_id": None}, "beneficiary_id", "beneficiary_id is missing"),
        ({"id": 1}, "id", "duplicate id 1"),
    ],
)
def test_a_bad_decision_is_reported_and_skipped_and_the_others_go_on(
    bad: dict[str, Any], column: str, words: str
) -> None:
    decisions, _, _, problems = run(bad)
    assert any(
        p.table == "decisions" and p.column == column and words in p.message and p.skipped for p in problems
    )
    if column != "id":
        assert decisions["id"].tolist() == [1]
        assert [p.row_id for p in problems] == [2]


def test_appeals_and_complaints_of_a_skipped_decision_are_dropped() -> None:
    _, appeals, complaints, problems = run(
        {"kind": "bogus"},
        appeals=[(1, 1, "arbitration", "2025-04-01"), (2, 2, "arbitration", "2025-04-01")],
        complaints=[(1, 1, "2025-04-01", None), (2, 2, "2025-04-01", None)],
    )
    assert appeals["decision_id"].tolist() == [1]
    assert complaints["decision_id"].tolist() == [1]
    assert [p.table for p in problems] == ["decisions"]


@pytest.mark.parametrize(
    ("appeal", "column", "words"),
    [
        ((5, 1, "supreme_court", "2025-04-01"), "forum", "unknown forum 'supreme_court'"),
        ((5, 1, "arbitration", None), "filed_on", "filed_on is missing"),
        ((5, 1, "arbitration", "2025-02-01"), "filed_on", "before the decision was taken"),
        ((5, 99, "arbitration", "2025-04-01"), "decision_id", "no decision 99"),
    ],
)
def test_a_bad_appeal_is_reported_and_skipped(appeal: tuple[Any, ...], column: str, words: str) -> None:
    _, appeals, _, problems = run({}, appeals=[appeal, (6, 1, "arbitration", "2025-04-02")])
    assert appeals["id"].tolist() == [6]
    assert [(p.table, p.row_id, p.column) for p in problems] == [("appeals", 5, column)]
    assert words in problems[0].message


@pytest.mark.parametrize(
    ("complaint", "column", "words"),
    [
        ((5, 1, "2025-04-10", "2025-04-01"), "closed_on", "closed on 2025-04-01 before it was filed"),
        ((5, 1, None, None), "filed_on", "filed_on is missing"),
        ((5, 1, "2025-04-10", "later"), "closed_on", "not a date"),
    ],
)
def test_a_bad_complaint_is_reported_and_skipped(complaint: tuple[Any, ...], column: str, words: str) -> None:
    _, _, complaints, problems = run({}, complaints=[complaint, (6, 1, "2025-04-02", None)])
    assert complaints["id"].tolist() == [6]
    assert [(p.table, p.row_id, p.column) for p in problems] == [("complaints", 5, column)]
    assert words in problems[0].message


def test_a_missing_appeal_information_flag_is_reported_but_the_decision_is_kept() -> None:
    decisions, _, _, problems = run({"appeal_info_complete": None})
    assert decisions["id"].tolist() == [1, 2]
    assert [(p.row_id, p.column, p.skipped) for p in problems] == [(2, "appeal_info_complete", False)]


def test_clean_frames_feed_the_engine() -> None:
    decisions, appeals, complaints, _ = run({"kind": "bogus"})
    windows = compute_windows(decisions, appeals, complaints, pd.Timestamp("2025-04-01").date())
    assert windows["decision_id"].tolist() == [1]
    assert decisions["decided_on"].dtype == "datetime64[ns]"


def test_empty_tables_are_fine() -> None:
    empty = pd.DataFrame(columns=list(GOOD))
    decisions, appeals, complaints, problems = validate_decisions(
        empty, pd.DataFrame(columns=APPEAL_COLUMNS), pd.DataFrame(columns=COMPLAINT_COLUMNS)
    )
    assert decisions.empty and appeals.empty and complaints.empty and problems == []


def test_a_missing_column_is_a_broken_view_not_a_bad_row() -> None:
    with pytest.raises(KeyError, match="kind"):
        validate_decisions(
            pd.DataFrame([GOOD]).drop(columns="kind"),
            pd.DataFrame(columns=APPEAL_COLUMNS),
            pd.DataFrame(columns=COMPLAINT_COLUMNS),
        )
