"""names of zones and topics per language; attendees' bookmarked talks

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAMED = ("zone", "topic")
_LANGUAGES = ("fr", "en")


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN, also on SQLite: a batch rebuild would drop the tables' AUTOINCREMENT (0007).
    for table in _NAMED:
        for language in _LANGUAGES:
            op.add_column(table, sa.Column(f"name_{language}", sa.String(length=100), nullable=True))
    op.create_table(
        "talk_bookmark",
        sa.Column("attendee_id", sa.Integer(), sa.ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("talk_id", sa.Integer(), sa.ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_talk_bookmark_talk_id", "talk_bookmark", ["talk_id"])


def downgrade() -> None:
    op.drop_index("ix_talk_bookmark_talk_id", table_name="talk_bookmark")
    op.drop_table("talk_bookmark")
    for table in _NAMED:
        with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            for language in _LANGUAGES:
                batch_op.drop_column(f"name_{language}")
