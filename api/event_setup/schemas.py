from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class ProgrammeImportSummary(BaseModel):
    format: Literal["schedule-json", "schedule-xml", "csv"]
    talks_created: int
    talks_updated: int
    talks_unchanged: int
    breaks_created: int
    breaks_updated: int
    breaks_unchanged: int
    topics_created: list[str] = Field(description="Names of the topics this import added to the event")
    speakers_linked: int = Field(description="Attendees already in the event, now speakers of a talk")
    speakers_created: list[str] = Field(
        description="Speakers not found in the event by email or exact name: added as attendees with the "
        "speaker role and no email, so their talks show them"
    )
    talks_not_in_file: list[int] = Field(
        description="Ids of talks an earlier import brought in that this file no longer has (cancelled?): "
        "kept, for the organizer to delete if they are gone"
    )
    warnings: list[str]


class Invitation(BaseModel):
    attendee_id: int
    display_name: str
    email: str | None
    join_url: str = Field(description="Personal, single use, valid until the event ends")


class SkipReason(StrEnum):
    already_in_event = "already_in_event"
    repeated_in_file = "repeated_in_file"
    not_paid = "not_paid"


class SkippedTicket(BaseModel):
    line: int
    display_name: str
    email: str | None
    reason: SkipReason
    status: str | None = Field(description="The order's status in the file, when not paid")


class AttendeeImportSummary(BaseModel):
    created: int
    speakers_completed: int = Field(
        description="Speakers the programme import had added without email, matched by exact name and given "
        "their ticket's email (and a join link)"
    )
    skipped: list[SkippedTicket] = Field(
        description="Already in the event (no new link), repeated in the file, or an order not paid (pending, "
        "expired, cancelled: a file with a status column imports paid orders only)"
    )
    emailed: int = Field(description="Join links being emailed, after this response")
    invitations: list[Invitation] = Field(
        description="Join links to print on badges: every new attendee's, or with send=true those without email"
    )


class PosterSize(StrEnum):
    A4 = "A4"
    A5 = "A5"
