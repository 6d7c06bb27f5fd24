"""The trace of one window: why it has the deadlines and status it has, step by step, for `appealwatch explain`
and for the supervisors. Built from the engine's output row (and its verdict on each complaint); the counting
steps are redone here one day at a time, so each skipped weekend day or holiday can be named, and checked
against the engine's dates."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from deadlines.calendar import holiday_names, is_working_day
from deadlines.engine import complaint_outcomes, compute_windows
from deadlines.rules import ART89_SOURCE, COMPLAINT_SOURCE, RULES_BY_ID, period_cutoff
from deadlines.vocabulary import Status


@dataclass(frozen=True)
class RuleStep:
    rule_id: str
    kind: str
    condition: str
    forum: str
    term_months: int
    counts_from: str
    legal_source: str
    needs_confirmation: bool
    confirmation_reasons: tuple[str, ...]


@dataclass(frozen=True)
class TriggerStep:
    reason: str  # one of rules.TRIGGER_REASONS
    informed_on: date | None
    trigger_on: date | None
    restarted_on: date | None
    source: str


@dataclass(frozen=True)
class ComplaintStep:
    filed_on: date | None
    closed_on: date | None
    outcome: str  # one of engine.COMPLAINT_OUTCOMES
    deadline_at_filing: date | None


@dataclass(frozen=True)
class MonthsStep:
    reading: str  # "safe" or "latest"
    start: date
    months: int
    wanted_day: int  # the start's day of month
    result: date
    clipped: bool  # the target month lacks wanted_day: its last day is taken


@dataclass(frozen=True)
class DayOffStep:
    before: date
    result: date


@dataclass(frozen=True)
class SkipStep:
    day: date
    why: str  # "Saturday", "Sunday" or "holiday"
    holiday_names: Mapping[str, str] | None


@dataclass(frozen=True)
class DeadlineStep:
    reading: str
    day: date


@dataclass(frozen=True)
class StatusStep:
    on: date
    status: str
    safe_deadline: date | None
    latest_deadline: date | None
    days_left: int | None
    appealed_on: date | None
    withdrawn_on: date | None
    interrupted_since: date | None
    informed_on: date | None


@dataclass(frozen=True)
class MismatchStep:
    """The recount disagrees with the engine: a bug, shown rather than hidden."""

    reading: str
    engine: date | None
    recount: date | None


Step = (
    RuleStep
    | TriggerStep
    | ComplaintStep
    | MonthsStep
    | DayOffStep
    | SkipStep
    | DeadlineStep
    | StatusStep
    | MismatchStep
)


@dataclass(frozen=True)
class Trace:
    decision_id: int
    forum: str
    steps: tuple[Step, ...]


def _day(value: Any) -> date | None:
    if value is None or value is pd.NaT or (not isinstance(value, date | str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def explain_decision(
    decision_id: int, decisions: pd.DataFrame, appeals: pd.DataFrame, complaints: pd.DataFrame, on: dt.date
) -> Trace:
    """Run the engine on one decision and trace its window (the `explain` command's entry point)."""
    decision = decisions[decisions["id"] == decision_id]
    if decision.empty:
        raise KeyError(f"no decision {decision_id}")
    own = complaints[complaints["decision_id"] == decision_id]
    row = compute_windows(decision, appeals[appeals["decision_id"] == decision_id], own, on).iloc[0]
    window = {str(k): v for k, v in row.items()}
    facts = {str(k): v for k, v in decision.iloc[0].items()}
    return build_trace(window, on, complaint_outcomes(decision, own, on), facts)


def build_trace(
    window: Mapping[str, Any],
    on: dt.date,
    complaints: pd.DataFrame | None = None,
    decision: Mapping[str, Any] | None = None,
) -> Trace:
    """The steps behind one engine row. `complaints`: engine.complaint_outcomes() for the decision (optional);
    `decision`: its input row (optional), to say exactly why it needs confirmation."""
    rule = RULES_BY_ID[str(window["rule"])]
    steps: list[Step] = [
        RuleStep(
            rule.id,
            rule.kind,
            rule.condition,
            rule.forum,
            rule.term_months,
            rule.counts_from,
            rule.legal_source,
            bool(window["needs_confirmation"]),
            _confirmation_reasons(window, decision),
        )
    ]
    if complaints is not None:
        own = complaints[complaints["decision_id"] == window["decision_id"]]
        for item in own.itertuples(index=False):
            steps.append(
                ComplaintStep(
                    _day(item.filed_on),
                    _day(item.closed_on),
                    str(item.outcome),
                    _day(item.deadline_at_filing),
                )
            )
    trigger, reason = _day(window["trigger_on"]), window["trigger_reason"]
    if trigger is not None and isinstance(reason, str):
        source = {"art89_four_months": ART89_SOURCE, "complaint_closed": COMPLAINT_SOURCE}.get(
            reason, "Ger.W. art. 52"
        )
        steps.append(
            TriggerStep(reason, _day(window["informed_on"]), trigger, _day(window["restarted_on"]), source)
        )
    safe, latest = _day(window["safe_deadline"]), _day(window["latest_deadline"])
    if trigger is not None and safe is not None:
        day_off = window["counts_from"] == "third_day" or reason == "art89_four_months"
        steps.extend(_recount(trigger, int(window["term_months"]), day_off, safe, latest))
    steps.append(
        StatusStep(
            on,
            str(window["status"]),
            safe,
            latest,
            _int(window["days_left"]),
            _day(window["appealed_on"]),
            _day(window["withdrawn_on"]),
            _day(window["interrupted_since"]),
            _day(window["informed_on"]),
        )
    )
    return Trace(int(window["decision_id"]), str(window["forum"]), tuple(steps))


def _confirmation_reasons(window: Mapping[str, Any], decision: Mapping[str, Any] | None) -> tuple[str, ...]:
    reasons = []
    rule = RULES_BY_ID[str(window["rule"])]
    if rule.needs_confirmation:
        reasons.append("rule")
    if decision is not None:
        no_period = _day(decision.get("period_start")) is None
        if no_period and period_cutoff(str(decision.get("kind"))) is not None:
            reasons.append("no_period_start")
        info = decision.get("appeal_info_complete")
        if rule.art89_start and (info is None or pd.isna(info)):
            reasons.append("appeal_info_unknown")
    elif window["needs_confirmation"] and not reasons:
        reasons.append("data")
    return tuple(reasons)


def _add_months(start: date, months: int) -> tuple[date, bool]:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = month_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last)), start.day > last


