"""The vectorised engine agrees with the row-by-row reference on 20,000 random decisions, for several days."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd
import pytest

from deadlines.engine import OUTPUT_COLUMNS, compute_windows

from reference_engine import Decision, reference_window

KINDS = ("payment", "care_allowance", "beneficiary_designation", "arbitration_ruling")
FORUMS = ("arbitration", "labour_court", "family_court")
DAYS = (
    date(2019, 3, 15),
    date(2024, 12, 24),
    date(2025, 4, 22),
    date(2025, 7, 21),
    date(2025, 11, 12),
    date(2026, 3, 2),
)


def maybe(rng: random.Random, p: float, value: date) -> date | None:
    return value if rng.random() < p else None


def random_decision(rng: random.Random, decision_id: int) -> Decision:
    """Notified mostly between mid-2024 and mid-2025, a tenth around the 2019 cut-off; many complaints,
    some on the same day, some overlapping, some still open; appeals to every forum; withdrawals."""
    around_cut_off = rng.random() < 0.1
    start = date(2018, 10, 1) if around_cut_off else date(2024, 5, 1)
    notified = start + timedelta(days=rng.randrange(0, 420))
    decided = notified - timedelta(days=rng.randrange(0, 40))
    period = maybe(rng, 0.9, decided - timedelta(days=rng.randrange(0, 500)))
    appeals = [
        (rng.choice(FORUMS), notified + timedelta(days=rng.randrange(-5, 300)))
        for _ in range(rng.choice((0, 0, 1, 2)))
    ]
    complaints: list[tuple[date, date | None]] = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 4))):
        filed = notified + timedelta(days=rng.randrange(-20, 280))
        complaints.append((filed, maybe(rng, 0.75, filed + timedelta(days=rng.randrange(0, 130)))))
    if complaints and rng.random() < 0.2:
        complaints.append(
            (complaints[0][0], maybe(rng, 0.8, complaints[0][0] + timedelta(days=rng.randrange(0, 9))))
        )
    return Decision(
        id=decision_id,
        beneficiary_id=1000 + decision_id % 997,
        kind=rng.choice(KINDS),
        decided_on=decided,
        period_start=period,
        notified_on=maybe(rng, 0.95, notified),
        appeal_info_complete=rng.choice((True, True, False, None)),
        withdrawn_on=maybe(rng, 0.1, notified + timedelta(days=rng.randrange(0, 300))),
        appeals=appeals,
        complaints=complaints,
    )


def as_text(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


@pytest.fixture(scope="module")
def sample() -> tuple[list[Decision], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = random.Random(20250310)
    decisions = [random_decision(rng, i) for i in range(1, 20_001)]
    # Dates as SQLite gives them (ISO text) for decisions, python dates for the others: both must work.
    frame = pd.DataFrame(
        {
            "id": [d.id for d in decisions],
            "beneficiary_id": [d.beneficiary_id for d in decisions],
            "kind": [d.kind for d in decisions],
            "decided_on": [as_text(d.decided_on) for d in decisions],
            "period_start": [as_text(d.period_start) for d in decisions],
            "notified_on": [as_text(d.notified_on) for d in decisions],
            "appeal_info_complete": [
                None if d.appeal_info_complete is None else int(d.appeal_info_complete) for d in decisions
            ],
            "withdrawn_on": [as_text(d.withdrawn_on) for d in decisions],
        }
    )
    appeals = pd.DataFrame(
        [(d.id, forum, filed) for d in decisions for forum, filed in d.appeals],
        columns=["decision_id", "forum", "filed_on"],
    )
    complaints = pd.DataFrame(
        [(d.id, filed, closed) for d in decisions for filed, closed in d.complaints],
        columns=["decision_id", "filed_on", "closed_on"],
    ).sample(frac=1.0, random_state=7)  # the engine must sort them itself
    return decisions, frame, appeals, complaints


@pytest.mark.parametrize("on", DAYS, ids=str)
def test_the_engine_agrees_with_the_reference_on_every_row_and_column(
    sample: tuple[list[Decision], pd.DataFrame, pd.DataFrame, pd.DataFrame], on: date
) -> None:
    decisions, frame, appeals, complaints = sample
    engine = compute_windows(frame, appeals, complaints, on)
    expected = pd.DataFrame([reference_window(d, on) for d in decisions])
    columns = [c for c in OUTPUT_COLUMNS if c != "legal_source"]
    for column in columns:
        got, want = engine[column], expected[column]
        if column.endswith(("_on", "_deadline", "_since")):
            want = pd.to_datetime(want)
        elif column == "days_left":
            want = want.astype("Int64")
        differs = ~((got == want).fillna(False) | (got.isna() & want.isna()))
        assert not differs.any(), (
            f"{column} differs on {int(differs.sum())} rows, e.g.\n"
            f"{pd.DataFrame({'engine': got[differs], 'reference': want[differs]}).head()}"
        )
    if on != DAYS[0]:  # the sample exercises every status (2019 covers the cut-off, not grace)
        assert set(engine["status"]) == {
            "open",
            "grace",
            "expired",
            "appealed",
            "interrupted",
            "withdrawn",
            "not_notified",
        }
