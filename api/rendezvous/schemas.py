from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

from api.core.privacy import MaskedCount
from api.core.schemas import Id, InputModel, line


class RendezvousCreate(InputModel):
    attendee_id: Id
    # A coming break of the event, or none for the break under way ("now").
    break_id: Id | None = None
    zone_id: Id
    message: Annotated[str, line(140)] = ""


class CounterProposal(InputModel):
    """Another break, another zone, or both."""

    break_id: Id | None = None
    zone_id: Id
    message: Annotated[str, line(140)] = ""


class RendezvousState(StrEnum):
    proposed = "proposed"
    accepted = "accepted"
    # What the proposer is told of a decline: "not this time", nothing more.
    declined = "declined"
    cancelled = "cancelled"
    met = "met"
    # Agreed or proposed, and its break has ended without a "we met": simply over.
    over = "over"


class BreakRef(BaseModel):
    id: int
    label: str
    starts_at: datetime
    ends_at: datetime


class PlaceRef(BaseModel):
    id: int
    name: str


class RendezvousPerson(BaseModel):
    """The other side, as their card shows them: enough to find each other at the zone."""

    id: int
    display_name: str
    headline: str
    company: str | None
    find_me_hint: str
    photo_url: str | None


class RendezvousPublic(BaseModel):
    id: int
    state: RendezvousState
    person: RendezvousPerson = Field(description="The other side")
    proposed_by_me: bool = Field(description="Whether the latest proposal (or counter-proposal) is mine")
    awaiting_my_answer: bool
    at_break: BreakRef
    zone: PlaceRef
    message: str
    is_contact: bool = Field(description="Whether we have already exchanged contacts")
    updated_at: datetime


class RendezvousFigures(BaseModel):
    """The Live picture's counts: how many, never who (masked below 3)."""

    proposed: MaskedCount = Field(description="Rendezvous proposed at the event")
    accepted: MaskedCount = Field(description="Of those, agreed by both (whatever came after)")
    met: MaskedCount = Field(description="Of those, confirmed with \u201cwe met\u201d")
