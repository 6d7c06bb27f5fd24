"""The channel of each message, and CHECK constraints on the three status columns.

`aw_messages.channel` says which notifier delivers a message ("email" today, for both the file and the SMTP
notifier), so that a letter channel can join later without a new table; existing rows become "email".
The CHECK constraints allow only the states of jobs/states.py; the lists are written out here, not imported,
so that this migration keeps meaning what it meant when a later one widens them.

SQLite cannot add a column constraint in place: batch mode copies each table (jobs.db.init_db turns SQLite's
foreign-key enforcement off around the migrations, as a copied parent table needs, and checks the keys after).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

RUN_STATES = ("running", "ok", "partial", "failed", "stopped", "refused", "died")
MESSAGE_STATES = ("pending", "sending", "sent", "failed", "expired", "superseded")
LEDGER_STATES = ("queued", "skipped", "unreachable")


def _in(states: tuple[str, ...]) -> str:
    return f"status IN ({', '.join(repr(s) for s in states)})"


def upgrade() -> None:
    with op.batch_alter_table("aw_runs") as batch:
        batch.create_check_constraint("ck_aw_runs_status", _in(RUN_STATES))
    with op.batch_alter_table("aw_messages") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=False, server_default="email"))
        batch.create_check_constraint("ck_aw_messages_status", _in(MESSAGE_STATES))
    with op.batch_alter_table("aw_reminders") as batch:
        batch.create_check_constraint("ck_aw_reminders_status", _in(LEDGER_STATES))


def downgrade() -> None:
    with op.batch_alter_table("aw_reminders") as batch:
        batch.drop_constraint("ck_aw_reminders_status", type_="check")
    with op.batch_alter_table("aw_messages") as batch:
        batch.drop_constraint("ck_aw_messages_status", type_="check")
        batch.drop_column("channel")
    with op.batch_alter_table("aw_runs") as batch:
        batch.drop_constraint("ck_aw_runs_status", type_="check")
