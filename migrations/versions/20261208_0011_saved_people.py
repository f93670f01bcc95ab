"""saved people: a private "save for later" on someone seen nearby

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_person",
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("saved_id", sa.Integer(), sa.ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("event.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(op.f("ix_saved_person_saved_id"), "saved_person", ["saved_id"])
    op.create_index(op.f("ix_saved_person_event_id"), "saved_person", ["event_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_person_event_id"), table_name="saved_person")
    op.drop_index(op.f("ix_saved_person_saved_id"), table_name="saved_person")
    op.drop_table("saved_person")
