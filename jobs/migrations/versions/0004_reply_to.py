"""Where a reply goes: `aw_messages.reply_to`.

A family's reminder answers to their advisor (the fund's address when the advisor has none), not to the
no-reply sender (issue 10). Existing rows get NULL: they are sent as before, without a Reply-To.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("aw_messages") as batch:
        batch.add_column(sa.Column("reply_to", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("aw_messages") as batch:
        batch.drop_column("reply_to")
