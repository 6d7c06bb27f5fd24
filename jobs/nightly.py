"""`appealwatch run`: the nightly job.

scan -> validate -> windows (the pure engine) -> what is due -> render -> outbox and ledger (one transaction)
-> delivery (claim, send, mark) -> supervisor report -> run log. The job lock makes one run at a time; the
ledger, not the lock, is what makes every reminder go out once, whatever crashes or reruns happen.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, select, update

from deadlines.engine import compute_windows
from deadlines.validate import Problem
from jobs.config import Settings
from jobs.db import LockHeld, database, describe_error, job_lock, lost_database
from jobs.deliver import DeliveryStats, StopFlag, count_pending, delivery_line, run_workers, stopped_line
from jobs.due import KEY, SERIES, due_reminders
from jobs.inputs import People, decisions_not_read, read_decisions, read_people
from jobs.logs import say
from jobs.monitoring import monitored
from jobs.plan import Plan, build_plan, refresh_held_reminders, settle_held_digests, write_plan
from jobs.progress import Progress
from jobs.runlog import finish_run, finish_run_if_possible, mark_died, record_refused, start_run
from jobs.store import as_date, messages, reminders, runs

log = logging.getLogger("appealwatch.run")


@dataclass
class NightResult:
    on: date
    windows: pd.DataFrame
    plan: Plan
    people: People
    problems: list[Problem] = field(default_factory=list)
    delivery: DeliveryStats = field(default_factory=DeliveryStats)
    superseded: int = 0
    refreshed: int = 0
    held: int = 0  # messages that waited in the outbox from earlier runs when tonight's plan was written
    report_mails: int = 0  # supervisors' report mails queued (or re-rendered) tonight
    not_read: int = 0  # decisions the scan did not read: their windows closed for good before its reach
    report_paths: list[str] = field(default_factory=list)
    kind: str = "smtp"  # [notifier] kind, for the wording of the last line
    stopped: str = ""  # what stopped the run (SIGTERM, SIGINT), for the last line and the run log

    def stats(self) -> dict[str, Any]:
        counts = self.windows["status"].value_counts().to_dict() if not self.windows.empty else {}
        return {
            "windows": len(self.windows),
            "decisions_not_read": self.not_read,
            **{f"windows_{k}": int(v) for k, v in sorted(counts.items())},
            "reminders_queued": self.plan.count("queued"),
            "reminders_skipped": self.plan.count("skipped"),
            "reminders_unreachable": self.plan.count("unreachable"),
            "messages": len(self.plan.messages),
            "problems": len(self.problems),
            "superseded": self.superseded,
            "refreshed": self.refreshed,
            "held": self.held,
            "report_mails": self.report_mails,
            **self.delivery.as_dict(),
        }

    @property
    def exit_code(self) -> int:
        return 1 if self.problems or self.delivery.incomplete else 0


def ledger_keys(conn: Connection, on: date) -> pd.DataFrame:
    """The ledger keys that can still matter: only a window with safe_deadline >= today is open."""
    rows = conn.execute(select(*[reminders.c[k] for k in KEY]).where(reminders.c.safe_deadline >= on)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=KEY)


def with_decided_on(windows: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    decided = decisions[["id", "decided_on"]].rename(columns={"id": "decision_id"})
    decided = decided.assign(decision_id=decided["decision_id"].astype("int64"))
    return windows.merge(decided, on="decision_id", how="left")


def read_night(
    conn: Connection, settings: Settings, on: date
) -> tuple[pd.DataFrame, People, list[Problem], int]:
    """The night's windows (from the scan), their families and advisors, the bad rows met on the way, and how
    many rows of decisions the scan read (bad ones included)."""
    inputs = read_decisions(conn, on, "scan")
    windows = with_decided_on(
        compute_windows(inputs.decisions, inputs.appeals, inputs.complaints, on), inputs.decisions
    )
    # The families of every window in the scan, not only the open ones: a bad address or language is
    # reported while it can still matter (grace, an interrupted window, a decision not yet notified).
    people = read_people(conn, windows["beneficiary_id"].tolist(), settings.reminders.fallback_language)
    return windows, people, inputs.problems + people.problems, inputs.read


def plan_night(engine: Engine, settings: Settings, on: date) -> NightResult:
    """Everything up to the messages; writes nothing."""
    with engine.connect() as conn:
        windows, people, problems, read = read_night(conn, settings, on)
        not_read = decisions_not_read(conn, read)
        advisor_of = (
            people.beneficiaries["advisor_id"] if not people.beneficiaries.empty else pd.Series(dtype="Int64")
        )
        actions = due_reminders(
            windows,
            advisor_of,
            ledger_keys(conn, on),
            settings.reminders.beneficiary_days,
            settings.reminders.advisor_days,
        )
    plan = build_plan(actions, windows, people, settings, on)
    return NightResult(on, windows, plan, people, problems, not_read=not_read)


def print_dry_run(result: NightResult) -> None:
    plan = result.plan
    print(f"dry run for {result.on}: nothing is sent or recorded")
    for message in plan.messages:
        print(f"  would send {message.summary}")
    for row in plan.ledger:
        if row["status"] == "skipped":
            print(
                f"  would skip stage {row['stage']}d of decision {row['decision_id']} {row['forum']} for "
                f"{row['recipient_kind']} {row['recipient_id']} (a more urgent stage is due)"
            )
    for item in plan.unreachable:
        print(
            f"  no usable e-mail: {item.get('recipient', 'beneficiary')} for decision {item['decision_id']} "
            f"{item['forum']} deadline {item['safe_deadline']} ({item['reason']}): listed for a letter or call"
        )
    for problem in result.problems:
        print(f"  bad row: {problem}")
    print(
        f"{len(plan.messages)} message(s), {plan.count('skipped')} stage(s) skipped, "
        f"{len(plan.unreachable)} without usable e-mail, {len(result.problems)} bad row(s)"
    )


def supersede_stale(
    conn: Connection, windows: pd.DataFrame, on: date, offsets: dict[str, Sequence[int]] | None = None
) -> tuple[int, int]:
    """Settle the reminders an outage held in the outbox that must not go out as they are.

    A reminder is only true while its window is open with the same safe deadline, and only until a more
    urgent stage of the same series (decision, forum, deadline, recipient) has been queued or is due tonight
    (the catch-up rule of `due_reminders`, with the stage `offsets` by recipient kind). One whose safe
    deadline passed while it waited is `expired`: the family was not told, so the report lists them to call
    and the night exits 1. The others (appealed, withdrawn, interrupted, a new deadline, a later stage) are
    `superseded`. Messages claimed by a worker that vanished count as waiting. Returns (superseded, expired).
    """
    from jobs.deliver import claim_is_stale

    rows = conn.execute(
        select(messages.c.id.label("message_pk"), messages.c.status, messages.c.claimed_by, messages.c.lease_until,
               *[reminders.c[k] for k in KEY])
        .join(reminders, reminders.c.message_pk == messages.c.id)
        .where(messages.c.status.in_(("pending", "sending")), messages.c.kind == "reminder")
    ).all()  # fmt: skip
    waiting = [w for w in rows if w.status == "pending" or claim_is_stale(w)]
    if not waiting:
        return 0, 0
    state = {
        (int(d), str(f)): (str(status), pd.Timestamp(sd).date() if pd.notna(sd) else None)
        for d, f, status, sd in zip(
            windows["decision_id"], windows["forum"], windows["status"], windows["safe_deadline"], strict=True
        )
    }
    days_left = {
        (int(d), str(f)): int(n)
        for d, f, n in zip(windows["decision_id"], windows["forum"], windows["days_left"], strict=True)
        if pd.notna(n)
    }
    queued = conn.execute(
        select(*[reminders.c[k] for k in KEY]).where(
            reminders.c.status == "queued", reminders.c.safe_deadline >= min(w.safe_deadline for w in waiting)
        )
    ).all()
    most_urgent: dict[tuple[Any, ...], int] = {}
    for row in queued:
        series = tuple(getattr(row, k) for k in SERIES)
        most_urgent[series] = min(row.stage, most_urgent.get(series, row.stage))
    outcome: dict[str, list[Any]] = {"superseded": [], "expired": []}
    for w in waiting:
        deadline, now = as_date(w.safe_deadline), state.get((w.decision_id, w.forum))
        # The catch-up rule, as `due_reminders` applies it: only the most urgent stage due tonight goes.
        due = [
            o
            for o in (offsets or {}).get(w.recipient_kind, ())
            if now == ("open", deadline) and o >= days_left[(w.decision_id, w.forum)]
        ]
        if most_urgent[tuple(getattr(w, k) for k in SERIES)] < w.stage or (due and min(due) < w.stage):
            outcome["superseded"].append(w)
        elif now == ("open", deadline):
            continue  # still true: it goes out tonight (re-rendered first)
        elif deadline < on and (now is None or (now[0] in ("grace", "expired") and now[1] == deadline)):
            outcome["expired"].append(w)
        else:
            outcome["superseded"].append(w)
    answers = {
        "superseded": "no longer true: the window changed or a later stage went out",
        "expired": "deadline passed before delivery",
    }
    for status, settled in outcome.items():
        for w in settled:
            conn.execute(
                update(messages)
                .where(messages.c.id == w.message_pk, messages.c.status == w.status)
                .where(
                    messages.c.claimed_by.is_(None)
                    if w.claimed_by is None
                    else messages.c.claimed_by == w.claimed_by
                )
                .values(status=status, last_answer=answers[status])
            )
    return len(outcome["superseded"]), len(outcome["expired"])


def settle(
    engine: Engine,
    run_id: int,
    settings: Settings,
    on: date,
    windows: pd.DataFrame,
    people: People,
    plan: Plan,
) -> tuple[int, int, int, int]:
    """Write tonight's plan, then supersede, expire or re-render what an outage held (reminders, advisors'
    digests, supervisors' report mails), against tonight's windows, in one transaction.
    Returns (superseded, expired, re-rendered, held): held counts what waited before tonight's plan."""
    offsets: dict[str, Sequence[int]] = {
        "beneficiary": settings.reminders.beneficiary_days,
        "advisor": settings.reminders.advisor_days,
    }
    with engine.begin() as conn:
        # Write first: on SQLite a transaction that reads before its first write can fail on a stale
        # snapshot when another process (a `deliver`) wrote in between.
        conn.execute(update(runs).where(runs.c.id == run_id).values(status="running"))
        held = int(
            conn.execute(
                select(func.count())
                .select_from(messages)
                .where(messages.c.status.in_(("pending", "sending")))
            ).scalar_one()
        )
        write_plan(conn, plan, run_id)
        superseded, expired = supersede_stale(conn, windows, on, offsets)
        refreshed = refresh_held_reminders(conn, windows, people, settings, on)
        d_superseded, d_expired, d_refreshed = settle_held_digests(conn, windows, people, settings, on)
        superseded += d_superseded + supersede_old_reports(conn, on)
    return superseded, expired + d_expired, refreshed + d_refreshed, held


