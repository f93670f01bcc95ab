"""rendezvous: two attendees meeting at a zone during a break, and the place each holds at that break

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-08 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("state IN ('proposed', 'accepted')")


def _attendee(name: str, *, index: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("attendee.id", ondelete="CASCADE"), nullable=False, index=index)


def upgrade() -> None:
    op.create_table(
        "rendezvous",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True),
        _attendee("first_id"),
        _attendee("second_id", index=True),
        _attendee("proposer_id"),
        _attendee("awaiting_id"),
        sa.Column(
            "break_id", sa.Integer(), sa.ForeignKey("agenda_break.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("zone_id", sa.Integer(), sa.ForeignKey("zone.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message", sa.String(length=140), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False, unique=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_rendezvous_open_pair_break",
        "rendezvous",
        ["first_id", "second_id", "break_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_table(
        "rendezvous_place",
        sa.Column("attendee_id", sa.Integer(), sa.ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "break_id",
            sa.Integer(),
            sa.ForeignKey("agenda_break.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        ),
        sa.Column(
            "rendezvous_id",
            sa.Integer(),
            sa.ForeignKey("rendezvous.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
    )


def downgrade() -> None:
    op.drop_table("rendezvous_place")
    op.drop_table("rendezvous")
