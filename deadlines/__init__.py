"""The pure deadline engine: decisions, appeals and complaints in, appeal windows out (no I/O, no clock).

vocabulary.py names the kinds, forums, statuses and languages, rules.py holds the law as data, calendar.py the
Belgian legal holidays, engine.py the vectorised counting, explain.py the trace of one window, validate.py the
row checks, scan.py the nightly scan's bounds.

The names below are imported on first use: the configuration reads `deadlines.vocabulary`, and importing it
must not load numpy and pandas (numpy starts threads at import, before `appealwatch schedule` blocks SIGTERM
for all of its threads).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deadlines.engine import OUTPUT_COLUMNS, complaint_outcomes, compute_windows
    from deadlines.explain import build_trace, explain_decision, reason_facts, render_trace
    from deadlines.scan import ScanBounds, scan_bounds, scan_parameters
    from deadlines.validate import Problem, validate_decisions

_HOMES = {
    "OUTPUT_COLUMNS": "deadlines.engine",
    "complaint_outcomes": "deadlines.engine",
    "compute_windows": "deadlines.engine",
    "build_trace": "deadlines.explain",
    "explain_decision": "deadlines.explain",
    "reason_facts": "deadlines.explain",
    "render_trace": "deadlines.explain",
    "ScanBounds": "deadlines.scan",
    "scan_bounds": "deadlines.scan",
    "scan_parameters": "deadlines.scan",
    "Problem": "deadlines.validate",
    "validate_decisions": "deadlines.validate",
}

__all__ = [
    "OUTPUT_COLUMNS",
    "Problem",
    "ScanBounds",
    "build_trace",
    "complaint_outcomes",
    "compute_windows",
    "explain_decision",
    "reason_facts",
    "render_trace",
    "scan_bounds",
    "scan_parameters",
    "validate_decisions",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'deadlines' has no attribute {name!r}")
