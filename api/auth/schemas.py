from typing import Annotated, Literal

from pydantic import BaseModel, Field

from api.core.schemas import Email, InputModel, line


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    subject_kind: Literal["organizer", "attendee"]
    subject_id: int
    event_id: int | None = None


class OrganizerLinkRequest(InputModel):
    email: Email


class AttendeeLinkRequest(InputModel):
    email: Email
    event_slug: Annotated[str, line(64)] | None = None


class MagicLinkRedeem(InputModel):
    token: Annotated[str, line(128, min_length=16)]


class RefreshRequest(InputModel):
    refresh_token: Annotated[str, line(2048, min_length=16)]


class LinkSent(BaseModel):
    detail: str = "If this address is registered, a sign-in link is on its way."
