"""Corrections keyed by the change: the old deadline joins the ledger's unique key.

`aw_corrections` was unique on (decision, forum, recipient kind, recipient, new deadline): a date that came back
(X -> Y -> Z -> Y) found its first row and the family was not told that Y holds again. The key is now the
change, (decision, forum, recipient kind, recipient, old deadline, new deadline): one notice per change. Every
existing row keeps its values (its old deadline was always filled in), so a change already told is still
found and never told twice; a row unique under the old key is unique under the new one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD_KEY = ("decision_id", "forum", "recipient_kind", "recipient_id", "new_deadline")
NEW_KEY = ("decision_id", "forum", "recipient_kind", "recipient_id", "old_deadline", "new_deadline")


def upgrade() -> None:
    with op.batch_alter_table("aw_corrections") as batch:
        batch.drop_constraint("uq_aw_corrections_key", type_="unique")
        batch.create_unique_constraint("uq_aw_corrections_change", list(NEW_KEY))


def downgrade() -> None:
    # Fails, as it must, when a date came back (two rows with the same new deadline): the old key cannot hold them.
    with op.batch_alter_table("aw_corrections") as batch:
        batch.drop_constraint("uq_aw_corrections_change", type_="unique")
        batch.create_unique_constraint("uq_aw_corrections_key", list(OLD_KEY))
