from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from api.attendees.schemas import AttendeeCard
from api.core.schemas import Id, InputModel, UpdateModel, line, text, unique_items

Tag = Annotated[str, line(40, min_length=1)]
Tags = Annotated[list[Tag], Field(max_length=20), AfterValidator(unique_items)]


class How(StrEnum):
    suggestion = "suggestion"
    qr = "qr"


class SharingChoice(InputModel):
    share_email: bool
    share_phone: bool
    share_website: bool
    share_company: bool


class Sharing(BaseModel):
    share_email: bool
    share_phone: bool
    share_website: bool
    share_company: bool
    chosen: bool = Field(description="False until the attendee chooses: until then an exchange shares the name alone")


class ContactRequestCreate(InputModel):
    to_attendee_id: Id
    message: Annotated[str, text(280)] = ""


class SentRequest(BaseModel):
    """What the sender sees: a decline looks exactly like a request still waiting."""

    id: int
    to: AttendeeCard
    message: str
    status: Literal["pending", "accepted"]
    created_at: datetime


class ReceivedRequest(BaseModel):
    id: int
    sender: AttendeeCard
    message: str
    zone_name: str | None
    shared_topics: list[str]
    created_at: datetime


class ContactRequests(BaseModel):
    received: list[ReceivedRequest]
    sent: list[SentRequest]


class ContactPublic(BaseModel):
    id: int
    other_attendee_id: int | None
    name: str
    headline: str
    company: str | None
    email: str | None
    phone: str | None
    website_url: str | None
    event_name: str
    zone_name: str | None
    shared_topics: list[str]
    how: How
    met_at: datetime
    note: str
    tags: list[str]
    follow_up: bool
    # From their card as it is now, while they keep an account and neither blocked the other.
    photo_url: str | None = Field(description="Their current photo")
    ask_me_about: str
    find_me_hint: str


class ContactUpdate(UpdateModel):
    note: Annotated[str, text(2000)] | None = None
    tags: Tags | None = None
    follow_up: bool | None = None


class ConnectCodePublic(BaseModel):
    code: str
    url: str = Field(description="What the personal connect QR encodes")
    expires_at: datetime


class ConnectScan(InputModel):
    code: Annotated[str, line(300, min_length=16, description="The scanned URL or its code")]


class NetworkingReturn(BaseModel):
    """The attendee's networking return at this event: '1,500 € → 12 contacts → 125 € per contact'."""

    contacts: int
    ticket_price_cents: int | None
    currency: str | None
    cost_per_contact_cents: int | None = Field(description="Null without a ticket price or before a first contact")
