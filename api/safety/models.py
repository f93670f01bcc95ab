from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow


class Block(SQLModel, table=True):
    """Mutual invisibility: neither attendee is shown to the other, whoever blocked."""

    blocker_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True))
    blocked_id: int = Field(
        sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Report(SQLModel, table=True):
    """An attendee reported to the event's organizers."""

    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    # The report outlives its author's account (organizers may still act on it), not their identity.
    reporter_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="SET NULL"), index=True)
    )
    reported_id: int = Field(
        sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    reason: str = Field(max_length=32)
    details: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
