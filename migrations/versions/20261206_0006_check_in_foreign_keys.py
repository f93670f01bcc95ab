"""foreign keys off the rows every check-in writes: event of presence and check-in history,
zone and topic of presence topics

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("check_in_record", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_check_in_record_event_id_event"), type_="foreignkey")
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_presence_event_id_event"), type_="foreignkey")
    with op.batch_alter_table("presence_topic", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_presence_topic_zone_id_zone"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_presence_topic_topic_id_topic"), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("presence_topic", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_presence_topic_topic_id_topic"), "topic", ["topic_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_presence_topic_zone_id_zone"), "zone", ["zone_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_presence_event_id_event"), "event", ["event_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("check_in_record", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_check_in_record_event_id_event"), "event", ["event_id"], ["id"], ondelete="CASCADE"
        )
