"""presence change marks, read by each process's in-memory crowd

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "presence_change",
        sa.Column("attendee_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("changed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("attendee_id", name=op.f("pk_presence_change")),
    )
    with op.batch_alter_table("presence_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_presence_change_changed"), ["changed"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("presence_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_presence_change_changed"))

    op.drop_table("presence_change")
