from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, reference, utcnow


class PushSubscription(SQLModel, table=True):
    """One device (browser) an attendee receives pushes on.

    Unique per attendee and endpoint, not per endpoint: one phone that joined two events holds one
    browser subscription for two attendees.
    """

    __tablename__ = "push_subscription"
    # Also the index for "this attendee's devices".
    __table_args__ = (UniqueConstraint("attendee_id", "endpoint"),)
    id: int = Field(default=None, primary_key=True)
    attendee_id: int = Field(sa_column=reference("attendee.id"))
    endpoint: str = Field(max_length=2048)
    p256dh: str = Field(max_length=128)
    auth: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PushPreference(SQLModel, table=True):
    """What an attendee wants pushed. No row: everything on, since subscribing was the opt-in."""

    __tablename__ = "push_preference"
    attendee_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True))
    enabled: bool = True
    break_nudges: bool = True
    speaker_nearby: bool = True
    contact_requests: bool = True


class HallwayMoment(SQLModel, table=True):
    """A break the organizers call on the spot (a talk ended early, a sponsor's coffee): nudges treat it as one."""

    __tablename__ = "hallway_moment"
    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=reference("event.id", index=True))
    label: str = Field(max_length=100)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Nudge(SQLModel, table=True):
    """Every push sent or due, and the ledger that makes it happen once.

    A row is claimed (inserted) before its push is sent, and the unique constraints decide between
    replicas: one nudge per attendee, occasion and reason; and, because a nudge takes the next free
    slot of its break and of its day, never more than the budgets. Contact-request pushes are outside
    the budgets and have no slots (NULLs never collide).
    """

    __table_args__ = (
        UniqueConstraint("attendee_id", "break_key", "reason"),
        UniqueConstraint("attendee_id", "break_key", "break_slot"),
        UniqueConstraint("attendee_id", "day", "day_slot"),
        Index("ix_nudge_event_id_day", "event_id", "day"),  # the budgets spent today
        Index("ix_nudge_event_id_status", "event_id", "status"),  # contact requests waiting for a break
    )
    id: int = Field(default=None, primary_key=True)
    attendee_id: int = Field(sa_column=reference("attendee.id"))
    event_id: int = Field(sa_column=reference("event.id"))
    # The occasion: "break:<id>" or "moment:<id>" for nudges, "contact-request:<id>" for a request.
    break_key: str = Field(max_length=40)
    reason: str = Field(max_length=32)
    day: date = Field(sa_column=Column(Date, nullable=False))  # the event's local day
    break_slot: int | None = None
    day_slot: int | None = None
    contact_request_id: int | None = Field(
        default=None, sa_column=reference("contact_request.id", nullable=True, index=True)
    )
    # pending (a contact request waiting for a break) -> sending -> delivered | failed | gone | dropped
    status: str = Field(max_length=16)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # When it was delivered; while a contact-request push is sending, when it was claimed.
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
