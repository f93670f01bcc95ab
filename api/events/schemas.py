from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator, model_validator

from api.core.schemas import Id, InputModel, Moment, UpdateModel, line, text, unique_items


class Language(StrEnum):
    fr = "fr"
    en = "en"


class ZoneKind(StrEnum):
    buffet = "buffet"
    coffee = "coffee"
    coat_check = "coat_check"
    exhibitor_table = "exhibitor_table"
    lounge = "lounge"
    hallway = "hallway"
    entrance = "entrance"
    other = "other"


_TIMEZONES = available_timezones()


def _known_timezone(value: str) -> str:
    if value not in _TIMEZONES:
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Paris")
    return value


TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(_known_timezone)]
Slug = Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Name = Annotated[str, line(200, min_length=1)]
Subject = Annotated[str, line(200, min_length=1)]
Description = Annotated[str, text(5000)]
ZoneName = Annotated[str, line(100, min_length=1)]
TopicName = Annotated[str, line(100, min_length=1)]
LocalName = Annotated[str, line(100, min_length=1)]
Synonyms = Annotated[list[TopicName], Field(max_length=30)]
Currency = Annotated[str, Field(max_length=3, pattern=r"^[A-Z]{3}$")]
Languages = Annotated[list[Language], Field(min_length=1, max_length=2), AfterValidator(unique_items)]


INVITATION_ONLY = "Joining needs a personal invitation (the attendee import's links): the join code is refused"


class EventCreate(InputModel):
    name: Name
    slug: Slug
    subject: Subject
    description: Description = ""
    timezone: TimeZoneName
    starts_at: Moment
    ends_at: Moment
    languages: Languages = [Language.fr, Language.en]
    ticket_price_cents: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    currency: Currency | None = None
    presence_retention_days: Annotated[int, Field(ge=0, le=365)] = 7
    invitation_only: bool = Field(default=False, description=INVITATION_ONLY)

    # On ends_at rather than the whole event, so the refusal names the field to correct.
    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and ends_at <= starts_at:
            raise ValueError("ends_at must be after starts_at")
        return ends_at

    @model_validator(mode="after")
    def _check(self) -> "EventCreate":
        if (self.ticket_price_cents is None) != (self.currency is None):
            raise ValueError("give ticket_price_cents and currency together")
        return self


class EventUpdate(UpdateModel):
    nullable_fields = frozenset({"ticket_price_cents", "currency"})

    name: Name | None = None
    subject: Subject | None = None
    description: Description | None = None
    timezone: TimeZoneName | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    languages: Languages | None = None
    ticket_price_cents: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    currency: Currency | None = None
    presence_retention_days: Annotated[int, Field(ge=0, le=365)] | None = None
    invitation_only: bool | None = Field(default=None, description=INVITATION_ONLY)


class EventAdmin(BaseModel):
    """What the event's organizers see."""

    id: int
    slug: str
    name: str
    subject: str
    description: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    languages: list[str]
    join_code: str
    join_url: str
    ticket_price_cents: int | None
    currency: str | None
    presence_retention_days: int
    invitation_only: bool = Field(description=INVITATION_ONLY)


class LocalNames(InputModel):
    """Optional names per language; screens show `name` where the language has none."""

    name_fr: LocalName | None = None
    name_en: LocalName | None = None


class _LocalNamesUpdate(UpdateModel):
    nullable_fields = frozenset({"name_fr", "name_en"})

    name_fr: LocalName | None = None
    name_en: LocalName | None = None


class ZonePublic(BaseModel):
    id: int
    name: str
    name_fr: str | None = None
    name_en: str | None = None
    kind: ZoneKind
    neighbour_ids: list[int]


class EventPublic(BaseModel):
    """What the event's attendees see: no join code management, no zone tokens."""

    id: int
    slug: str
    name: str
    subject: str
    description: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    languages: list[str]
    zones: list[ZonePublic]


class ZoneCreate(LocalNames):
    name: ZoneName
    kind: ZoneKind
    neighbour_ids: Annotated[list[Id], Field(max_length=50), AfterValidator(unique_items)] = []


class ZoneUpdate(_LocalNamesUpdate):
    name: ZoneName | None = None
    kind: ZoneKind | None = None
    neighbour_ids: Annotated[list[Id], Field(max_length=50), AfterValidator(unique_items)] | None = None


class ZoneAdmin(ZonePublic):
    checkin_token: str
    checkin_url: str
    code: str


class TopicCreate(LocalNames):
    name: TopicName
    synonyms: Synonyms = []


class TopicUpdate(_LocalNamesUpdate):
    name: TopicName | None = None
    synonyms: Synonyms | None = None


class TopicPublic(BaseModel):
    id: int
    name: str
    name_fr: str | None = None
    name_en: str | None = None
    synonyms: list[str]
