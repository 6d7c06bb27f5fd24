"""`appealwatch history DECISION_ID`: everything the job did about one decision, oldest first.

The fund's evidence when a family says it was never told: each deadline the job quoted (its ledger rows) and
the one it computes today (the window as of `on`), each reminder stage and what became of it (sent, skipped,
superseded, expired, corrected, unreachable, pending, failed), each correction notice, and each delivery
attempt with the mail server's answer and its time. Read from the ledger (`aw_reminders`, `aw_corrections`),
the outbox (`aw_messages`) and the attempts log (`aw_attempts`); nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select

from jobs.store import as_date, as_datetime, attempts, corrections, messages, reminders


@dataclass
class History:
    decision_id: int
    on: date
    events: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    windows: list[dict[str, Any]] = field(default_factory=list)  # as computed for `on`
    found: bool = False  # the decision is in the fund's table or the ledger knows it


def _when(value: Any) -> datetime:
    when = as_datetime(value)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _outcome(ledger_status: str, message_status: str | None, corrected_to: date | None) -> str:
    """What became of one stage: its ledger status, or its message's, and "corrected" when a correction
    notice later replaced the deadline it quoted."""
    if ledger_status != "queued" or message_status is None:
        return ledger_status
    if message_status == "sent" and corrected_to is not None:
        return "corrected"
    return message_status


def decision_history(conn: Connection, decision_id: int, on: date) -> History:
    """The decision's history as of `on` (the windows computed for that day come last)."""
    from deadlines.engine import compute_windows
    from jobs.inputs import read_decisions  # pandas: imported when it runs (jobs.commands)

    history = History(decision_id, on)
    fixes = conn.execute(
        select(corrections, messages.c.status.label("message_status"), messages.c.message_id,
               messages.c.last_answer)
        .outerjoin(messages, messages.c.id == corrections.c.message_pk)
        .where(corrections.c.decision_id == decision_id)
        .order_by(corrections.c.id)
    ).mappings().all()  # fmt: skip
    stages = conn.execute(
        select(reminders, messages.c.status.label("message_status"), messages.c.message_id,
               messages.c.kind.label("message_kind"))
        .outerjoin(messages, messages.c.id == reminders.c.message_pk)
        .where(reminders.c.decision_id == decision_id)
        .order_by(reminders.c.id)
    ).mappings().all()  # fmt: skip
    # Only a notice the family received replaced a date; one an outage held and tonight superseded did not.
    replaced = {
        (str(c["forum"]), as_date(c["old_deadline"])): as_date(c["new_deadline"])
        for c in fixes
        if c["message_status"] == "sent"
    }
    events: list[tuple[datetime, int, dict[str, Any]]] = []
    pks: dict[int, str] = {}
    for row in stages:
        deadline = as_date(row["safe_deadline"])
        corrected_to = (
            replaced.get((str(row["forum"]), deadline)) if row["recipient_kind"] == "beneficiary" else None
        )
        outcome = _outcome(str(row["status"]), row["message_status"], corrected_to)
        event = {
            "at": _when(row["created_at"]),
            "event": "stage",
            "night": as_date(row["due_on"]),
            "forum": row["forum"],
            "safe_deadline": deadline,
            "recipient": f"{row['recipient_kind']} {row['recipient_id']}",
            "stage": int(row["stage"]),
            "outcome": outcome,
            "detail": row["detail"] or (f"corrected to {corrected_to}" if outcome == "corrected" else None),
            "message_id": row["message_id"],
        }
        events.append((event["at"], 1, event))
        if row["message_pk"] is not None:
            pks[int(row["message_pk"])] = str(row["message_kind"])
    for row in fixes:
        event = {
            "at": _when(row["created_at"]),
            "event": "correction",
            "night": as_date(row["due_on"]),
            "forum": row["forum"],
            "old_deadline": as_date(row["old_deadline"]),
            "safe_deadline": as_date(row["new_deadline"]),
            "recipient": f"{row['recipient_kind']} {row['recipient_id']}",
            "why": row["why"],
            "outcome": row["message_status"] or row["status"],
            # why it was not sent as planned: the family had no address or it was too late (the ledger), or
            # an outage held it and it was superseded or expired (the outbox's answer)
            "detail": row["detail"]
            or (row["last_answer"] if row["message_status"] in ("superseded", "expired") else None),
            "message_id": row["message_id"],
        }
        events.append((event["at"], 1, event))
        if row["message_pk"] is not None:
            pks[int(row["message_pk"])] = "correction"
    if pks:
        tries = conn.execute(
            select(attempts, messages.c.message_id)
            .join(messages, messages.c.id == attempts.c.message_pk)
            .where(attempts.c.message_pk.in_(sorted(pks)))
            .order_by(attempts.c.id)
        ).mappings().all()  # fmt: skip
        for row in tries:
            event = {
                "at": _when(row["at"]),
                "event": "attempt",
                "message_id": row["message_id"],
                "kind": pks[int(row["message_pk"])],
                "outcome": "delivered"
                if row["ok"]
                else "refused for good"
                if row["permanent"]
                else "not delivered",
                "code": row["code"],
                "answer": row["answer"],
            }
            events.append((event["at"], 2, event))
    history.events = [e for _at, _order, e in sorted(events, key=lambda t: (t[0], t[1]))]

    inputs = read_decisions(conn, on, decision_id)
    if not inputs.decisions.empty:
        windows = compute_windows(inputs.decisions, inputs.appeals, inputs.complaints, on)
        for w in windows.to_dict("records"):
            history.windows.append(
                {
                    "event": "window",
                    "on": on,
                    "forum": w["forum"],
                    "status": w["status"],
                    "safe_deadline": _day(w["safe_deadline"]),
                    "latest_deadline": _day(w["latest_deadline"]),
                }
            )
    history.found = bool(history.events or history.windows)
    return history


def _day(value: Any) -> date | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def as_json(history: History) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date | datetime) else value

    return {
        "decision_id": history.decision_id,
        "on": history.on.isoformat(),
        "events": [{k: plain(v) for k, v in e.items()} for e in history.events],
        "windows": [{k: plain(v) for k, v in w.items()} for w in history.windows],
    }


def as_text(history: History) -> str:
    lines = [f"decision {history.decision_id}: what the job did, oldest first (times in UTC)"]
    for e in history.events:
        at = e["at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        if e["event"] == "stage":
            line = (
                f"{at}  night {e['night']}  {e['forum']}  deadline {e['safe_deadline']}  "
                f"stage {e['stage']}d to {e['recipient']}: {e['outcome']}"
            )
        elif e["event"] == "correction":
            line = (
                f"{at}  night {e['night']}  {e['forum']}  correction to {e['recipient']}: deadline "
                f"{e['old_deadline']} -> {e['safe_deadline']} ({e['why']}): {e['outcome']}"
            )
        else:
            code = "" if e["code"] is None else f"{e['code']} "
            line = f"{at}  attempt {e['kind']} {e['message_id']}: {e['outcome']}: {code}{e['answer']}"
        if e.get("detail"):
            line += f" ({e['detail']})"
        lines.append(line)
    if not history.events:
        lines.append("(nothing in the ledger: no reminder was ever due for this decision)")
    for w in history.windows:
        lines.append(
            f"as of {w['on']}  {w['forum']}  window {w['status']}  safe deadline {w['safe_deadline'] or '-'}  "
            f"latest {w['latest_deadline'] or '-'}"
        )
    return "\n".join(lines)
