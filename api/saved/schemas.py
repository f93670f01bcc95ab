from datetime import datetime

from pydantic import BaseModel, Field

from api.attendees.schemas import AttendeeCard


class SavedPublic(BaseModel):
    attendee: AttendeeCard
    saved_at: datetime


class SavedPeople(BaseModel):
    """My saves, visible to me alone: the people the visibility rule lets me see now, newest first."""

    people: list[SavedPublic]
    not_around: int = Field(
        description="My other saves, not shown now: each is back here (and among suggestions) once you are both present"
    )
