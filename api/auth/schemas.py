from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field

from api.core.schemas import InputModel


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    subject_kind: Literal["organizer", "attendee"]
    subject_id: int
    event_id: int | None = None


class OrganizerLinkRequest(InputModel):
    email: EmailStr


class AttendeeLinkRequest(InputModel):
    email: EmailStr
    event_slug: Annotated[str, Field(max_length=64)] | None = None


class MagicLinkRedeem(InputModel):
    token: Annotated[str, Field(min_length=16, max_length=128)]


class RefreshRequest(InputModel):
    refresh_token: Annotated[str, Field(min_length=16, max_length=2048)]


class LinkSent(BaseModel):
    detail: str = "If this address is registered, a sign-in link is on its way."
