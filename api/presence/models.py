from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, reference


class Presence(SQLModel, table=True):
    """Where an attendee is now: one row per attendee, moved by each check-in, shown until it expires."""

    __table_args__ = (
        # "Who is in these zones now" reads only unexpired rows of a few zones, however many registered.
        Index("ix_presence_zone_id_expires_at", "zone_id", "expires_at"),
        Index("ix_presence_event_id_expires_at", "event_id", "expires_at"),
    )
    id: int = Field(default=None, primary_key=True)
    attendee_id: int = Field(sa_column=reference("attendee.id", unique=True))
    # Not a foreign key: the attendee's own (same event) already goes with the event, and checking it
    # locked the event's row on every check-in.
    event_id: int = Field(sa_column=Column(Integer, nullable=False))
    zone_id: int = Field(sa_column=reference("zone.id"))
    checked_in_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class CheckInRecord(SQLModel, table=True):
    """Every check-in, kept for the organizers' heatmap until the retention purge.

    Never shown per person: only counts by zone and time leave the server. The minute is the finest
    time kept, and attendee_id is here only so that erasing an attendee erases their history (cascade).
    """

    __tablename__ = "check_in_record"
    __table_args__ = (Index("ix_check_in_record_event_id_checked_in_at", "event_id", "checked_in_at"),)
    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=Column(Integer, nullable=False))  # not a foreign key: as Presence.event_id
    zone_id: int = Field(sa_column=reference("zone.id", index=True))
    attendee_id: int = Field(sa_column=reference("attendee.id", index=True))
    checked_in_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class PresenceTopic(SQLModel, table=True):
    """One topic of a visible attendee who is present: what matching reads instead of the registrations.

    Written with the presence (check-in, profile changes, leaving), so "who here shares my topics" is one
    index range per zone and topic, and ranking needs no attendee rows: `traits` packs the goals, role and
    flags it weighs (see TRAIT_BITS). Hidden attendees have no rows here.
    """

    __tablename__ = "presence_topic"
    __table_args__ = (
        Index("ix_presence_topic_zone_id_topic_id", "zone_id", "topic_id", "expires_at", "attendee_id", "traits"),
    )
    attendee_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True))
    # Topic and zone are not foreign keys: checking them locked the zone's row and each topic's row for
    # every topic row that every check-in writes, and those rows are the busiest of a break. A zone's or a
    # topic's deletion removes its rows itself (events.service). No index of its own: only a topic's
    # deletion looks rows up by topic alone.
    topic_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    zone_id: int = Field(sa_column=Column(Integer, nullable=False))
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    traits: int


class PresenceChange(SQLModel, table=True):
    """Whose PresenceTopic rows changed last, and when: what lets each API process keep its in-memory crowd
    (api/matching/crowd.py) current by reading only the attendees changed since its last look.

    `changed` grows in commit order as readers need it: on PostgreSQL the writing transaction's id (a reader
    re-reads from the oldest transaction still running when it last looked, so a slow commit is not
    skipped); on SQLite, whose writers take turns, one more than the largest so far. Every write to an
    attendee's PresenceTopic rows marks them here in the same transaction (presence.service.mark_changed).
    No foreign key: an erased attendee's mark must outlive them so that every process forgets them.
    """

    __tablename__ = "presence_change"
    attendee_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    changed: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))


# The value a write marks an attendee with, and the horizon a reader keeps: it next reads the marks at or
# above it. PostgreSQL: transaction ids, and the oldest transaction still running (a later commit of an
# older transaction is still at or above it). SQLite: a counter, safe because writers take turns.
CHANGE_STAMP = {
    "postgresql": "pg_current_xact_id()::text::bigint",
    "sqlite": "(SELECT coalesce(max(changed), 0) + 1 FROM presence_change)",
}
CHANGE_HORIZON = {
    "postgresql": "pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
    "sqlite": CHANGE_STAMP["sqlite"],
}


# Goals and roles share one namespace (no name is both), plus three flags: matching weighs the first two,
# the figures attendees see count only people with the third (api/attendees/visibility.py).
TRAIT_BITS: dict[str, int] = {
    name: 1 << bit
    for bit, name in enumerate(
        [
            "learn",
            "hire",
            "get_hired",
            "find_clients",
            "find_investors",
            "meet_speakers",
            "partner",
            "speaker",
            "exhibitor",
            "organizer",
            "open_to_chat",
            "findable_as_speaker",
            "vouched",
        ]  # fmt: skip
    )
}


def traits_of(*, goals: list[str], role: str, open_to_chat: bool, findable_as_speaker: bool, vouched: bool) -> int:
    names = {*goals, role}
    if vouched:
        names.add("vouched")
    if open_to_chat:
        names.add("open_to_chat")
    if findable_as_speaker:
        names.add("findable_as_speaker")
    return sum(TRAIT_BITS[name] for name in names if name in TRAIT_BITS)