def _recount(trigger: date, months: int, day_off: bool, safe: date, latest: date | None) -> list[Step]:
    end, clipped = _add_months(trigger, months)
    steps: list[Step] = [MonthsStep("safe", trigger, months, trigger.day, end, clipped)]
    safe_recount = end - timedelta(days=1) if day_off else end
    if day_off:
        steps.append(DayOffStep(end, safe_recount))
    steps.append(DeadlineStep("safe", safe_recount))
    steps.append(MonthsStep("latest", trigger, months, trigger.day, end, clipped))
    day = end
    while not is_working_day(day):
        names = holiday_names(day)
        why = "holiday" if names else ("Saturday" if day.weekday() == 5 else "Sunday")
        steps.append(SkipStep(day, why, names))
        day += timedelta(days=1)
    steps.append(DeadlineStep("latest", day))
    for reading, engine, recount in (("safe", safe, safe_recount), ("latest", latest, day)):
        if engine != recount:
            steps.append(MismatchStep(reading, engine, recount))
    return steps


def reason_facts(row: Mapping[str, Any]) -> dict[str, Any]:
    """The few facts a one-sentence reason needs ("3 months from the third day after you were informed on
    10 March 2025: appeal by 12 June 2025"), dates as python dates or None."""
    return {
        "trigger_reason": row["trigger_reason"] if isinstance(row["trigger_reason"], str) else None,
        "informed_on": _day(row["informed_on"]),
        "trigger_on": _day(row["trigger_on"]),
        "restarted_on": _day(row["restarted_on"]),
        "term_months": int(row["term_months"]),
        "counts_from": str(row["counts_from"]),
        "safe_deadline": _day(row["safe_deadline"]),
    }


# --- rendering in words ------------------------------------------------------------------------------------

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FORUMS = {"arbitration": "the arbitration commission", "labour_court": "the labour court",
           "family_court": "the family court"}  # fmt: skip
_OUTCOMES = {
    "applied_closed": "applied: it interrupted the term, and its closing restarted a whole new term",
    "applied_open": "applied: it interrupted the term and is still open, so there is no deadline for now",
    "not_interruptible": "ignored: complaints do not interrupt a labour-court term",
    "after_on": "ignored for now: filed after the day of this run",
    "before_notification": "ignored: filed before the decision was notified",
    "overlapping": "ignored: filed while an earlier complaint was still open, so the term was not running "
    "(policy: this keeps the earlier, safe deadline)",
    "after_latest_deadline": "ignored: filed after the latest deadline, when there was no term left to interrupt",
}
_CONFIRM = {
    "rule": "the rule itself must be confirmed by a lawyer",
    "no_period_start": "the payment has no period_start, so the new-law condition (period from 2019) is not "
    "met and the general rule applies (labour court, from notification: also the earlier deadline)",
    "appeal_info_unknown": "appeal_info_complete is missing: counted as complete (the earlier deadline)",
    "data": "a data point is missing (period_start or appeal_info_complete)",
}


def _d(day: date | None) -> str:
    return "none" if day is None else f"{_WEEKDAYS[day.weekday()]} {day.isoformat()}"


