"""vouched attendees (signed in by a personal link), and events joined by invitation only

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# TRAIT_BITS["vouched"] in api/presence/models.py, as it is at this revision.
VOUCHED_BIT = 1 << 12


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN, also on SQLite: a batch rebuild would drop the tables' AUTOINCREMENT (0007).
    op.add_column("attendee", sa.Column("vouched", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("event", sa.Column("invitation_only", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Whoever already redeemed a personal link (an invitation or an emailed sign-in link) is vouched, and
    # the topic rows of those present say so (a trait bit the in-memory crowd counts by).
    op.execute(
        "UPDATE attendee SET vouched = true WHERE id IN "
        "(SELECT attendee_id FROM magic_link WHERE attendee_id IS NOT NULL AND used_at IS NOT NULL)"
    )
    op.execute(
        f"UPDATE presence_topic SET traits = traits | {VOUCHED_BIT} "
        "WHERE attendee_id IN (SELECT id FROM attendee WHERE vouched)"
    )


def downgrade() -> None:
    op.execute(f"UPDATE presence_topic SET traits = traits & ~{VOUCHED_BIT}")
    for table, column in (("event", "invitation_only"), ("attendee", "vouched")):
        with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            batch_op.drop_column(column)
