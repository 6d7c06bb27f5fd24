"""Settling what an outage held in the outbox, against tonight's windows, in the transaction that writes
tonight's plan: a held message goes out only while it is still true, and says tonight's truth.

- a reminder whose window changed (appealed, withdrawn, interrupted, a new deadline) or whose series has had a
  more urgent stage since is `superseded`; one whose safe deadline passed while it waited is `expired` (the
  family was not told: the report lists them to call, and the night exits 1);
- a reminder still true is rendered again ("2 days left", not last week's "7 days left"): same Message-ID;
- a correction notice whose deadline changed again before it went out is `superseded` (tonight's notice
  names the date last delivered and tonight's one); one still true is rendered again (grace wording once
  its new safe deadline has passed);
- an advisor's digest keeps the items and corrections still true and is rendered again, or is superseded
  or expired;
- a supervisors' report mail from an earlier night is superseded: each night has its own.

Messages claimed by a worker that vanished count as waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, select, update

from jobs.config import Settings
from jobs.corrections import is_too_late, last_reminded
from jobs.due import KEY, SERIES, SUPERSEDED_CATCH_UP, SUPERSEDED_IN_FLIGHT, SUPERSEDED_WINDOW
from jobs.inputs import People, read_by_ids
from jobs.outbox.delivery import claim_is_stale
from jobs.outbox.ids import report_message_prefix
from jobs.outbox.plan import _item, _person, _Planner, _py, correction_item, digest_not_after
from jobs.outbox.queue import Plan, write_plan
from jobs.store import as_date, as_datetime, corrections, messages, reminders, runs


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
        c_superseded, c_expired, c_refreshed = settle_held_corrections(conn, windows, people, settings, on)
        d_superseded, d_expired, d_refreshed = settle_held_digests(conn, windows, people, settings, on)
        superseded += c_superseded + d_superseded + supersede_old_reports(conn, on)
    return superseded, expired + c_expired + d_expired, refreshed + c_refreshed + d_refreshed, held


def supersede_old_reports(conn: Connection, on: date) -> int:
    """A supervisors' report mail held from an earlier night is not sent: the nights since have their own."""
    result = conn.execute(
        update(messages)
        .where(
            messages.c.kind == "report",
            messages.c.status == "pending",
            messages.c.message_id < report_message_prefix(on),
        )
        .values(status="superseded", last_answer="a later night's report replaces it")
    )
    return int(result.rowcount or 0)


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
    why: dict[int, str] = {}  # message_pk -> why it was superseded (jobs.due: the re-armable kind, or not)
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
            why[w.message_pk] = SUPERSEDED_CATCH_UP
        elif now == ("open", deadline):
            continue  # still true: it goes out tonight (re-rendered first)
        elif deadline < on and (now is None or (now[0] in ("grace", "expired") and now[1] == deadline)):
            outcome["expired"].append(w)
        else:
            outcome["superseded"].append(w)
            # Re-armed should the window open again with this deadline, unless a vanished worker may have
            # handed it to the relay already (a stale claim): nothing sent may go again.
            why[w.message_pk] = SUPERSEDED_WINDOW if w.status == "pending" else SUPERSEDED_IN_FLIGHT
    for status, settled in outcome.items():
        for w in settled:
            answer = why.get(w.message_pk, "deadline passed before delivery")
            changed = conn.execute(
                update(messages)
                .where(messages.c.id == w.message_pk, messages.c.status == w.status)
                .where(
                    messages.c.claimed_by.is_(None)
                    if w.claimed_by is None
                    else messages.c.claimed_by == w.claimed_by
                )
                .values(status=status, last_answer=answer)
            )
            if status == "superseded" and changed.rowcount == 1:
                # The ledger row says when and why (`appealwatch history`), after what it said before.
                now = state.get((w.decision_id, w.forum))
                said = (
                    answer.removeprefix("no longer true: ")
                    if answer == SUPERSEDED_CATCH_UP
                    else "the decision left the scan"
                    if now is None
                    else f"the window was {now[0]}" + (f" with deadline {now[1]}" if now[0] == "open" else "")
                )
                if answer == SUPERSEDED_IN_FLIGHT:
                    said += " while a vanished worker held it (it may have gone out)"
                said = f"superseded on {on}: {said}"
                conn.execute(
                    update(reminders)
                    .where(reminders.c.message_pk == w.message_pk, reminders.c.status == "queued")
                    .values(detail=func.coalesce(reminders.c.detail + "; ", "") + said)
                )
    return len(outcome["superseded"]), len(outcome["expired"])


