"""Writing the outbox and the ledger: tonight's plan (its messages, pending, and its ledger rows) in the
caller's transaction, and the supervisors' report mails.

The ledger row (decision, forum, safe_deadline, recipient, stage) is the exactly-once key; the message it
points to was rendered when it was planned, so the ledger shows exactly what was sent, and carries a
Message-ID derived from the key (`jobs.outbox.ids`). Both are written with INSERT ... ON CONFLICT DO NOTHING
on their unique keys: if the transaction commits, every message is pending in the outbox and delivery can
claim it; if it does not, nothing was recorded and the next run plans the same stages again. Nothing is lost
either way, and a key another process wrote meanwhile is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from jobs.channels import DEFAULT_CHANNEL
from jobs.config import Settings
from jobs.due import KEY, SUPERSEDED_WINDOW
from jobs.outbox.ids import message_domain, report_message_id
from jobs.runlog import now_utc
from jobs.store import CORRECTION_KEY, corrections, messages, reminders


@dataclass
class PlannedMessage:
    message_id: str
    kind: str  # reminder | digest | report | correction (jobs.states.MessageKind)
    recipient_kind: str
    recipient_id: int | None
    to_name: str
    to_addr: str
    language: str
    subject: str
    text: str
    html: str
    not_after: date
    summary: str  # one line for --dry-run and the log
    channel: str = DEFAULT_CHANNEL  # the notifier channel that delivers it (aw_messages.channel)
    reply_to: str | None = None  # "Name <address>" a reply goes to (a reminder: the advisor, else the fund)


@dataclass
class Plan:
    messages: list[PlannedMessage] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)  # rows for aw_reminders (+ "message_id")
    unreachable: list[dict[str, Any]] = field(default_factory=list)  # for the supervisor report
    # rows for aw_corrections (+ "message_id" and "digest_message_id"): jobs.corrections
    corrections: list[dict[str, Any]] = field(default_factory=list)
    # corrections whose notice expired undelivered, listed to call in tonight's digest: the key of each
    # existing aw_corrections row, its new "detail" and "digest_message_id" (jobs.outbox.settle)
    called: list[dict[str, Any]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.ledger if row["status"] == status)


def insert_for(conn: Connection) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING on both SQLite and PostgreSQL."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def queue_messages(conn: Connection, planned: list[PlannedMessage], run_id: int | None) -> None:
    """Put rendered messages in the outbox, pending; a Message-ID already there is left as it is."""
    if not planned:
        return
    now = now_utc()
    conn.execute(
        insert_for(conn)(messages).on_conflict_do_nothing(index_elements=["message_id"]),
        [
            {
                "message_id": m.message_id,
                "channel": m.channel,
                "kind": m.kind,
                "recipient_kind": m.recipient_kind,
                "recipient_id": m.recipient_id,
                "to_name": m.to_name,
                "to_addr": m.to_addr,
                "language": m.language,
                "subject": m.subject,
                "body_text": m.text,
                "body_html": m.html,
                "reply_to": m.reply_to,
                "status": "pending",
                "not_after": m.not_after,
                "attempts": 0,
                "run_id": run_id,
                "created_at": now,
            }
            for m in planned
        ],
    )


def write_plan(conn: Connection, plan: Plan, run_id: int) -> None:
    """Outbox and ledger in the caller's transaction; keys already present are left as they are."""
    queue_messages(conn, plan.messages, run_id)
    ids = [m.message_id for m in plan.messages]  # reminders, corrections and digests
    pks: dict[str, int] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        found = conn.execute(
            select(messages.c.message_id, messages.c.id).where(messages.c.message_id.in_(chunk))
        )
        pks.update({message_id: pk for message_id, pk in found})
    fresh = [row for row in plan.ledger if not row.get("rearm")]
    if fresh:
        now = now_utc()
        conn.execute(
            insert_for(conn)(reminders).on_conflict_do_nothing(index_elements=KEY),  # uq_aw_reminders_key
            [
                {
                    **{k: v for k, v in row.items() if k != "message_id"},
                    "message_pk": pks.get(row["message_id"]) if row["message_id"] else None,
                    "run_id": run_id,
                    "created_at": now,
                }
                for row in fresh
            ],
        )
    rearm(conn, plan, [row for row in plan.ledger if row.get("rearm")], run_id)
    if plan.corrections:
        now = now_utc()
        conn.execute(
            insert_for(conn)(corrections).on_conflict_do_nothing(
                index_elements=list(CORRECTION_KEY)
            ),  # uq_aw_corrections_change: one notice per change (the old deadline and the new one)
            [
                {
                    **{k: v for k, v in row.items() if k not in ("message_id", "digest_message_id")},
                    "message_pk": pks.get(row["message_id"]) if row["message_id"] else None,
                    "digest_pk": pks.get(row["digest_message_id"]) if row["digest_message_id"] else None,
                    "run_id": run_id,
                    "created_at": now,
                }
                for row in plan.corrections
            ],
        )
    for row in plan.called:
        # Once: only while the row does not say yet that the family is to be called.
        conn.execute(
            update(corrections)
            .where(*[corrections.c[k] == row[k] for k in CORRECTION_KEY],
                   or_(corrections.c.detail.is_(None), ~corrections.c.detail.startswith("too late")))
            .values(detail=row["detail"],
                    **({"digest_pk": pks[row["digest_message_id"]]} if row["digest_message_id"] in pks else {}))
        )  # fmt: skip


