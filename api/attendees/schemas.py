from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, EmailStr, Field, HttpUrl

from api.core.schemas import InputModel, UpdateModel, unique_items
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


DisplayName = Annotated[str, Field(min_length=1, max_length=80)]
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^\+?[0-9 ().\-]{3,40}$")]
Interests = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=30), AfterValidator(unique_items)
]
Goals = Annotated[list[Goal], Field(max_length=7), AfterValidator(unique_items)]


class JoinRequest(InputModel):
    join_code: Annotated[str, Field(min_length=4, max_length=16)]
    display_name: DisplayName
    email: EmailStr | None = Field(
        default=None, description="Mailed a link to confirm it; it is the attendee's once that link is followed"
    )
    language: Language | None = None


class ProfileUpdate(UpdateModel):
    nullable_fields = frozenset({"email", "phone", "website_url"})

    display_name: DisplayName | None = None
    headline: Annotated[str, Field(max_length=160)] | None = None
    company: Annotated[str, Field(max_length=120)] | None = None
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
    email: EmailStr | None = Field(
        default=None, description="A new address is mailed a link and saved once it is followed; null removes it"
    )
    phone: Phone | None = None
    website_url: HttpUrl | None = None


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
    role: Role
    interests: list[InterestPublic]


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