def render_trace(trace: Trace, lang: str = "en") -> str:
    """The trace in plain English, one numbered step per line (other languages: not yet)."""
    if lang != "en":
        raise ValueError(f"the trace is written in English only, not {lang!r}")
    lines = [f"Decision {trace.decision_id}: appeal to {_FORUMS.get(trace.forum, trace.forum)}"]
    lines += [f"{number}. {_render(step)}" for number, step in enumerate(trace.steps, start=1)]
    return "\n".join(lines)


def _render(step: Step) -> str:
    match step:
        case RuleStep():
            text = (
                f"Rule {step.rule_id}: a decision of kind {step.kind} ({step.condition}) opens a window at "
                f"{_FORUMS[step.forum]} of {step.term_months} months, counted from "
                f"{'the third calendar day after the day informed' if step.counts_from == 'third_day' else 'notification'}. "
                f"Source: {step.legal_source}."
            )
            if step.needs_confirmation:
                text += (
                    " Needs confirmation: " + "; ".join(_CONFIRM[r] for r in step.confirmation_reasons) + "."
                )
            return text
        case TriggerStep(reason="notification"):
            return f"Notified on {_d(step.informed_on)}: the term runs from the next day ({step.source}); trigger {_d(step.trigger_on)}."
        case TriggerStep(reason="third_day_after_informed"):
            return (
                f"Informed on {_d(step.informed_on)}: the term runs from the third calendar day after, "
                f"{_d(step.trigger_on)}, which counts as day one."
            )
        case TriggerStep(reason="art89_four_months"):
            return (
                f"Notified on {_d(step.informed_on)} by a decision without the appeal options and periods "
                f"({step.source}): the term starts four months later, on {_d(step.trigger_on)}, which counts as day one."
            )
        case TriggerStep():
            return (
                f"A complaint closed on {_d(step.restarted_on)} restarted a whole new term with that day in place of "
                f"the day informed ({step.source}); trigger {_d(step.trigger_on)}"
                + (" (the third day after, day one)." if step.trigger_on != step.restarted_on else ".")
            )
        case ComplaintStep():
            closed = f"closed on {_d(step.closed_on)}" if step.closed_on else "not closed"
            then = (
                f" (latest deadline then: {_d(step.deadline_at_filing)})" if step.deadline_at_filing else ""
            )
            return f"Complaint filed on {_d(step.filed_on)}, {closed}{then}: {_OUTCOMES.get(step.outcome, step.outcome)}."
        case MonthsStep():
            text = f"{step.reading.capitalize()} reading: {_d(step.start)} plus {step.months} months is {_d(step.result)}"
            if step.clipped:
                text += f" (that month has no day {step.wanted_day}: its last day is taken)"
            return text + "."
        case DayOffStep():
            return f"The trigger day counts as day one, so one day comes off: {_d(step.result)}."
        case SkipStep(why="holiday"):
            names = step.holiday_names or {}
            return f"{_d(step.day)} is a legal holiday ({names.get('en')} / {names.get('nl')}): skipped (Ger.W. art. 53)."
        case SkipStep():
            return f"{_d(step.day)} is a {step.why}: skipped (Ger.W. art. 53)."
        case DeadlineStep(reading="safe"):
            return f"Safe deadline: {_d(step.day)} (never moved; every reminder quotes it)."
        case DeadlineStep():
            return f"Latest deadline: {_d(step.day)} (an appeal up to this day may still be admissible)."
        case StatusStep():
            return f"On {_d(step.on)} the window is {step.status.upper()}: {_status_reason(step)}."
        case MismatchStep():
            return f"WARNING: the engine's {step.reading} deadline {_d(step.engine)} differs from the recount {_d(step.recount)}."
    raise TypeError(step)


def _status_reason(step: StatusStep) -> str:
    match step.status:
        case Status.NOT_NOTIFIED:
            if step.informed_on is None:
                return "the decision has no notification date (a data problem to fix)"
            return f"it is notified only on {_d(step.informed_on)}"
        case Status.WITHDRAWN:
            return f"the decision was withdrawn on {_d(step.withdrawn_on)}"
        case Status.APPEALED:
            return f"an appeal was filed on {_d(step.appealed_on)}; no more reminders"
        case Status.INTERRUPTED:
            return f"a complaint filed on {_d(step.interrupted_since)} is still open; no deadline and no reminders for now"
        case Status.OPEN:
            return f"{step.days_left} day(s) left until the safe deadline {_d(step.safe_deadline)}; reminders run"
        case Status.GRACE:
            return (
                f"past the safe deadline {_d(step.safe_deadline)} but not the latest {_d(step.latest_deadline)}: "
                "no more reminders, an appeal may still be admissible"
            )
        case _:
            return f"past the latest deadline {_d(step.latest_deadline)}"
