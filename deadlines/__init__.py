"""The pure deadline engine: decisions, appeals and complaints in, appeal windows out (no I/O, no clock).

vocabulary.py names the kinds, forums, statuses and languages, rules.py holds the law as data, calendar.py the
Belgian legal holidays, engine.py the vectorised counting, explain.py the trace of one window, validate.py the
row checks, scan.py the nightly scan's bounds.
"""

from __future__ import annotations

from deadlines.engine import OUTPUT_COLUMNS, complaint_outcomes, compute_windows
from deadlines.explain import build_trace, explain_decision, reason_facts, render_trace
from deadlines.scan import ScanBounds, scan_bounds, scan_parameters
from deadlines.validate import Problem, validate_decisions

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
