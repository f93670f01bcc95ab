import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, model_validator

from api.core.privacy import MaskedCount
from api.core.schemas import InputModel, line
from api.events.schemas import ZoneKind

_TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,64}")
_CODE = re.compile(r"[A-Z0-9]{3,8}")


def _poster_token(scanned: str) -> str:
    """The token from what a poster's QR code holds (https://HOST/z/<token>), or the bare token."""
    token = scanned
    if "/z/" in scanned:
        token = scanned.rsplit("/z/", 1)[1].split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if not _TOKEN.fullmatch(token):
        raise ValueError("not a Couloir zone poster: scan the zone's QR code again, or type the zone's code")
    return token


def _typed_code(typed: str) -> str:
    code = re.sub(r"[\s\-]", "", typed).upper()
    if not _CODE.fullmatch(code):
        raise ValueError("a zone code is 3 to 8 letters or digits, as printed on the zone's poster")
    return code


class CheckIn(InputModel):
    """Exactly one of `token` (scanned) or `code` (typed)."""

    token: Annotated[str, line(500), AfterValidator(_poster_token)] | None = Field(
        default=None, description="What the zone's QR poster encodes: its URL (https://HOST/z/<token>) or the token"
    )
    code: Annotated[str, line(20), AfterValidator(_typed_code)] | None = Field(
        default=None, description="The zone's short code, printed on the poster, for when the camera fails"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> "CheckIn":
        if (self.token is None) == (self.code is None):
            raise ValueError("give exactly one of the scanned token or the typed code")
        return self


class ZoneRef(BaseModel):
    id: int
    name: str
    kind: ZoneKind


class PresencePublic(BaseModel):
    zone: ZoneRef
    checked_in_at: datetime
    expires_at: datetime = Field(description="The end of the current break, or the check-in TTL outside breaks")


class TopicCount(BaseModel):
    id: int
    name: str
    people: int = Field(description="Always at least 3: rarer topics are not listed")


class ZoneCount(BaseModel):
    zone: ZoneRef
    people: MaskedCount
    top_topics: list[TopicCount]
