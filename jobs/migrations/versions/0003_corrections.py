"""Corrections: the ledger of correction notices, and a CHECK on the kind of a message.

`aw_corrections` holds one row per change of a quoted deadline told to a family (unique on decision, forum,
recipient and the new deadline: one notice per change). `aw_messages.kind` gets a CHECK constraint with the
kinds of jobs/states.py (`MessageKind`), `correction` among them; the list is written out here, not imported,
so that this migration keeps meaning what it meant when a later one widens it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE_KINDS = ("reminder", "digest", "report", "correction")
LEDGER_STATES = ("queued", "skipped", "unreachable")


def upgrade() -> None:
    op.create_table(
        "aw_corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.Integer, nullable=False),
        sa.Column("forum", sa.String(32), nullable=False),
        sa.Column("recipient_kind", sa.String(16), nullable=False),
        sa.Column("recipient_id", sa.Integer, nullable=False),
        sa.Column("new_deadline", sa.Date, nullable=False),
        sa.Column("old_deadline", sa.Date, nullable=False),
        sa.Column("why", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("message_pk", sa.Integer, sa.ForeignKey("aw_messages.id"), nullable=True),
        sa.Column("digest_pk", sa.Integer, sa.ForeignKey("aw_messages.id"), nullable=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("aw_runs.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "decision_id",
            "forum",
            "recipient_kind",
            "recipient_id",
            "new_deadline",
            name="uq_aw_corrections_key",
        ),
        sa.CheckConstraint(
            f"status IN ({', '.join(repr(s) for s in LEDGER_STATES)})", name="ck_aw_corrections_status"
        ),
    )
    with op.batch_alter_table("aw_messages") as batch:
        batch.create_check_constraint(
            "ck_aw_messages_kind", f"kind IN ({', '.join(repr(k) for k in MESSAGE_KINDS)})"
        )


def downgrade() -> None:
    with op.batch_alter_table("aw_messages") as batch:
        batch.drop_constraint("ck_aw_messages_kind", type_="check")
    op.drop_table("aw_corrections")
