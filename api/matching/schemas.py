from typing import Literal

from pydantic import BaseModel, Field

from api.attendees.schemas import AttendeeCard, InterestPublic
from api.core.privacy import MaskedCount
from api.presence.schemas import ZoneRef

Missing = Literal["visibility", "interests", "check_in"]


class Suggestion(BaseModel):
    attendee: AttendeeCard
    zone: ZoneRef
    neighbouring: bool = Field(description="In a zone next to yours rather than in yours")
    shared_topics: list[InterestPublic] = Field(description="Rarest at this event first")
    score: float
    reason: str = Field(description="Why this person, in your language")
    icebreaker: str = Field(description="A first line to say, in your language")
    saved: bool = Field(description="You saved this person for later")


class Huddle(BaseModel):
    """Three or more people you may meet, in one zone, who share one of your topics."""

    topic: InterestPublic
    people: int = Field(description="People besides you; always at least 3")
    zone: ZoneRef
    neighbouring: bool
    line: str


class ZoneMatches(BaseModel):
    zone: ZoneRef
    matches: MaskedCount = Field(description="People present there who share one of your topics")


class Suggestions(BaseModel):
    """People here first; when there is nobody to suggest (or you are hidden), where to go instead."""

    zone: ZoneRef | None = Field(description="Where you are checked in, if you are")
    missing: list[Missing] = Field(
        description="What keeps people from being suggested by name: turn visibility on, add interests, check in"
    )
    suggestions: list[Suggestion]
    more: bool = Field(description="More people are ranked after this page: ask again with a larger offset")
    huddles: list[Huddle]
    where_to_go: list[ZoneMatches] = Field(
        description="Zones with people who share your topics, best first, as masked counts: no names"
    )
