"""The planner's fast paths (issue 11) say what the general ones say: a reminder's Message-ID does not depend
on how its deadline arrived, and planning leaves Python's garbage collector as it found it."""

from __future__ import annotations

import gc
from datetime import date, datetime

import pandas as pd
import pytest

from jobs.collector import collector_paused
from jobs.outbox.ids import reminder_message_id


@pytest.mark.parametrize(
    "deadline",
    [date(2026, 1, 5), datetime(2026, 1, 5, 3, 4), pd.Timestamp("2026-01-05"), "2026-01-05", "20260105"],
)
def test_a_reminders_message_id_reads_the_same_whatever_the_deadline_arrived_as(deadline: object) -> None:
    key = {"decision_id": 7, "forum": "arbitration", "safe_deadline": deadline, "recipient_kind": "beneficiary",
           "recipient_id": 12, "stage": 14}  # fmt: skip
    assert (
        reminder_message_id(key, "infino.example") == "<aw.r.7.arbitration.20260105.b12.s14@infino.example>"
    )


def test_a_missing_deadline_gives_no_message_id() -> None:
    key = {"decision_id": 7, "forum": "arbitration", "safe_deadline": pd.NaT, "recipient_kind": "beneficiary",
           "recipient_id": 12, "stage": 14}  # fmt: skip
    with pytest.raises(ValueError):
        reminder_message_id(key, "infino.example")


@pytest.mark.parametrize("enabled", [True, False])
def test_planning_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), collector_paused():
            raise RuntimeError("a night that fails half-way")
        assert gc.isenabled() is enabled
        with collector_paused():  # the night's reading and planning, the planning inside it
            with collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # only the outermost restores it
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_the_command_line_runs_its_command_with_the_collector_enabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # jobs.cli imports the command line with the collector paused; the command itself (schedule, deliver: long
    # runs) must find it collecting again.
    import jobs.cli
    import jobs.commands

    seen: list[bool] = []
    monkeypatch.setattr(jobs.commands, "main", lambda: seen.append(gc.isenabled()))
    jobs.cli.main()
    assert seen == [True]
    assert gc.isenabled()