def supersede_old_reports(conn: Connection, on: date) -> int:
    """A supervisors' report mail held from an earlier night is not sent: the nights since have their own."""
    result = conn.execute(
        update(messages)
        .where(
            messages.c.kind == "report",
            messages.c.status == "pending",
            messages.c.message_id < f"<aw.report.{on:%Y%m%d}.",
        )
        .values(status="superseded", last_answer="a later night's report replaces it")
    )
    return int(result.rowcount or 0)


def settle_held(engine: Engine, settings: Settings, on: date, run_id: int) -> NightResult:
    """For `deliver`: what an outage held, settled against tonight's windows (nothing new is planned).
    Returns the night as read (for re-writing its report), with what was superseded and expired."""
    with engine.connect() as conn:
        windows, people, problems, _read = read_night(conn, settings, on)
    result = NightResult(on, windows, Plan(), people, problems)
    result.superseded, expired, result.refreshed, result.held = settle(
        engine, run_id, settings, on, windows, people, Plan()
    )
    result.delivery.expired = expired
    return result


def run_nightly(
    settings: Settings,
    on: date,
    dry_run: bool = False,
    wait: float = 0.0,
    progress: Progress | None = None,
) -> int:
    """The night; `wait` seconds for the lock if another run holds it; the monitor (if any) is pinged."""
    progress = progress or Progress()
    if dry_run:
        with database(settings.database.url) as engine:
            result = plan_night(engine, settings, on)
        progress.done()
        print_dry_run(result)
        return result.exit_code
    with monitored(settings) as outcome:
        with database(settings.database.url) as engine:
            run_id, result = _run(engine, settings, on, wait, progress)
        progress.done()
        result.kind = settings.notifier.kind
        outcome.code = _summary(run_id, result)
        stats = result.stats()
        outcome.note = (
            f"run {run_id} for {on}: {stats['sent']} sent, {stats['failed']} failed, {stats['expired']} expired, "
            f"{stats['left_pending']} still in the outbox, {stats['problems']} bad row(s)"
            + (f"; {result.stopped}" if result.stopped else "")
        )
    return outcome.code


