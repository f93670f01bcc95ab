from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, HttpUrl, TypeAdapter, ValidationError

from api.core.schemas import Email, InputModel, UpdateModel, line, unique_items
from api.events.schemas import Language


class Goal(StrEnum):
    learn = "learn"
    hire = "hire"
    get_hired = "get_hired"
    find_clients = "find_clients"
    find_investors = "find_investors"
    meet_speakers = "meet_speakers"
    partner = "partner"


class Role(StrEnum):
    attendee = "attendee"
    speaker = "speaker"
    exhibitor = "exhibitor"
    organizer = "organizer"


DisplayName = Annotated[str, line(80, min_length=1)]
Headline = Annotated[str, line(160)]
Company = Annotated[str, line(120)]
AskMeAbout = Annotated[str, line(160, description='An opening line for a conversation: "ask me about …"')]
FindMeHint = Annotated[str, line(120, description='How to spot them in the hallway, e.g. "red scarf, by the window"')]
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^\+?[0-9 ().\-]{3,40}$")]
Interests = Annotated[list[Annotated[str, line(100, min_length=1)]], Field(max_length=30), AfterValidator(unique_items)]
_http_url = TypeAdapter(HttpUrl)
MAX_URL = 300


def _website(value: str) -> str:
    """An http(s) URL as it is stored: normalized (an international domain spelled in punycode), and still
    within its column."""
    try:
        url = str(_http_url.validate_python(value))
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"]) from None
    if len(url) > MAX_URL:
        raise ValueError(f"this address is longer than {MAX_URL} characters once normalized")
    return url


WebsiteUrl = Annotated[str, line(MAX_URL, json_schema_extra={"format": "uri"}), AfterValidator(_website)]
Goals = Annotated[list[Goal], Field(max_length=7), AfterValidator(unique_items)]


class JoinRequest(InputModel):
    join_code: Annotated[str, line(16, min_length=4)]
    display_name: DisplayName
    email: Email | None = Field(
        default=None, description="Mailed a link to confirm it; it is the attendee's once that link is followed"
    )
    language: Language | None = None


class ProfileUpdate(UpdateModel):
    nullable_fields = frozenset({"email", "phone", "website_url"})

    display_name: DisplayName | None = None
    headline: Headline | None = None
    company: Company | None = None
    ask_me_about: AskMeAbout | None = None
    find_me_hint: FindMeHint | None = None
    goals: Goals | None = None
    open_to_chat: bool | None = None
    visible: bool | None = Field(
        default=None, description="Shown to others (and seeing others by name) while present; off by default"
    )
    findable_as_speaker: bool | None = Field(
        default=None, description="A speaker agrees to be pointed out in the hallway around their talk"
    )
    language: Language | None = None
    interests: Interests | None = Field(
        default=None, description="Free text, mapped onto the event's topics by name or synonym"
    )
    email: Email | None = Field(
        default=None, description="A new address is mailed a link and saved once it is followed; null removes it"
    )
    phone: Phone | None = None
    website_url: WebsiteUrl | None = None


class RoleUpdate(InputModel):
    role: Role


class InterestPublic(BaseModel):
    id: int
    name: str


class AttendeeCard(BaseModel):
    """What another attendee of the same event may see."""

    id: int
    display_name: str
    headline: str
    company: str
    ask_me_about: str
    find_me_hint: str
    photo_url: str | None = Field(
        description="Their photo, under the same rule as the card (null without one); the URL changes with it"
    )
    role: Role
    interests: list[InterestPublic]


class AttendeeListed(AttendeeCard):
    """An attendee as the event's organizers list them: the card, and what tells namesakes apart."""

    joined_at: datetime = Field(description="When they joined: two attendees of one name differ by it")


class AttendeePrivate(AttendeeCard):
    """The attendee's own profile, private details included."""

    event_id: int
    goals: list[Goal]
    open_to_chat: bool
    visible: bool
    findable_as_speaker: bool
    language: Language
    email: str | None
    phone: str | None
    website_url: str | None
