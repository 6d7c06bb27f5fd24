"""The night: `appealwatch run` and `appealwatch deliver`, without the command line (`jobs.commands`).

scan -> validate -> windows (the pure engine) -> what is due -> render -> outbox and ledger (one transaction)
-> delivery (claim, send, mark) -> supervisor report -> run log. The job lock makes one run at a time; the
ledger, not the lock, is what makes every reminder go out once, whatever crashes or reruns happen (the
outbox, `jobs.outbox`, says how). The caller opens the database and says what happened.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, case, func, select

from deadlines.engine import compute_windows
from deadlines.validate import Problem
from jobs.collector import collector_paused
from jobs.config import Settings
from jobs.corrections import due_corrections, last_reminded
from jobs.db import LockHeld, describe_error, job_lock, lost_database
from jobs.due import KEY, SUPERSEDED_WINDOW, due_reminders
from jobs.exits import Exit
from jobs.inputs import (
    People,
    checked_people,
    decisions_not_read,
    families_among,
    families_of,
    optional_columns,
    read_families,
    read_unchecked,
    validated,
)
from jobs.logs import say
from jobs.outbox.delivery import (
    DeliveryStats,
    StopFlag,
    count_pending,
    delivery_line,
    run_workers,
    stopped_line,
)
from jobs.outbox.plan import build_plan
from jobs.outbox.queue import Plan
from jobs.outbox.settle import expired_held, settle
from jobs.progress import Progress
from jobs.runlog import (
    finish_run,
    finish_run_if_possible,
    mark_died,
    now_utc,
    record_refused,
    record_work_done,
    start_run,
)
from jobs.store import attempts, messages, reminders, runs

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
    uncovered: int = (
        0  # open windows due within 14 days that no reminder and no call list covers (the report)
    )
    kind: str = "smtp"  # [notifier] kind, for the wording of the last line
    stopped: str = ""  # what stopped the run (SIGTERM, SIGINT), for the last line and the run log
    work_done_at: datetime | None = None  # the night's reminders and digests done, its report not yet written

    def stats(self) -> dict[str, Any]:
        counts = self.windows["status"].value_counts().to_dict() if not self.windows.empty else {}
        return {
            "windows": len(self.windows),
            "decisions_not_read": self.not_read,
            **{f"windows_{k}": int(v) for k, v in sorted(counts.items())},
            "reminders_queued": self.plan.count("queued"),
            "reminders_skipped": self.plan.count("skipped"),
            "reminders_unreachable": self.plan.count("unreachable"),
            "corrections": len(self.plan.corrections),
            "messages": len(self.plan.messages),
            "problems": len(self.problems),
            "superseded": self.superseded,
            "refreshed": self.refreshed,
            "held": self.held,
            "report_mails": self.report_mails,
            **self.delivery.as_dict(),
            **({"work_done_at": self.work_done_at.isoformat()} if self.work_done_at else {}),
        }

    @property
    def exit_code(self) -> Exit:
        return Exit.PARTIAL if self.problems or self.delivery.incomplete or self.uncovered else Exit.OK

    def bad_rows_line(self) -> str:
        """The line of a night that exits 1 for its rows (or what failed), "" when it has none."""
        if not (self.problems or (self.exit_code and not self.delivery.incomplete)):
            return ""
        stats = self.stats()
        return (
            f"exit 1: {stats['problems']} bad row(s), {stats['failed']} refused, {stats['expired']} expired, "
            f"{stats['left_pending']} still in the outbox: see the report"
        )

    def last_line(self) -> str:
        """The night's last line when it did not end cleanly (what stopped it, or what failed); "" if it did.
        Printed last by `run`, and the note `appealwatch runs` shows."""
        if self.stopped:
            return self.stopped
        if self.delivery.incomplete:
            return f"exit 1: {delivery_line(self.delivery, self.kind)}"
        return self.bad_rows_line()


def ledger_keys(conn: Connection, on: date) -> pd.DataFrame:
    """The ledger keys that can still matter: only a window with safe_deadline >= today is open. `rearmable`:
    a family reminder superseded while it waited because its window closed (`SUPERSEDED_WINDOW`), with no
    attempt that delivered it (`jobs.due`: planned again if its window is open again with that deadline)."""
    delivered = (
        select(attempts.c.id).where(attempts.c.message_pk == messages.c.id, attempts.c.ok.is_(True)).exists()
    )
    rearmable = case(
        (
            and_(
                reminders.c.status == "queued",
                messages.c.kind == "reminder",
                messages.c.status == "superseded",
                messages.c.last_answer == SUPERSEDED_WINDOW,
                ~delivered,
            ),
            True,
        ),
        else_=False,
    )
    rows = conn.execute(
        select(*[reminders.c[k] for k in KEY], rearmable.label("rearmable"))
        .outerjoin(messages, messages.c.id == reminders.c.message_pk)
        .where(reminders.c.safe_deadline >= on)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[*KEY, "rearmable"])


def with_decision_details(windows: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """The windows with their decision's `decided_on` and `reference` (the reference printed on the decision
    letter, for the mails and the report, or None), as read_decisions read them with the decisions."""
    decided = decisions[["id", "decided_on", "reference"]].rename(columns={"id": "decision_id"})
    decided = decided.assign(decision_id=decided["decision_id"].astype("int64"))
    return windows.merge(decided, on="decision_id", how="left")


def read_night(
    conn: Connection, settings: Settings, on: date
) -> tuple[pd.DataFrame, People, list[Problem], int]:
    """The night's windows (from the scan), their families and advisors, the bad rows met on the way, and how
    many rows of decisions the scan read (bad ones included)."""
    present = optional_columns(conn)  # once per run: the contract's optional columns the fund has
    scanned = read_unchecked(conn, on, "scan", present)  # with `reference` (None if the fund lacks it)
    # The families of every window in the scan, not only the open ones: a bad address or language is
    # reported while it can still matter (grace, an interrupted window, a decision not yet notified). They
    # are read on the connection by a thread of their own while the decisions are validated and their
    # windows worked out (the connection is not used otherwise meanwhile): the database's work and this
    # process's overlap, where one waited for the other (docs/performance.md). Read by the families the
    # scanned rows name, a few more than the windows' (a bad row's), then kept to the windows' own.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="appealwatch-read") as reader:
        asked = families_of(scanned.decisions)
        families = reader.submit(read_families, conn, asked, present)
        inputs = validated(scanned, present)
        windows = with_decision_details(
            compute_windows(inputs.decisions, inputs.appeals, inputs.complaints, on), inputs.decisions
        )
        read = families.result()
    beneficiaries, advisors, missing = families_among(*read, asked, windows["beneficiary_id"])
    if missing:  # never: the windows are the scanned rows'; were it to happen, read by the windows' families
        beneficiaries, advisors = read_families(conn, windows["beneficiary_id"], present)
    people = checked_people(beneficiaries, advisors, settings.reminders.fallback_language)
    return windows, people, inputs.problems + people.problems, inputs.read


def plan_night(engine: Engine, settings: Settings, on: date) -> NightResult:
    """Everything up to the messages; writes nothing."""
    # The collector paused while the night is read and planned (jobs.collector).
    with collector_paused():
        with engine.connect() as conn:
            windows, people, problems, read = read_night(conn, settings, on)
            not_read = decisions_not_read(conn, read)
            actions = due_stages(conn, windows, people, settings, on)
            # tonight's corrections, then the families whose notice expired undelivered: to call (the digest)
            corrections = due_corrections(conn, windows) + expired_held(conn, windows, on)
            # the digest says when a family not reminded tonight was last reminded (or never)
            reminded = last_reminded(
                conn, windows.loc[windows["status"] == "open", "decision_id"].astype("int64").tolist()
            )
        plan = build_plan(actions, windows, people, settings, on, corrections, reminded)
    return NightResult(on, windows, plan, people, problems, not_read=not_read)


def due_stages(
    conn: Connection, windows: pd.DataFrame, people: People, settings: Settings, on: date
) -> pd.DataFrame:
    """The reminder stages due tonight (jobs.due), against what the ledger holds already."""
    advisor_of = (
        people.beneficiaries["advisor_id"] if not people.beneficiaries.empty else pd.Series(dtype="Int64")
    )
    return due_reminders(
        windows,
        advisor_of,
        ledger_keys(conn, on),
        settings.reminders.beneficiary_days,
        settings.reminders.advisor_days,
    )


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


def run_night(
    engine: Engine, settings: Settings, on: date, wait: float = 0.0, progress: Progress | None = None
) -> tuple[int, NightResult]:
    """The night, under the job lock (`wait` seconds for it if another run holds it), on the run log.
    Returns the run's id and what the night saw and did."""
    progress = progress or Progress()
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
            progress.step("writing the report")
            # The run's end as its report shows it, on the record first: the same whenever it is written again.
            result.work_done_at = now_utc()
            record_work_done(engine, run_id, result.stats())
            # Imported here: its charts and workbook cost a dry run about 1 s of imports.
            from jobs.report import write_report

            report = write_report(engine, settings, on, result.windows, result.problems, mail=True)
            result.report_paths, result.uncovered = report.paths, report.uncovered
            result.report_mails = count_pending(engine, ("report",))
            if settings.report.recipients and not stop.is_set():
                # Only the supervisors' mails just queued: a backlog was tried a moment ago.
                result.delivery.merge(
                    run_workers(engine, settings, on, stop=stop, kinds=("report",), progress=progress)
                )
            result.delivery.left_pending = count_pending(engine)
            result.stopped = stopped_line(stop, result.delivery.left_pending)
        except LockHeld as exc:
            finish_run(engine, run_id, Exit.LOCKED, {}, str(exc))
            raise
        except BaseException as exc:
            lost = lost_database(exc)
            if lost is not None:
                finish_run_if_possible(engine, run_id, Exit.USAGE, str(lost))
                raise lost from None
            finish_run(engine, run_id, Exit.BUG, {}, describe_error(exc))
            raise
        result.kind = settings.notifier.kind
        finish_run(
            engine,
            run_id,
            result.exit_code,
            result.stats(),
            result.last_line(),
            status="stopped" if result.stopped else None,
        )
    return run_id, result