def refresh_held_reminders(
    conn: Connection, windows: pd.DataFrame, people: People, settings: Settings, on: date
) -> int:
    """Re-render the reminders that an outage held in the outbox since an earlier night, so that what goes out
    tonight says tonight's truth ("2 days left", not last week's "7 days left"). Same message, same Message-ID;
    only the text changes. Those no longer true at all were superseded just before."""
    held = conn.execute(
        select(messages.c.id, *[reminders.c[k] for k in ("decision_id", "forum", "safe_deadline", "stage")])
        .join(reminders, reminders.c.message_pk == messages.c.id)
        .join(runs, runs.c.id == messages.c.run_id)
        .where(messages.c.status == "pending", messages.c.kind == "reminder", runs.c.on_date < on)
    ).all()
    if not held:
        return 0
    planner = _Planner(windows, people, settings, on)
    refreshed = 0
    for row in held:
        key = {
            "decision_id": row.decision_id,
            "forum": row.forum,
            "safe_deadline": as_date(row.safe_deadline),
            "stage": row.stage,
        }
        fresh = planner.rerender(key)
        if fresh is not None:
            rendered, person = fresh
            conn.execute(
                update(messages)
                .where(messages.c.id == row.id, messages.c.status == "pending")
                .values(
                    subject=rendered.subject,
                    body_text=rendered.text,
                    body_html=rendered.html,
                    reply_to=planner.reply_to(person),  # the family's current advisor
                    to_name=person["full_name"],  # the family's current name, address and language
                    to_addr=person["address"],
                    language=person["lang"],
                )
            )
            refreshed += 1
    return refreshed


