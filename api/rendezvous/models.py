from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, text
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, reference, utcnow

# A rendezvous waiting for an answer, or agreed: the states that hold a person's place at a break.
OPEN_STATES = ("proposed", "accepted")


class Rendezvous(SQLModel, table=True):
    """Two attendees meeting at a zone during a break. One row from the proposal on: a counter-proposal changes
    its break or zone and whose answer it waits for, so each side's calendar keeps one entry (`uid`, `sequence`).

    A pair has at most one open rendezvous per break (a partial unique index): two proposals crossing each
    other end as one row.
    """

    __table_args__ = (
        Index(
            "uq_rendezvous_open_pair_break",
            "first_id",
            "second_id",
            "break_id",
            unique=True,
            sqlite_where=text("state IN ('proposed', 'accepted')"),
            postgresql_where=text("state IN ('proposed', 'accepted')"),
        ),
    )
    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    # The pair, lower id first: one index finds a pair's rendezvous whoever proposed.
    first_id: int = Field(sa_column=reference("attendee.id"))
    second_id: int = Field(sa_column=reference("attendee.id", index=True))
    proposer_id: int = Field(sa_column=reference("attendee.id"))
    # Whose answer the proposal waits for (the other side of the latest proposal or counter-proposal).
    awaiting_id: int = Field(sa_column=reference("attendee.id"))
    break_id: int = Field(sa_column=reference("agenda_break.id", index=True))
    zone_id: int = Field(sa_column=reference("zone.id"))
    message: str = Field(default="", max_length=140)
    state: str = Field(default="proposed", max_length=16)  # proposed, accepted, declined, cancelled, met
    # For calendars: a random UID given once, and a sequence raised at every change (RFC 5545).
    uid: str = Field(max_length=64, unique=True)
    sequence: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    met_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Claimed (set) by the scheduler that sends the break-start reminder, before it sends: once, whichever replica.
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RendezvousPlace(SQLModel, table=True):
    """A person's place at a break, held by their one agreed rendezvous there: the primary key is the rule "at
    most one rendezvous per break", kept by the database even when two acceptances race."""

    __tablename__ = "rendezvous_place"
    attendee_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True))
    break_id: int = Field(
        sa_column=Column(Integer, ForeignKey("agenda_break.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    rendezvous_id: int = Field(sa_column=reference("rendezvous.id", index=True))