@dataclass
class Delivered:
    """What `appealwatch deliver` did: its pass over the outbox, and what the outage had held."""

    run_id: int
    on: date
    stats: DeliveryStats
    held: int  # messages that waited in the outbox when it started
    superseded: int
    stopped: str  # what stopped it (SIGTERM, SIGINT), for the last line and the run log; "" if nothing

    @property
    def exit_code(self) -> Exit:
        return Exit.PARTIAL if self.stats.incomplete else Exit.OK

    def counts(self) -> dict[str, Any]:
        return {**self.stats.as_dict(), "held": self.held, "superseded": self.superseded}


def deliver_held(
    engine: Engine, settings: Settings, on: date, workers: int = 1, progress: Progress | None = None
) -> Delivered:
    """What the outbox still holds (after an SMTP outage, or as extra workers), settled against tonight's
    windows first, then delivered; the night's report is written again if its mail waited too."""
    progress = progress or Progress()
    stop = StopFlag()
    with stop.installed():
        run_id = start_run(engine, "deliver", on)
        try:
            # Like a run: what the outage held is checked against tonight's windows before it goes out.
            progress.step("settling what the outbox held")
            night = settle_held(engine, settings, on, run_id)
            expired = night.delivery.expired
            stats = run_workers(
                engine,
                settings,
                on,
                workers,
                kinds=("reminder", "correction", "digest"),
                stop=stop,
                progress=progress,
            )
            stats.expired += expired
            if count_pending(engine, ("report",)):
                # The night's report mail waited too: written again now, so that it says what went out.
                with engine.connect() as conn:
                    ran = conn.execute(
                        select(func.count())
                        .select_from(runs)
                        .where(runs.c.command == "run", runs.c.on_date == on)
                    ).scalar_one()
                if ran:
                    from jobs.report import write_report  # see run_nightly

                    night.delivery = stats
                    write_report(engine, settings, on, night.windows, night.problems, mail=True)
                stats.merge(run_workers(engine, settings, on, workers, kinds=("report",), stop=stop))
            stats.left_pending = count_pending(engine)
        except BaseException as exc:
            lost = lost_database(exc)
            if lost is not None:
                finish_run_if_possible(engine, run_id, Exit.USAGE, str(lost))
                raise lost from None
            finish_run(engine, run_id, Exit.BUG, {}, describe_error(exc))
            raise
        done = Delivered(
            run_id, on, stats, night.held, night.superseded, stopped_line(stop, stats.left_pending)
        )
        # The note `runs` shows: what stopped it, or what failed (the last line `deliver` prints).
        failed = f"exit 1: {delivery_line(stats, settings.notifier.kind)}" if done.exit_code else ""
        finish_run(
            engine,
            run_id,
            done.exit_code,
            done.counts(),
            done.stopped or failed,
            status="stopped" if done.stopped else None,
        )
    return done
