from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, reference, utcnow


class Event(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    subject: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    timezone: str = Field(max_length=64)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    languages: list[str] = Field(sa_type=JSON, nullable=False)
    join_code: str = Field(max_length=16, unique=True)
    # Joining needs a personal invitation (the attendee import's links): the open join code is refused.
    invitation_only: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    ticket_price_cents: int | None = None
    currency: str | None = Field(default=None, max_length=3)
    presence_retention_days: int = 7
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class EventOrganizer(SQLModel, table=True):
    __tablename__ = "event_organizer"
    event_id: int = Field(sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True))
    organizer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("organizer.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class Zone(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("event_id", "name"), UniqueConstraint("event_id", "code"))
    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=reference("event.id", index=True))
    name: str = Field(max_length=100)
    # The name on French and English screens, when the organizer gave one; else `name`.
    name_fr: str | None = Field(default=None, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    kind: str = Field(max_length=32)
    # What the zone's QR poster encodes; rotating it invalidates printed posters.
    checkin_token: str = Field(max_length=64, unique=True)
    # Short code typed by hand when a camera fails.
    code: str = Field(max_length=8)


class ZoneNeighbour(SQLModel, table=True):
    """Stored in both directions so a lookup needs one indexed column."""

    __tablename__ = "zone_neighbour"
    zone_id: int = Field(sa_column=Column(Integer, ForeignKey("zone.id", ondelete="CASCADE"), primary_key=True))
    neighbour_id: int = Field(
        sa_column=Column(Integer, ForeignKey("zone.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class Topic(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("event_id", "key"),)
    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=reference("event.id", index=True))
    name: str = Field(max_length=100)
    # The name on French and English screens, when the organizer gave one; else `name`.
    name_fr: str | None = Field(default=None, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    # Case- and accent-folded name, the identity of a topic within its event.
    key: str = Field(max_length=100)
    synonyms: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