def _run(
    engine: Engine, settings: Settings, on: date, wait: float, progress: Progress
) -> tuple[int, NightResult]:
    stop = StopFlag()
    with ExitStack() as held, stop.installed():

        def waiting() -> None:
            say(log, f"another run holds the lock: waiting up to {wait:g} s for it", wait_seconds=wait)

        try:
            lock = held.enter_context(
                job_lock(engine, "nightly", wait=wait, stopped=stop.is_set, on_wait=waiting)
            )
        except LockHeld as exc:
            # Refused, but on the record: `runs` shows the night was tried and why it did nothing.
            message = f"{stop.why} while waiting for the lock" if stop.is_set() else str(exc)
            record_refused(engine, "run", on, message)
            raise LockHeld(message) from None
        run_id = start_run(engine, "run", on)
        died = mark_died(engine, run_id)
        if died:
            say(
                log,
                f"{died} earlier run(s) had died without finishing (killed?): marked 'died' in `appealwatch runs`",
                err=True,
                died=died,
            )
        try:
            progress.step("reading decisions and computing windows")
            result = plan_night(engine, settings, on)
            lock.check()  # planned under the lock; written only if it is still ours
            progress.step("writing the plan")
            result.superseded, held_expired, result.refreshed, result.held = settle(
                engine, run_id, settings, on, result.windows, result.people, result.plan
            )
            result.delivery = run_workers(engine, settings, on, stop=stop, progress=progress)
            result.delivery.expired += held_expired
            from jobs.report import write_report

            progress.step("writing the report")
            result.report_paths = write_report(engine, settings, on, result, mail=True)
            result.report_mails = count_pending(engine, ("report",))
            if settings.report.recipients and not stop.is_set():
                # Only the supervisors' mails just queued: a backlog was tried a moment ago.
                result.delivery.merge(
                    run_workers(engine, settings, on, stop=stop, kinds=("report",), progress=progress)
                )
            result.delivery.left_pending = count_pending(engine)
            result.stopped = stopped_line(stop, result.delivery.left_pending)
        except LockHeld as exc:
            finish_run(engine, run_id, 3, {}, str(exc))
            raise
        except BaseException as exc:
            lost = lost_database(exc)
            if lost is not None:
                finish_run_if_possible(engine, run_id, 2, str(lost))
                raise lost from None
            finish_run(engine, run_id, 70, {}, describe_error(exc))
            raise
        finish_run(
            engine,
            run_id,
            result.exit_code,
            result.stats(),
            result.stopped,
            status="stopped" if result.stopped else None,
        )
    return run_id, result