def _correction_now(
    planner: _Planner, row: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | None:
    """A correction (its `aw_corrections` row) as it reads tonight: (item, window, family), or None when it is
    no longer true: tonight's window of that decision and forum has another safe deadline (the deadline
    changed again), is not open or in grace any more, or the family is gone."""
    window = planner.windows.get((int(row.decision_id), str(row.forum)))
    if window is None or window["status"] not in ("open", "grace"):
        return None
    if _py(window["safe_deadline"]) != as_date(row.new_deadline):
        return None
    family = _person(planner.beneficiaries, window["beneficiary_id"])
    if family is None:
        return None
    due = {
        "decision_id": int(row.decision_id),
        "forum": str(row.forum),
        "new_deadline": as_date(row.new_deadline),
        "old_deadline": as_date(row.old_deadline),
        "why": str(row.why),
        "late": None if window["status"] == "open" else "grace",
    }
    return correction_item(due, window, family), window, family


HELD = ["decision_id", "forum", "recipient_kind", "recipient_id", "old_deadline", "new_deadline", "why",
        "detail", "status", "claimed_by", "lease_until"]  # fmt: skip


class _Held(NamedTuple):
    """One row of sql/held_corrections_of.sql, as SQLAlchemy's Row gave it: ints, text, dates, and the
    lease a datetime (or None) for claim_is_stale."""

    decision_id: int
    forum: str
    recipient_kind: str
    recipient_id: int
    old_deadline: date
    new_deadline: date
    why: str
    detail: str | None
    status: str
    claimed_by: str | None
    lease_until: datetime | None


def _held_rows(rows: pd.DataFrame) -> list[_Held]:
    """The rows read, each as a _Held (a handful a night): the driver's dates as ISO text on SQLite, its
    timestamps as text there too; None for NULL (pandas' NaN of a text column)."""
    return [
        _Held(
            int(r[0]),
            str(r[1]),
            str(r[2]),
            int(r[3]),
            as_date(r[4]),
            as_date(r[5]),
            str(r[6]),
            _text(r[7]),
            str(r[8]),
            _text(r[9]),
            _when(r[10]),
        )
        for r in rows.astype(object).itertuples(index=False, name=None)
    ]


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def _when(value: Any) -> datetime | None:
    """A DateTime column's value as SQLAlchemy reads it: a datetime (SQLite's text parsed), or None."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return as_datetime(value)


def expired_held(conn: Connection, windows: pd.DataFrame, on: date) -> list[dict[str, Any]]:
    """The correction notices that expired undelivered, for tonight's digest to list their families to call
    (`late` "expired", `called`): those an outage still holds (pending, or a stale claim) whose window tonight
    is expired with the new deadline they name (`settle_held_corrections` marks them expired in the same
    transaction), and those a `deliver` or a worker marked expired since; each once (the ledger row's detail
    then starts with "too late"), and only while its latest deadline is of the last two weeks."""
    expired = windows[(windows["status"] == "expired") & windows["safe_deadline"].notna()]
    if expired.empty:
        return []
    # Only the last two weeks' expired windows become dicts (whole-frame `to_dict` cost a second at 1M);
    # compared as days, which reach back to year 1 (`--on 0001-01-01`), where nanosecond timestamps do not.
    since = on - timedelta(days=14) if on > date.min + timedelta(days=14) else date.min
    latest = pd.to_datetime(expired["latest_deadline"]).to_numpy().astype("datetime64[D]")
    expired = expired[latest >= np.datetime64(since, "D")]
    # Each window's two deadlines by (decision, forum), from the columns (no dict per window); of a repeated
    # key the last window, as a dict of the records kept it.
    tonight = dict(
        zip(
            zip(
                expired["decision_id"].astype("int64").tolist(),
                expired["forum"].astype(str).tolist(),
                strict=True,
            ),
            zip(expired["safe_deadline"].tolist(), expired["latest_deadline"].tolist(), strict=True),
            strict=True,
        )
    )
    if not tonight:
        return []
    # The ledger's read by the driver's own statement and tuples (sql/held_corrections_of.sql, the ids one
    # array on PostgreSQL), as jobs.corrections' reads: SQLAlchemy's expanding `IN` over thousands of ids and
    # its Rows cost a tenth of a second of a 1M night.
    rows = read_by_ids(conn, "held_corrections_of", {d for d, _f in tonight}, HELD)
    due = []
    for row in _held_rows(rows):
        window = tonight.get((row.decision_id, row.forum))
        if window is None or _py(window[0]) != row.new_deadline or is_too_late(row.detail):
            continue
        if row.status == "sending" and not claim_is_stale(row):
            continue  # a live worker has it: it records the expiry, and the next night lists the family
        due.append(
            {k: getattr(row, k) for k in ("decision_id", "forum", "recipient_kind", "recipient_id", "why")}
            | {"old_deadline": row.old_deadline, "new_deadline": row.new_deadline,
               "late": "expired", "called": True, "latest_deadline": _py(window[1])}
        )  # fmt: skip
    return sorted(due, key=lambda c: (c["decision_id"], c["forum"], c["old_deadline"]))


def settle_held_corrections(
    conn: Connection, windows: pd.DataFrame, people: People, settings: Settings, on: date
) -> tuple[int, int, int]:
    """The correction notices an outage held in the outbox, settled against tonight's windows.

    A notice is true only while tonight's window has the new deadline it names. When the deadline changed again
    before it went out (or the window closed: an appeal, a withdrawal, an open complaint) it is `superseded`:
    the family never received it, so tonight's `due_corrections` compares with the date last *delivered* and
    tells the family that date and tonight's one, in one notice. One whose window expired while it waited is
    `expired`. One still true goes out re-rendered with tonight's facts (days left; the safe date passed, the
    latest not: the grace wording), with the family's current advisor as Reply-To; same Message-ID.
    Returns (superseded, expired, re-rendered)."""
    rows = conn.execute(
        select(messages.c.id, messages.c.status, messages.c.claimed_by, messages.c.lease_until,
               runs.c.on_date, corrections.c.decision_id, corrections.c.forum, corrections.c.new_deadline,
               corrections.c.old_deadline, corrections.c.why)
        .join(corrections, corrections.c.message_pk == messages.c.id)
        .outerjoin(runs, runs.c.id == messages.c.run_id)
        .where(messages.c.status.in_(("pending", "sending")), messages.c.kind == "correction")
    ).all()  # fmt: skip
    held = [c for c in rows if c.status == "pending" or claim_is_stale(c)]
    if not held:
        return 0, 0, 0
    planner = _Planner(windows, people, settings, on)
    counts = {"superseded": 0, "expired": 0, "refreshed": 0}
    for row in held:
        now = _correction_now(planner, row)
        if now is None:
            window = planner.windows.get((int(row.decision_id), str(row.forum)))
            same = window is not None and _py(window["safe_deadline"]) == as_date(row.new_deadline)
            status = (
                "expired" if same and window is not None and window["status"] == "expired" else "superseded"
            )
            answer = (
                "deadline passed before delivery"
                if status == "expired"
                else "no longer true: the deadline changed again before it went out"
            )
            conn.execute(update(messages).where(still_held(row)).values(status=status, last_answer=answer))
            counts[status] += 1
            continue
        if row.status != "pending" or (row.on_date is not None and as_date(row.on_date) >= on):
            continue  # planned tonight: already tonight's truth
        item, window, family = now
        if family["address"] is None:
            continue  # the address went bad while it waited: delivery refuses it and the report lists it
        advisor = _person(planner.advisors, family.get("advisor_id"))
        rendered = planner.render_correction(window, item, family, advisor)
        conn.execute(
            update(messages)
            .where(still_held(row))
            .values(
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                reply_to=planner.reply_to(family),
                to_name=family["full_name"],
                to_addr=family["address"],
                language=family["lang"],
                not_after=item["latest_deadline"] if item["late"] else item["safe_deadline"],
            )
        )
        counts["refreshed"] += 1
    return counts["superseded"], counts["expired"], counts["refreshed"]


def settle_held_digests(
    conn: Connection, windows: pd.DataFrame, people: People, settings: Settings, on: date
) -> tuple[int, int, int]:
    """The advisors' digests an outage held since an earlier night, settled against tonight like reminders.

    An item stays only while its window is open with the same safe deadline and no more urgent advisor stage
    is due (that one goes in tonight's digest); a family to call stays while its window is open and it still
    has no usable address. A digest with something left is rendered again with tonight's facts (days left,
    the advisor's name and address; same Message-ID); one with nothing left is `expired` when a deadline
    passed while it waited, else `superseded`. Returns (superseded, expired, re-rendered)."""
    rows = conn.execute(
        select(messages.c.id, messages.c.recipient_id, messages.c.run_id, messages.c.status,
               messages.c.claimed_by, messages.c.lease_until)
        .join(runs, runs.c.id == messages.c.run_id)
        .where(messages.c.status.in_(("pending", "sending")), messages.c.kind == "digest", runs.c.on_date < on)
    ).all()  # fmt: skip
    # As for reminders: one claimed by a worker that vanished (a stale claim) counts as waiting.
    held = [d for d in rows if d.status == "pending" or claim_is_stale(d)]
    if not held:
        return 0, 0, 0
    reminded = last_reminded(
        conn, windows.loc[windows["status"] == "open", "decision_id"].astype("int64").tolist()
    )
    planner = _Planner(windows, people, settings, on, reminded)
    stages = sorted(int(o) for o in settings.reminders.advisor_days)
    counts = {"superseded": 0, "expired": 0, "refreshed": 0}
    for digest in held:
        advisor = _person(planner.advisors, digest.recipient_id)
        rows = conn.execute(
            select(reminders).where(
                (reminders.c.message_pk == digest.id)
                | (
                    (reminders.c.run_id == digest.run_id)
                    & reminders.c.status.in_(("unreachable", "queued"))
                    & (reminders.c.recipient_kind == "beneficiary")
                )
            )
        ).all()
        items: list[dict[str, Any]] = []
        to_call: list[dict[str, Any]] = []
        # the family reminders queued the night the digest was planned: it said "e-mailed tonight" of them
        emailed = {
            (int(r.decision_id), str(r.forum))
            for r in rows
            if r.recipient_kind == "beneficiary" and r.status == "queued"
        }
        passed = False
        for row in rows:
            if row.recipient_kind == "beneficiary" and row.status == "queued":
                continue
            deadline = as_date(row.safe_deadline)
            window = planner.windows.get((int(row.decision_id), str(row.forum)))
            beneficiary = None if window is None else _person(planner.beneficiaries, window["beneficiary_id"])
            open_ = (
                window is not None
                and window["status"] == "open"
                and _py(window["safe_deadline"]) == deadline
                and beneficiary is not None
            )
            if not open_:
                passed = passed or deadline < on
                continue
            assert window is not None and beneficiary is not None
            key = {c: getattr(row, c) for c in ("decision_id", "forum", "stage")} | {
                "safe_deadline": deadline
            }
            item = _item(key, window, beneficiary)
            if row.message_pk == digest.id:
                if any(item["days_left"] <= o < row.stage for o in stages):
                    continue  # a more urgent advisor stage is due: tonight's digest carries it
                items.append(item)
            elif beneficiary["address"] is None and beneficiary.get("advisor_id") == digest.recipient_id:
                to_call.append({**item, "reason": beneficiary["address_problem"] or "missing",
                                "beneficiary_id": beneficiary["id"]})  # fmt: skip
        # The corrections the digest listed, while still true tonight (the deadline did not change again);
        # one whose deadline changed again is told in tonight's digest instead.
        corrected = []
        for fix in conn.execute(select(corrections).where(corrections.c.digest_pk == digest.id)).all():
            if is_too_late(fix.detail):
                window = planner.windows.get((int(fix.decision_id), str(fix.forum)))
                family = None if window is None else _person(planner.beneficiaries, window["beneficiary_id"])
                if (
                    window is not None
                    and family is not None
                    and _py(window["safe_deadline"]) == as_date(fix.new_deadline)
                ):
                    due = {c: getattr(fix, c) for c in ("decision_id", "forum", "why")} | {
                        "new_deadline": as_date(fix.new_deadline),
                        "old_deadline": as_date(fix.old_deadline),
                        "late": "expired",
                    }
                    corrected.append(correction_item(due, window, family))
                continue
            now = _correction_now(planner, fix)
            if now is not None:
                corrected.append(now[0])
        if advisor is None or advisor["address"] is None or not (items or to_call or corrected):
            status = "expired" if passed and advisor is not None else "superseded"
            answer = "deadline passed before delivery" if status == "expired" else "no longer true"
            conn.execute(update(messages).where(still_held(digest)).values(status=status, last_answer=answer))
            counts[status] += 1
            continue
        lang = advisor["lang"]
        rendered = planner.render_digest(advisor, items, to_call, emailed, corrected)
        conn.execute(
            update(messages)
            .where(still_held(digest))
            .values(
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                to_name=advisor["full_name"],
                to_addr=advisor["address"],
                language=lang,
                not_after=digest_not_after(items + to_call, corrected, on),
            )
        )
        counts["refreshed"] += 1
    return counts["superseded"], counts["expired"], counts["refreshed"]


def still_held(row: Any) -> Any:
    """The condition that a message is still exactly as it was judged (pending, or the same stale claim)."""
    claim = (
        messages.c.claimed_by.is_(None) if row.claimed_by is None else messages.c.claimed_by == row.claimed_by
    )
    return and_(messages.c.id == row.id, messages.c.status == row.status, claim)
