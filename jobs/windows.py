"""The engine's answers for one day, read from the fund's tables: the appeal windows (`appealwatch windows`)
and one decision's window with its full trace in words (`appealwatch explain`). The commands print them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Connection

from deadlines.engine import compute_windows
from deadlines.validate import Problem
from jobs.inputs import read_decisions


def windows_on(conn: Connection, on: date, show_all: bool) -> tuple[pd.DataFrame, list[Problem]]:
    """The windows as of `on` (open ones only, unless `show_all`), the most urgent first, and the bad rows met."""
    inputs = read_decisions(conn, on, "all" if show_all else "scan")
    windows = compute_windows(inputs.decisions, inputs.appeals, inputs.complaints, on)
    if not show_all:
        windows = windows[windows["status"] == "open"]
    windows = windows.sort_values(["safe_deadline", "decision_id"], na_position="last")
    return windows, inputs.problems


@dataclass
class Explanation:
    """One decision's trace in words, or None when it cannot be explained (`problems` say why, if any)."""

    text: str | None
    problems: list[Problem] = field(default_factory=list)


def explain(conn: Connection, decision_id: int, on: date) -> Explanation:
    # Imported here: `windows` does not need the trace's words.
    from deadlines.explain import explain_decision, render_trace

    inputs = read_decisions(conn, on, decision_id)
    if inputs.decisions.empty:
        return Explanation(None, inputs.problems)
    trace = explain_decision(decision_id, inputs.decisions, inputs.appeals, inputs.complaints, on)
    return Explanation(render_trace(trace), inputs.problems)
