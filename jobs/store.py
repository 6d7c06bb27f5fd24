"""The project's own tables: the reminder ledger, the outbox of messages, every delivery attempt, the run log.

Their shape is owned by the Alembic migrations in `jobs/migrations/`; these Table objects mirror them for
queries, and a test checks that the two agree. The fund's five input tables are not here: the job reads them
with the plain SQL of `sql/` and never writes to them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from jobs.states import LedgerStatus, MessageKind, MessageStatus, RunStatus, check_in

metadata = MetaData()
# Alembic's version table for these tables, named so it cannot clash with the fund's own `alembic_version`.
VERSION_TABLE = "aw_alembic_version"

runs = Table(
    "aw_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command", String(32), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("dry_run", Boolean, nullable=False, default=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    # running | ok | partial | failed | stopped | refused | died (jobs/states.py: RunStatus)
    Column("status", String(16), nullable=False),
    Column("exit_code", Integer, nullable=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("stats", Text, nullable=True),  # JSON: counts of windows, reminders, problems
    Column("message", Text, nullable=True),
    CheckConstraint(check_in("status", RunStatus), name="ck_aw_runs_status"),
)

# One message to one recipient, on one channel (today always "email"). Rendered when planned, so the ledger
# shows exactly what was sent.
messages = Table(
    "aw_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(255), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # reminder | digest | report | correction (MessageKind)
    Column("recipient_kind", String(16), nullable=False),  # beneficiary | advisor | supervisor
    Column("recipient_id", Integer, nullable=True),
    Column("to_name", Text, nullable=False),
    Column("to_addr", Text, nullable=False),
    Column("language", String(8), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=True),
    # pending -> sending (claimed) -> sent | failed ; expired when its deadline passed before delivery,
    # superseded when no longer true (jobs/states.py: MessageStatus)
    Column("status", String(16), nullable=False),
    Column("not_after", Date, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(255), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("last_answer", Text, nullable=True),
    Column("run_id", Integer, ForeignKey("aw_runs.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The channel whose notifier delivers it (a notifier's `channel`: "email" for both file and smtp).
    Column("channel", String(16), nullable=False, server_default="email"),
    # Where a reply goes: a family's reminder answers to their advisor, else the fund (migration 0004).
    Column("reply_to", Text, nullable=True),
    Index("ix_aw_messages_status", "status"),
    CheckConstraint(check_in("status", MessageStatus), name="ck_aw_messages_status"),
    CheckConstraint(check_in("kind", MessageKind), name="ck_aw_messages_kind"),
)

# One reminder stage of one window for one recipient: the exactly-once key.
reminders = Table(
    "aw_reminders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", Integer, nullable=False),
    Column("forum", String(32), nullable=False),
    Column("safe_deadline", Date, nullable=False),
    Column("recipient_kind", String(16), nullable=False),  # beneficiary | advisor
    Column("recipient_id", Integer, nullable=False),
    Column("stage", Integer, nullable=False),  # days before safe_deadline
    # queued (has a message) | skipped (a more urgent stage was due) | unreachable (no usable address)
    # (jobs/states.py: LedgerStatus)
    Column("status", String(16), nullable=False),
    Column("detail", Text, nullable=True),
    Column("due_on", Date, nullable=False),
    Column("message_pk", Integer, ForeignKey("aw_messages.id"), nullable=True),
    Column("run_id", Integer, ForeignKey("aw_runs.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "decision_id",
        "forum",
        "safe_deadline",
        "recipient_kind",
        "recipient_id",
        "stage",
        name="uq_aw_reminders_key",
    ),
    Index("ix_aw_reminders_message_pk", "message_pk"),
    CheckConstraint(check_in("status", LedgerStatus), name="ck_aw_reminders_status"),
)

# The unique key of a correction: the change (who, about which decision and forum, from which date to which).
CORRECTION_KEY = ("decision_id", "forum", "recipient_kind", "recipient_id", "old_deadline", "new_deadline")

# One correction notice: a family told that the safe deadline a delivered message quoted for a decision and
# forum changed (jobs/corrections.py). The key is the change, the old deadline and the new one (migration 0005):
# one notice per change, whatever reruns; a date that comes back (X -> Y -> Z -> Y) is a new change, told again.
corrections = Table(
    "aw_corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", Integer, nullable=False),
    Column("forum", String(32), nullable=False),
    Column("recipient_kind", String(16), nullable=False),  # beneficiary
    Column("recipient_id", Integer, nullable=False),
    Column("new_deadline", Date, nullable=False),
    Column("old_deadline", Date, nullable=False),  # the one the last delivered message quoted
    Column("why", String(32), nullable=False),  # complaint | art89 | informed: which sentence says why
    # queued (has a message) | unreachable (no usable address) (jobs/states.py: LedgerStatus)
    Column("status", String(16), nullable=False),
    Column("detail", Text, nullable=True),
    Column("due_on", Date, nullable=False),
    Column("message_pk", Integer, ForeignKey("aw_messages.id"), nullable=True),
    Column("digest_pk", Integer, ForeignKey("aw_messages.id"), nullable=True),  # the advisor's digest
    Column("run_id", Integer, ForeignKey("aw_runs.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(*CORRECTION_KEY, name="uq_aw_corrections_change"),
    CheckConstraint(check_in("status", LedgerStatus), name="ck_aw_corrections_status"),
)

attempts = Table(
    "aw_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_pk", Integer, ForeignKey("aw_messages.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("worker", String(255), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("permanent", Boolean, nullable=False),
    Column("code", Integer, nullable=True),
    Column("answer", Text, nullable=False),
    Index("ix_aw_attempts_message_pk", "message_pk"),
)

OWN_TABLES = tuple(metadata.tables)


def as_date(value: object) -> date:
    """A Date column's value as a date, whichever way the driver handed it back (date or ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def as_datetime(value: object) -> datetime:
    """A DateTime column's value as a datetime, whichever way the driver handed it back (a datetime, pandas'
    Timestamp, or ISO text: SQLite's, as SQLAlchemy wrote it), its zone as given (none in SQLite's text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
