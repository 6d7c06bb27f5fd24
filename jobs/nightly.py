"""`appealwatch run`: the nightly job.

scan -> validate -> windows (the pure engine) -> what is due -> render -> outbox and ledger (one transaction)
-> delivery (claim, send, mark) -> supervisor report -> run log. The job lock makes one run at a time; the
ledger, not the lock, is what makes every reminder go out once, whatever crashes or reruns happen.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select, update

from deadlines.engine import compute_windows
from deadlines.validate import Problem
from jobs.config import Settings
from jobs.db import LockHeld, database, describe_error, job_lock
from jobs.deliver import DeliveryStats, StopFlag, count_pending, run_workers
from jobs.due import KEY, SERIES, due_reminders
from jobs.inputs import People, decisions_not_read, read_decisions, read_people
from jobs.plan import Plan, build_plan, refresh_held_reminders, write_plan
from jobs.runlog import finish_run, start_run
from jobs.store import as_date, messages, reminders, runs


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
    not_read: int = 0  # decisions the scan did not read: their windows closed for good before its reach
    report_paths: list[str] = field(default_factory=list)

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


def supersede_stale(conn: Connection, windows: pd.DataFrame, on: date) -> tuple[int, int]:
    """Settle the reminders an outage held in the outbox that must not go out as they are.

    A reminder is only true while its window is open with the same safe deadline, and only until a more
    urgent stage of the same series (decision, forum, deadline, recipient) has been queued. One whose safe
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
        if most_urgent[tuple(getattr(w, k) for k in SERIES)] < w.stage:
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
) -> tuple[int, int, int]:
    """Write tonight's plan, then supersede, expire or re-render what an outage held, against tonight's
    windows, in one transaction. Returns (superseded, expired, re-rendered)."""
    with engine.begin() as conn:
        # Write first: on SQLite a transaction that reads before its first write can fail on a stale
        # snapshot when another process (a `deliver`) wrote in between.
        conn.execute(update(runs).where(runs.c.id == run_id).values(status="running"))
        write_plan(conn, plan, run_id)
        superseded, expired = supersede_stale(conn, windows, on)
        refreshed = refresh_held_reminders(conn, windows, people, settings, on)
    return superseded, expired, refreshed


def settle_held(engine: Engine, settings: Settings, on: date, run_id: int) -> tuple[int, int]:
    """For `deliver`: what an outage held, settled against tonight's windows (nothing new is planned)."""
    with engine.connect() as conn:
        windows, people, _problems, _read = read_night(conn, settings, on)
    superseded, expired, _refreshed = settle(engine, run_id, settings, on, windows, people, Plan())
    return superseded, expired


def run_nightly(settings: Settings, on: date, dry_run: bool = False) -> int:
    with database(settings.database.url) as engine:
        if dry_run:
            result = plan_night(engine, settings, on)
            print_dry_run(result)
            return result.exit_code
        run_id, result = _run(engine, settings, on)
    return _summary(run_id, result)


def _run(engine: Engine, settings: Settings, on: date) -> tuple[int, NightResult]:
    stop = StopFlag()
    with job_lock(engine, "nightly") as lock, stop.installed():
        run_id = start_run(engine, "run", on)
        try:
            result = plan_night(engine, settings, on)
            lock.check()  # planned under the lock; written only if it is still ours
            result.superseded, held_expired, result.refreshed = settle(
                engine, run_id, settings, on, result.windows, result.people, result.plan
            )
            result.delivery = run_workers(engine, settings, on, stop=stop)
            result.delivery.expired += held_expired
            from jobs.report import write_report

            result.report_paths = write_report(engine, settings, on, result, mail=True)
            if settings.report.recipients and not stop.is_set():
                # Only the supervisors' mails just queued: a backlog was tried a moment ago.
                result.delivery.merge(run_workers(engine, settings, on, stop=stop, kinds=("report",)))
            result.delivery.left_pending = count_pending(engine)
        except LockHeld as exc:
            finish_run(engine, run_id, 3, {}, str(exc))
            raise
        except BaseException as exc:
            finish_run(engine, run_id, 70, {}, describe_error(exc))
            raise
        finish_run(engine, run_id, result.exit_code, result.stats())
    return run_id, result


def _summary(run_id: int, result: NightResult) -> int:
    on = result.on
    stats = result.stats()
    print(
        f"run {run_id} for {on}: {stats['windows'] + result.not_read} windows ({stats['windows']} scanned, "
        f"{result.not_read} closed for good before the scan's reach), {stats.get('windows_open', 0)} open; "
        f"{stats['messages']} message(s) planned, {stats['sent']} sent, {stats['failed']} failed, "
        f"{stats['deferred']} deferred, {stats['expired']} expired; {stats['reminders_skipped']} stage(s) "
        f"skipped; {stats['reminders_unreachable']} without usable e-mail; {stats['problems']} bad row(s)"
    )
    if result.report_paths:
        print(f"report: {result.report_paths[0]}")
    if result.exit_code:
        print(
            f"exit 1: {stats['problems']} bad row(s), {stats['failed']} refused, {stats['expired']} expired, "
            f"{stats['left_pending']} still in the outbox: see the report",
            file=sys.stderr,
        )
    return result.exit_code
