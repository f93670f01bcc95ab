from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, reference, utcnow


class ContactSharing(SQLModel, table=True):
    """Which private details an attendee's exchanges share. No row: not chosen yet, and an exchange gives the
    other side the name (and public headline) alone; the app asks at the first exchange."""

    __tablename__ = "contact_sharing"
    attendee_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True))
    share_email: bool = False
    share_phone: bool = False
    share_website: bool = False
    share_company: bool = False


class ContactRequest(SQLModel, table=True):
    """A asks B; only B's acceptance creates the contact. A never learns of a decline."""

    __tablename__ = "contact_request"
    __table_args__ = (UniqueConstraint("from_attendee_id", "to_attendee_id"),)
    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False))
    from_attendee_id: int = Field(sa_column=reference("attendee.id"))
    to_attendee_id: int = Field(sa_column=reference("attendee.id", index=True))
    message: str = Field(default="", max_length=280)
    # Context at the moment of asking: where, and which topics they shared.
    zone_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("zone.id", ondelete="SET NULL")))
    shared_topics: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Contact(SQLModel, table=True):
    """One side's copy of a mutual exchange: what the other chose to share, and where and why they met.

    A snapshot, so it survives the other side deleting their account (they keep only what was exchanged).
    """

    __table_args__ = (UniqueConstraint("owner_id", "other_attendee_id"),)
    id: int = Field(default=None, primary_key=True)
    owner_id: int = Field(sa_column=reference("attendee.id", index=True))
    other_attendee_id: int | None = Field(
        default=None, sa_column=reference("attendee.id", nullable=True, on_delete="SET NULL")
    )
    name: str = Field(max_length=80)
    headline: str = Field(default="", max_length=160)
    company: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    website_url: str | None = Field(default=None, max_length=300)
    event_name: str = Field(max_length=200)
    zone_name: str | None = Field(default=None, max_length=100)
    shared_topics: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    how: str = Field(max_length=16)  # "suggestion" or "qr"
    met_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    note: str = Field(default="", max_length=2000)
    tags: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    follow_up: bool = False


class ConnectCode(SQLModel, table=True):
    """The current personal connect QR of an attendee: short-lived, replaced at each rotation."""

    __tablename__ = "connect_code"
    attendee_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True))
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
