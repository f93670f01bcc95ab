from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, LargeBinary, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow


class Attendee(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("event_id", "email"),)
    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    display_name: str = Field(max_length=80)
    headline: str = Field(default="", max_length=160)
    company: str = Field(default="", max_length=120)
    # What to open a conversation with, and how to spot them in a hallway ("red scarf, by the window"):
    # both on the card, under the visibility rule like the rest of it.
    ask_me_about: str = Field(default="", max_length=160, sa_column_kwargs={"server_default": ""})
    find_me_hint: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    # The version of their photo (AttendeePhoto.etag), or None without one: cards link to the photo by it
    # without reading the image.
    photo_etag: str | None = Field(default=None, max_length=32)
    role: str = Field(default="attendee", max_length=16)
    goals: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    open_to_chat: bool = True
    language: str = Field(default="en", max_length=8)
    # Off until the attendee turns it on: a hidden attendee ("ghost") may check in and see zone
    # counts, but is never shown to anyone, and sees no one by name.
    visible: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # A speaker's opt-in to be pointed out around their talk ("the speaker at the coffee bar").
    findable_as_speaker: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Signed in at least once by a personal link (an organizer's invitation, or a sign-in link sent to their
    # email): an account an attacker cannot mint by the dozen with the join code. Only vouched people count
    # in the figures attendees see (api/attendees/visibility.py).
    vouched: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Private details: readable by the attendee alone until a mutual exchange.
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    website_url: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AttendeeInterest(SQLModel, table=True):
    __tablename__ = "attendee_interest"
    attendee_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True))
    topic_id: int = Field(
        sa_column=Column(Integer, ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class AttendeePhoto(SQLModel, table=True):
    """An attendee's photo as served: resized and re-encoded on the server (no EXIF, no GPS). In the database,
    so every API replica serves it; it goes with the account."""

    __tablename__ = "attendee_photo"
    attendee_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True))
    image: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    media_type: str = Field(max_length=32)
    etag: str = Field(max_length=32)