def _summary(run_id: int, result: NightResult) -> int:
    on = result.on
    stats = result.stats()
    say(
        log,
        f"run {run_id} for {on}: {stats['windows'] + result.not_read} windows ({stats['windows']} scanned, "
        f"{result.not_read} closed for good before the scan's reach), {stats.get('windows_open', 0)} open; "
        f"{stats['messages']} message(s) planned, {stats['held']} held from earlier runs, "
        f"{stats['report_mails']} report mail(s): {stats['sent']} sent, {stats['failed']} failed, "
        f"{stats['expired']} expired, {stats['superseded']} superseded, {stats['left_pending']} waiting; "
        f"{stats['reminders_skipped']} stage(s) skipped; {stats['reminders_unreachable']} without usable "
        f"e-mail; {stats['problems']} bad row(s)",
        run_id=run_id,
        on=on.isoformat(),
        exit_code=result.exit_code,
        **stats,
    )
    if result.report_paths:
        say(log, f"report: {result.report_paths[0]}", run_id=run_id, report=result.report_paths[0])
    if result.problems or (result.exit_code and not result.delivery.incomplete):
        say(
            log,
            f"exit 1: {stats['problems']} bad row(s), {stats['failed']} refused, {stats['expired']} expired, "
            f"{stats['left_pending']} still in the outbox: see the report",
            err=True,
            run_id=run_id,
            exit_code=result.exit_code,
        )
    if result.stopped:
        say(log, result.stopped, err=True, run_id=run_id, stopped=True)
    elif result.delivery.incomplete:  # the last line: what went wrong with delivery, and what to do
        say(
            log,
            f"exit 1: {delivery_line(result.delivery, result.kind)}",
            err=True,
            run_id=run_id,
            exit_code=result.exit_code,
        )
    return result.exit_code
