from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator

from api.core.schemas import Id, InputModel, Moment, UpdateModel, line, text, unique_items

IdList = Annotated[list[Id], Field(max_length=50), AfterValidator(unique_items)]
Title = Annotated[str, line(300, min_length=1)]
Label = Annotated[str, line(100, min_length=1)]
Abstract = Annotated[str, text(10_000)]
Room = Annotated[str, line(100)]


class _Slot:
    # On ends_at rather than the whole slot, so the refusal names the field to correct.
    @field_validator("ends_at", check_fields=False)
    @classmethod
    def _after_start(cls, ends_at: datetime | None, info: ValidationInfo) -> datetime | None:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and ends_at is not None and ends_at <= starts_at:
            raise ValueError("ends_at must be after starts_at")
        return ends_at


class TalkCreate(_Slot, InputModel):
    title: Title
    abstract: Abstract = ""
    room: Room = ""
    starts_at: Moment
    ends_at: Moment
    topic_ids: IdList = []
    speaker_ids: IdList = []


class TalkUpdate(_Slot, UpdateModel):
    title: Title | None = None
    abstract: Abstract | None = None
    room: Room | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    topic_ids: IdList | None = None
    speaker_ids: IdList | None = None


class SpeakerPublic(BaseModel):
    id: int
    display_name: str


class TalkPublic(BaseModel):
    id: int
    title: str
    abstract: str
    room: str
    starts_at: datetime
    ends_at: datetime
    topic_ids: list[int]
    speakers: list[SpeakerPublic]


class BreakCreate(_Slot, InputModel):
    label: Label
    starts_at: Moment
    ends_at: Moment


class BreakUpdate(_Slot, UpdateModel):
    label: Label | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None


class BreakPublic(BaseModel):
    id: int
    label: str
    starts_at: datetime
    ends_at: datetime


class Agenda(BaseModel):
    talks: list[TalkPublic]
    breaks: list[BreakPublic]


class Bookmarks(BaseModel):
    """The talks I bookmarked, in time order: mine alone."""

    talk_ids: list[int]
