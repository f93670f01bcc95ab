"""a card worth walking up to: "ask me about", "how to find me", and a photo

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-08 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN, also on SQLite: a batch rebuild would drop the table's AUTOINCREMENT (0007).
    op.add_column("attendee", sa.Column("ask_me_about", sa.String(length=160), server_default="", nullable=False))
    op.add_column("attendee", sa.Column("find_me_hint", sa.String(length=120), server_default="", nullable=False))
    op.add_column("attendee", sa.Column("photo_etag", sa.String(length=32), nullable=True))
    op.create_table(
        "attendee_photo",
        sa.Column("attendee_id", sa.Integer(), sa.ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("etag", sa.String(length=32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("attendee_photo")
    with op.batch_alter_table("attendee", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        for column in ("photo_etag", "find_me_hint", "ask_me_about"):
            batch_op.drop_column(column)
