"""The run log, the outbox of messages, the reminder ledger and the attempts log.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aw_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("exit_code", sa.Integer, nullable=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("stats", sa.Text, nullable=True),
        sa.Column("message", sa.Text, nullable=True),
    )
    op.create_table(
        "aw_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(255), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recipient_kind", sa.String(16), nullable=False),
        sa.Column("recipient_id", sa.Integer, nullable=True),
        sa.Column("to_name", sa.Text, nullable=False),
        sa.Column("to_addr", sa.Text, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("not_after", sa.Date, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_by", sa.String(255), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_answer", sa.Text, nullable=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("aw_runs.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_aw_messages_status", "aw_messages", ["status"])
    op.create_table(
        "aw_reminders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.Integer, nullable=False),
        sa.Column("forum", sa.String(32), nullable=False),
        sa.Column("safe_deadline", sa.Date, nullable=False),
        sa.Column("recipient_kind", sa.String(16), nullable=False),
        sa.Column("recipient_id", sa.Integer, nullable=False),
        sa.Column("stage", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("message_pk", sa.Integer, sa.ForeignKey("aw_messages.id"), nullable=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("aw_runs.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "decision_id",
            "forum",
            "safe_deadline",
            "recipient_kind",
            "recipient_id",
            "stage",
            name="uq_aw_reminders_key",
        ),
    )
    op.create_index("ix_aw_reminders_message_pk", "aw_reminders", ["message_pk"])
    op.create_table(
        "aw_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_pk", sa.Integer, sa.ForeignKey("aw_messages.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(255), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("permanent", sa.Boolean, nullable=False),
        sa.Column("code", sa.Integer, nullable=True),
        sa.Column("answer", sa.Text, nullable=False),
    )
    op.create_index("ix_aw_attempts_message_pk", "aw_attempts", ["message_pk"])


def downgrade() -> None:
    op.drop_table("aw_attempts")
    op.drop_table("aw_reminders")
    op.drop_table("aw_messages")
    op.drop_table("aw_runs")
