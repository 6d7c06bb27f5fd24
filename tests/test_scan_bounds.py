"""The scan's bounds lose nothing and are tight: shown with the engine, day by day, for every rule."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deadlines.engine import compute_windows
from deadlines.scan import scan_bounds, scan_parameters

SQL = Path(__file__).resolve().parents[1] / "sql"
ALIVE = {"open", "grace"}

# Every window a decision can open: (kind, decided_on, appeal_info_complete); art. 89 on and off.
VARIANTS = [
    ("payment", "2020-01-01", True),
    ("payment", "2020-01-01", False),
    ("payment", "2018-12-31", True),  # old law: labour court
    ("care_allowance", "2020-01-01", True),
    ("beneficiary_designation", "2020-01-01", True),
    ("arbitration_ruling", "2020-01-01", True),
]
INTERRUPTIBLE = [
    v
    for v in VARIANTS
    if v[0] in ("beneficiary_designation",) or (v[1] == "2020-01-01" and v[0] == "payment")
]
EVERY_DAY = [date(2024, 1, 1) + timedelta(days=i) for i in range(0, 731)]


def decisions_notified(days: list[date], variants: list[tuple[str, str, bool]]) -> pd.DataFrame:
    rows = [(kind, decided, info, day) for day in days for kind, decided, info in variants]
    return pd.DataFrame(
        {
            "id": range(1, len(rows) + 1),
            "beneficiary_id": 1,
            "kind": [r[0] for r in rows],
            "decided_on": [r[1] for r in rows],
            "period_start": [r[1] for r in rows],
            "notified_on": [r[3] for r in rows],
            "appeal_info_complete": [r[2] for r in rows],
            "withdrawn_on": None,
        }
    )


NO_APPEALS = pd.DataFrame(columns=["decision_id", "forum", "filed_on"])
NO_COMPLAINTS = pd.DataFrame(columns=["decision_id", "filed_on", "closed_on"])


def test_a_decision_notified_the_day_before_the_bound_is_expired_and_one_on_the_bound_is_still_alive() -> (
    None
):
    for on in EVERY_DAY:
        bound = scan_bounds(on).notified_from
        frame = decisions_notified([bound - timedelta(days=1), bound], VARIANTS)
        status = compute_windows(frame, NO_APPEALS, NO_COMPLAINTS, on)["status"].to_numpy()
        before, at = status[: len(VARIANTS)], status[len(VARIANTS) :]
        assert set(before) == {"expired"}, (on, bound, before)
        assert ALIVE & set(at), (on, bound, at)


def test_a_complaint_closed_the_day_before_the_bound_restarted_a_term_already_over() -> None:
    for on in EVERY_DAY:
        bound = scan_bounds(on).closed_from
        closings = [bound - timedelta(days=1), bound]
        frame = decisions_notified([c - timedelta(days=20) for c in closings], INTERRUPTIBLE)
        complaints = pd.DataFrame(
            {
                "decision_id": frame["id"],
                "filed_on": frame["notified_on"] + timedelta(days=10),
                "closed_on": [c for c in closings for _ in INTERRUPTIBLE],
            }
        )
        windows = compute_windows(frame, NO_APPEALS, complaints, on)
        assert set(windows["trigger_reason"]) == {"complaint_closed"}
        status = windows["status"].to_numpy()
        assert set(status[: len(INTERRUPTIBLE)]) == {"expired"}, (on, bound)
        assert ALIVE & set(status[len(INTERRUPTIBLE) :]), (on, bound)


@pytest.mark.parametrize(
    ("on", "notified_from", "why"),
    [
        # art. 89: 2024-09-19 + 4 months = 2025-01-19, + 3 months = Sat 2025-04-19, moved past Sunday and
        # Easter Monday to Tue 2025-04-22; notified a day earlier ends Fri 2025-04-18 (Good Friday works).
        (date(2025, 4, 22), date(2024, 9, 19), "art. 89 moved past Easter"),
        # art. 89: 2025-06-01 + 4 + 3 months = Thu 2026-01-01 (New Year), moved to Fri 2026-01-02 > on.
        # 2025-05-31 + 4 months = 2025-09-30, + 3 months = Tue 2025-12-30 < on.
        (date(2026, 1, 1), date(2025, 6, 1), "art. 89 on New Year"),
    ],
)
def test_the_bound_by_hand(on: date, notified_from: date, why: str) -> None:
    assert scan_bounds(on).notified_from == notified_from, why


def test_the_bound_reaches_back_about_seven_months() -> None:
    gaps = {(on - scan_bounds(on).notified_from).days for on in EVERY_DAY}
    assert min(gaps) >= 7 * 28 and max(gaps) <= 7 * 31 + 3 + 3


# --- the SQL ------------------------------------------------------------------------------------------------


def database() -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.executescript((SQL / "schema" / "contract.sqlite.sql").read_text())
    con.executescript((SQL / "schema" / "contract_indexes.sql").read_text())
    return con


def random_history(rng: random.Random, n: int, on: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """n decisions notified over the four years before `on` (and a few after), with complaints."""
    start = on - timedelta(days=1460)
    rows, complaints = [], []
    for i in range(1, n + 1):
        kind, decided, info = rng.choice(VARIANTS)
        notified = start + timedelta(days=rng.randrange(0, 1490))
        # A valid row: never notified before it was decided (the scan reads such a bad row to report it). The
        # variants' law stays the same: every start lies after 2019-01-01.
        decided = min(date.fromisoformat(decided), notified).isoformat()
        withdrawn = notified + timedelta(days=rng.randrange(0, 400)) if rng.random() < 0.1 else None
        rows.append(
            (i, 1, kind, decided, decided, None if rng.random() < 0.03 else notified, info, withdrawn)
        )
        for _ in range(rng.choice((0, 0, 1, 2))):
            filed = notified + timedelta(days=rng.randrange(0, 250))
            closed = filed + timedelta(days=rng.randrange(0, 300)) if rng.random() < 0.85 else None
            complaints.append((i, filed, closed))
    columns = ["id", "beneficiary_id", "kind", "decided_on", "period_start", "notified_on",
               "appeal_info_complete", "withdrawn_on"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(
        complaints, columns=["decision_id", "filed_on", "closed_on"]
    )


def iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


@pytest.mark.parametrize("on", [date(2023, 3, 1), date(2024, 4, 2), date(2025, 4, 22), date(2025, 12, 31)])
def test_the_scan_returns_every_decision_whose_window_can_still_matter(on: date) -> None:
    decisions, complaints = random_history(random.Random(on.toordinal()), 3000, on)
    con = database()
    con.executemany(
        "INSERT INTO decisions (id, beneficiary_id, kind, decided_on, period_start, notified_on, "
        "appeal_info_complete, withdrawn_on) VALUES (?,?,?,?,?,?,?,?)",
        [tuple(map(iso, r)) for r in decisions.itertuples(index=False)],
    )
    con.executemany(
        "INSERT INTO complaints (decision_id, filed_on, closed_on) VALUES (?,?,?)",
        [tuple(map(iso, r)) for r in complaints.itertuples(index=False)],
    )
    params = {k: v.isoformat() for k, v in scan_parameters(on).items()}
    scanned = {row[0] for row in con.execute((SQL / "scan_decisions.sql").read_text(), params)}
    windows = compute_windows(decisions, NO_APPEALS, complaints, on)
    # not_notified comes before withdrawn (domain.md): those are scanned, withdrawn or not, for the report.
    withdrawn = windows["status"] == "withdrawn"
    alive = windows["status"].isin(["open", "grace", "interrupted", "not_notified"])
    assert set(windows.loc[alive, "decision_id"]) <= scanned
    assert not set(windows.loc[withdrawn, "decision_id"]) & scanned
    assert len(scanned) < 0.5 * len(decisions)  # and it does skip most of the history


def test_the_scan_reads_through_the_indexes_not_the_whole_tables() -> None:
    decisions, complaints = random_history(random.Random(1), 5000, date(2025, 6, 1))
    con = database()
    con.executemany(
        "INSERT INTO decisions (id, beneficiary_id, kind, decided_on, period_start, notified_on, "
        "appeal_info_complete, withdrawn_on) VALUES (?,?,?,?,?,?,?,?)",
        [tuple(map(iso, r)) for r in decisions.itertuples(index=False)],
    )
    con.executemany(
        "INSERT INTO complaints (decision_id, filed_on, closed_on) VALUES (?,?,?)",
        [tuple(map(iso, r)) for r in complaints.itertuples(index=False)],
    )
    con.execute("ANALYZE")
    params = {k: v.isoformat() for k, v in scan_parameters(date(2025, 6, 1)).items()}
    plan = [
        row[3]
        for row in con.execute("EXPLAIN QUERY PLAN " + (SQL / "scan_decisions.sql").read_text(), params)
    ]
    assert not [step for step in plan if step.startswith("SCAN")], plan
    assert np.any(["ix_decisions_notified_on" in step for step in plan])
    assert np.any(["ix_complaints_closed_on" in step for step in plan])
