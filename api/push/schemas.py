from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from api.core.schemas import InputModel, line
from api.push.webpush import MAX_ENDPOINT_LENGTH


class VapidPublicKey(BaseModel):
    public_key: str = Field(description="The applicationServerKey to give PushManager.subscribe()")


class SubscriptionKeys(InputModel):
    p256dh: Annotated[str, line(128, min_length=1)]
    auth: Annotated[str, line(64, min_length=1)]


class SubscriptionCreate(InputModel):
    """A browser's PushSubscription, as its toJSON() gives it."""

    endpoint: Annotated[str, line(MAX_ENDPOINT_LENGTH, min_length=1)]
    # Browsers send it (almost always null); a subscription that lapses answers 404/410 and is dropped then.
    expiration_time: int | None = Field(default=None, alias="expirationTime")
    keys: SubscriptionKeys


class SubscriptionPublic(BaseModel):
    id: int
    push_service: str = Field(description="The host of the push service this device uses")
    created_at: datetime
    updated_at: datetime


class PushPreferences(InputModel):
    enabled: bool = Field(description="Off: no push at all, whatever the rest says")
    break_nudges: bool = Field(description="A strong match near you in a break; where to go at a break's start")
    speaker_nearby: bool = Field(description="A speaker who shares your topics is near you in a break")
    contact_requests: bool = Field(description="Someone asked to exchange details with you (sent in breaks only)")


class HallwayMomentCreate(InputModel):
    minutes: Annotated[int, Field(ge=1, le=120, description="How long, from now")]
    label: Annotated[str, line(100, min_length=1)] = "Hallway moment"


class HallwayMomentPublic(BaseModel):
    id: int
    label: str
    starts_at: datetime
    ends_at: datetime