def rearm(conn: Connection, plan: Plan, rows: list[dict[str, Any]], run_id: int) -> None:
    """Re-arm ledger rows planned again (`jobs.due`: a reminder superseded unsent because its window closed,
    open again with the same deadline): the same row and the same message, pending again with tonight's text,
    and the row says when and why. Only a message still superseded for that reason is touched, so nothing
    sent, and nothing another process settled meanwhile, is ever put back."""
    planned = {m.message_id: m for m in plan.messages}
    for row in rows:
        key = [reminders.c[k] == row[k] for k in KEY]
        held = (
            select(messages.c.id)
            .join(reminders, reminders.c.message_pk == messages.c.id)
            .where(*key, reminders.c.status == "queued")
            .where(messages.c.status == "superseded", messages.c.last_answer == SUPERSEDED_WINDOW)
        )
        pk = conn.execute(held).scalar_one_or_none()
        if pk is None:
            continue
        why = f"re-armed on {row['due_on']}: the window is open again with the same deadline; it had not gone out"
        message = planned.get(row["message_id"]) if row["message_id"] else None
        if message is not None:
            conn.execute(
                update(messages)
                .where(messages.c.id == pk, messages.c.status == "superseded")
                .values(
                    status="pending", subject=message.subject, body_text=message.text, body_html=message.html,
                    to_name=message.to_name, to_addr=message.to_addr, language=message.language,
                    reply_to=message.reply_to, not_after=message.not_after, run_id=run_id,
                    claimed_by=None, lease_until=None, last_answer=why,
                )
            )  # fmt: skip
        else:  # tonight it cannot go (no usable address, a correction told the family): the row says so
            why += f"; {row['status']}: {row['detail']}"
        conn.execute(
            update(reminders)
            .where(*key, reminders.c.message_pk == pk)
            .values(status=row["status"], detail=func.coalesce(reminders.c.detail + "; ", "") + why)
        )


def queue_report_mail(
    conn: Connection, settings: Settings, on: date, subject: str, text: str, page: str, language: str
) -> None:
    """One report mail per supervisor per night, through the same outbox (so: once, and retried). The
    delivery attaches the night's workbook (jobs.outbox.delivery)."""
    domain = message_domain(settings.smtp.sender)
    planned = [
        PlannedMessage(
            message_id=report_message_id(on, address, domain),
            kind="report",
            recipient_kind="supervisor",
            recipient_id=None,
            to_name="",
            to_addr=address,
            language=language,
            subject=subject,
            text=text,
            html=page,
            not_after=on + timedelta(days=7),  # a week-old report is not worth sending
            summary=f"report to {address}",
        )
        for address in settings.report.recipients
    ]
    queue_messages(conn, planned, run_id=None)
    # A rerun of the night, or `deliver` after an outage, writes the report again: a copy still waiting
    # says tonight's truth, not what the outbox held when it was first queued.
    for message in planned:
        conn.execute(
            update(messages)
            .where(messages.c.message_id == message.message_id, messages.c.status == "pending")
            .values(subject=message.subject, body_text=message.text, body_html=message.html)
        )
