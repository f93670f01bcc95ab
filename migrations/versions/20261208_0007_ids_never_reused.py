"""ids never given twice on SQLite (AUTOINCREMENT), and refresh sessions with an id of their own

SQLite reuses the highest deleted INTEGER PRIMARY KEY unless its table says AUTOINCREMENT, so an erased
attendee's id went to the next person to join, with everything that still named it (an access token, a
phone's contacts). Adding AUTOINCREMENT means rebuilding each table whose ids leave the database (batch
mode; migrations/env.py turns foreign keys off meanwhile, or dropping the old table would delete the rows
of the tables that reference it). PostgreSQL's sequences never give an id twice: nothing to do there.

A refresh session was keyed by its refresh token's jti, a new row at each rotation. It is now one row per
signed-in device for its whole life (`id`, carried by both its tokens as `sid`) and the jti of the one
refresh token it may still spend (`refresh_jti`): a spent one presented again is recognised, and signs the
device out. An existing row keeps its jti as its id, which is what its refresh token (signed without `sid`)
is read as.

Revision ID: 0007
Revises: 0009
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table with an integer id (api/tables.py gives each of them sqlite_autoincrement).
ID_TABLES = (
    "event",
    "organizer",
    "agenda_break",
    "attendee",
    "hallway_moment",
    "talk",
    "topic",
    "zone",
    "check_in_record",
    "contact",
    "contact_request",
    "idempotency_record",
    "magic_link",
    "presence",
    "push_subscription",
    "report",
    "nudge",
)


def _rebuild_ids(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in ID_TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    with op.batch_alter_table("refresh_session", schema=None) as batch_op:
        batch_op.alter_column("jti", new_column_name="id", existing_type=sa.String(length=32), existing_nullable=False)
        batch_op.add_column(sa.Column("refresh_jti", sa.String(length=32), nullable=True))
    op.execute("UPDATE refresh_session SET refresh_jti = id")
    with op.batch_alter_table("refresh_session", schema=None) as batch_op:
        batch_op.alter_column("refresh_jti", existing_type=sa.String(length=32), nullable=False)
    _rebuild_ids(autoincrement=True)


def downgrade() -> None:
    _rebuild_ids(autoincrement=False)
    # Keyed again by the jti of the refresh token each device holds now.
    op.execute("UPDATE refresh_session SET id = refresh_jti")
    with op.batch_alter_table("refresh_session", schema=None) as batch_op:
        batch_op.drop_column("refresh_jti")
        batch_op.alter_column("id", new_column_name="jti", existing_type=sa.String(length=32), existing_nullable=False)
