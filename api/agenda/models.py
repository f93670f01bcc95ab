from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow


class Talk(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("event_id", "external_id"),)
    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    title: str = Field(max_length=300)
    abstract: str = Field(default="", sa_type=Text)
    room: str = Field(default="", max_length=100)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # The id in the organizer's scheduling tool, so a re-import updates instead of duplicating.
    external_id: str | None = Field(default=None, max_length=100)


class TalkTopic(SQLModel, table=True):
    __tablename__ = "talk_topic"
    talk_id: int = Field(sa_column=Column(Integer, ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True))
    topic_id: int = Field(
        sa_column=Column(Integer, ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class TalkSpeaker(SQLModel, table=True):
    __tablename__ = "talk_speaker"
    talk_id: int = Field(sa_column=Column(Integer, ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True))
    attendee_id: int = Field(
        sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class AgendaBreak(SQLModel, table=True):
    """A slot without talks: the hallway's moment."""

    __tablename__ = "agenda_break"
    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    label: str = Field(max_length=100)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class TalkBookmark(SQLModel, table=True):
    """A talk an attendee marked for themselves: private, seen by no one else."""

    __tablename__ = "talk_bookmark"
    attendee_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True))
    talk_id: int = Field(
        sa_column=Column(Integer, ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
