from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

from api.core.schemas import Id, InputModel, text


class ReportReason(StrEnum):
    harassment = "harassment"
    inappropriate = "inappropriate"
    spam = "spam"
    impersonation = "impersonation"
    other = "other"


class BlockCreate(InputModel):
    attendee_id: Id


class ReportCreate(InputModel):
    attendee_id: Id
    reason: ReportReason
    details: Annotated[str, text(2000)] = ""


class PersonRef(BaseModel):
    id: int
    display_name: str


class BlockPublic(BaseModel):
    attendee: PersonRef
    blocked_at: datetime


class ReportPublic(BaseModel):
    """What the reporter gets back: the report as filed."""

    id: int
    attendee_id: int
    reason: ReportReason
    details: str
    created_at: datetime


class ReportAdmin(BaseModel):
    """What the event's organizers see."""

    id: int
    reported: PersonRef
    reporter: PersonRef | None = Field(description="null once the reporter erased their account")
    reason: ReportReason
    details: str
    created_at: datetime
