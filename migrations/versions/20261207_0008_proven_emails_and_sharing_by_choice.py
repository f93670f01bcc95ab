"""an email is an attendee's once a mailed link proves it (magic_link.confirms_email); contact exchanges
share the name alone until the attendee chooses

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("magic_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirms_email", sa.String(length=254), nullable=True))
    # Every stored sharing choice is forgotten. The settings screen showed email, website and company ticked
    # before anyone chose, so a stored "shared" cannot be told from a box nobody looked at, and a ticked box
    # is not consent. Without a row the name alone is shared, and the app asks at the next exchange, showing
    # what would go. Copies already exchanged stay with the other side, as a paper card would.
    op.execute("DELETE FROM contact_sharing")


def downgrade() -> None:
    # The older code shares email, website and company when there is no row: each attendee without a choice
    # gets one that shares nothing, so going back hands over nothing new.
    op.execute(
        "INSERT INTO contact_sharing (attendee_id, share_email, share_phone, share_website, share_company) "
        "SELECT id, false, false, false, false FROM attendee "
        "WHERE id NOT IN (SELECT attendee_id FROM contact_sharing)"
    )
    with op.batch_alter_table("magic_link", schema=None) as batch_op:
        batch_op.drop_column("confirms_email")
