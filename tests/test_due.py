"""What is due tonight (shared/domain.md, "Reminders"), as tables of cases written from the rule:
a stage with offset o is due on the first run on or after safe_deadline - o while the window is open; of
several due at once only the most urgent is sent, the others are skipped; a key in the ledger never again."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from jobs.due import KEY, due_reminders

DEADLINE = date(2025, 6, 12)
B_DAYS, A_DAYS = [30, 14, 7, 2], [14, 3]


def window(
    days_left: int, status: str = "open", decision: int = 1, deadline: date = DEADLINE
) -> dict[str, object]:
    return {
        "decision_id": decision,
        "beneficiary_id": 10,
        "forum": "arbitration",
        "status": status,
        "safe_deadline": pd.Timestamp(deadline),
        "days_left": days_left,
    }


def ledger(*rows: tuple[str, int], deadline: date = DEADLINE) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (1, "arbitration", pd.Timestamp(deadline), kind, 10 if kind == "beneficiary" else 7, stage)
            for kind, stage in rows
        ],
        columns=KEY,
    )


def actions(
    windows: list[dict[str, object]], known: pd.DataFrame, advisor: int | None = 7
) -> set[tuple[str, int, str]]:
    advisor_of = pd.Series({10: advisor}, dtype="Int64")
    due = due_reminders(pd.DataFrame(windows), advisor_of, known, B_DAYS, A_DAYS)
    return {(r.recipient_kind, r.stage, r.action) for r in due.itertuples()}


@pytest.mark.parametrize(
    ("days_left", "known", "expected"),
    [
        (31, [], set()),
        (30, [], {("beneficiary", 30, "send")}),
        (29, [], {("beneficiary", 30, "send")}),  # the first run on or after the day
        (15, [("beneficiary", 30)], set()),
        (14, [("beneficiary", 30)], {("beneficiary", 14, "send"), ("advisor", 14, "send")}),
        # the first run ever, ten days before: 14 goes out, 30 is skipped (catch-up: only the most urgent)
        (10, [], {("beneficiary", 14, "send"), ("beneficiary", 30, "skip"), ("advisor", 14, "send")}),
        (7, [("beneficiary", 30), ("beneficiary", 14), ("advisor", 14)], {("beneficiary", 7, "send")}),
        # missed nights: 7 and 2 both due, only 2 goes out; the advisor's 3 likewise
        (
            1,
            [("beneficiary", 30), ("beneficiary", 14), ("advisor", 14)],
            {("beneficiary", 2, "send"), ("beneficiary", 7, "skip"), ("advisor", 3, "send")},
        ),
        (
            0,
            [("beneficiary", 30), ("beneficiary", 14), ("beneficiary", 7), ("advisor", 14)],
            {("beneficiary", 2, "send"), ("advisor", 3, "send")},
        ),
        # a window that opens late, two days before its deadline: one reminder, the rest skipped
        (
            2,
            [],
            {
                ("beneficiary", 2, "send"),
                ("beneficiary", 7, "skip"),
                ("beneficiary", 14, "skip"),
                ("beneficiary", 30, "skip"),
                ("advisor", 3, "send"),
                ("advisor", 14, "skip"),
            },
        ),
        # everything already recorded: a second run of the same night does nothing
        (10, [("beneficiary", 14), ("beneficiary", 30), ("advisor", 14)], set()),
    ],
)
def test_the_due_stages_follow_the_rule(
    days_left: int, known: list[tuple[str, int]], expected: set[tuple[str, int, str]]
) -> None:
    assert actions([window(days_left)], ledger(*known)) == expected


def test_a_stage_older_than_one_already_sent_is_skipped_not_sent() -> None:
    """Offsets changed in config: 14 was added after 7 went out; 14 must not go out after 7."""
    assert actions([window(5)], ledger(("beneficiary", 7), ("advisor", 14), ("advisor", 3))) == {
        ("beneficiary", 14, "skip"),
        ("beneficiary", 30, "skip"),
    }


@pytest.mark.parametrize(
    "status", ["grace", "expired", "appealed", "interrupted", "withdrawn", "not_notified"]
)
def test_nothing_is_due_for_a_window_that_is_not_open(status: str) -> None:
    assert actions([window(3, status=status)], ledger()) == set()


def test_a_beneficiary_without_advisor_gets_no_advisor_stages() -> None:
    assert actions([window(10)], ledger(), advisor=None) == {
        ("beneficiary", 14, "send"),
        ("beneficiary", 30, "skip"),
    }


def test_a_new_deadline_starts_a_new_series() -> None:
    """A complaint closed and the term restarted: the old deadline's ledger rows do not count."""
    new_deadline = DEADLINE + timedelta(days=60)
    old = ledger(
        ("beneficiary", 30),
        ("beneficiary", 14),
        ("beneficiary", 7),
        ("beneficiary", 2),
        ("advisor", 14),
        ("advisor", 3),
    )
    assert actions([window(30, deadline=new_deadline)], old) == {("beneficiary", 30, "send")}


def test_no_windows_means_nothing_due() -> None:
    empty = pd.DataFrame(
        columns=["decision_id", "beneficiary_id", "forum", "status", "safe_deadline", "days_left"]
    )
    assert due_reminders(empty, pd.Series(dtype="Int64"), ledger(), B_DAYS, A_DAYS).empty


def rearmable(known: pd.DataFrame, *stages: int) -> pd.DataFrame:
    """The ledger with `rearmable` set on the family's given stages (superseded unsent: the window closed)."""
    flag = known["recipient_kind"].eq("beneficiary") & known["stage"].isin(stages)
    return known.assign(rearmable=flag)


def rearmed(windows: list[dict[str, object]], known: pd.DataFrame) -> set[tuple[str, int, str, bool]]:
    advisor_of = pd.Series({10: 7}, dtype="Int64")
    due = due_reminders(pd.DataFrame(windows), advisor_of, known, B_DAYS, A_DAYS)
    return {(r.recipient_kind, r.stage, r.action, bool(r.rearm)) for r in due.itertuples()}


@pytest.mark.parametrize(
    ("days_left", "known", "again", "expected"),
    [
        # the 14-day stage was superseded unsent (the window closed) and the window is open again, 10 days left
        (10, [("beneficiary", 30), ("beneficiary", 14), ("advisor", 14)], [14], {("beneficiary", 14, "send", True)}),
        # the same key without the mark (sent, or superseded by the catch-up rule): never again
        (10, [("beneficiary", 30), ("beneficiary", 14), ("advisor", 14)], [], set()),
        # open again with 5 days left: 7 is due and more urgent; 7 goes as a new stage, 14 stays as it is
        (5, [("beneficiary", 30), ("beneficiary", 14), ("advisor", 14)], [14], {("beneficiary", 7, "send", False)}),
        # 7 in the ledger (it went), 14 marked: the catch-up rule keeps 14 done
        (5, [("beneficiary", 30), ("beneficiary", 14), ("beneficiary", 7), ("advisor", 14)], [14], set()),
    ],
)  # fmt: skip
def test_a_rearmable_key_goes_again_only_as_the_most_urgent_due_stage(
    days_left: int, known: list[tuple[str, int]], again: list[int], expected: set[tuple[str, int, str, bool]]
) -> None:
    assert rearmed([window(days_left)], rearmable(ledger(*known), *again)) == expected


def test_a_rearmable_key_of_a_window_still_closed_is_not_planned() -> None:
    known = rearmable(ledger(("beneficiary", 30), ("beneficiary", 14)), 14)
    assert rearmed([window(10, status="appealed")], known) == set()
