"""Tokens and secrets. The only module that imports python-jose."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from jose import JWTError, jwt

from api.core.db import utcnow

ALGORITHM = "HS256"
TokenKind = Literal["access", "refresh"]
# A distinct audience per kind: a refresh token is refused where an access token is expected, and back.
AUDIENCES: dict[TokenKind, str] = {"access": "couloir:access", "refresh": "couloir:refresh"}
SubjectKind = Literal["organizer", "attendee"]


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class TokenClaims:
    kind: TokenKind
    subject_kind: SubjectKind
    subject_id: int
    jti: str
    expires_at: datetime
    event_id: int | None = None


def issue_token(
    *,
    kind: TokenKind,
    subject_kind: SubjectKind,
    subject_id: int,
    key: str,
    issuer: str,
    lifetime: timedelta,
    event_id: int | None = None,
    jti: str | None = None,
) -> tuple[str, TokenClaims]:
    now = utcnow()
    claims = TokenClaims(
        kind=kind,
        subject_kind=subject_kind,
        subject_id=subject_id,
        jti=jti or uuid.uuid4().hex,
        expires_at=now + lifetime,
        event_id=event_id,
    )
    payload = {
        "iss": issuer,
        "aud": AUDIENCES[kind],
        "sub": f"{subject_kind}:{subject_id}",
        "typ": kind,
        "iat": int(now.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
        "jti": claims.jti,
    }
    if event_id is not None:
        payload["evt"] = event_id
    return jwt.encode(payload, key, algorithm=ALGORITHM), claims


def read_token(token: str, *, kind: TokenKind, key: str, issuer: str) -> TokenClaims:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("unexpected algorithm")
        payload = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCES[kind],
            issuer=issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_aud": True,
                "require_iss": True,
                "require_sub": True,
                "require_jti": True,
            },
        )
    except JWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if payload.get("typ") != kind:
        raise InvalidToken("wrong token type")
    subject_kind, _, raw_id = str(payload["sub"]).partition(":")
    if subject_kind not in ("organizer", "attendee") or not raw_id.isdigit():
        raise InvalidToken("malformed subject")
    event_id = payload.get("evt")
    if subject_kind == "attendee" and not isinstance(event_id, int):
        raise InvalidToken("attendee token without event")
    return TokenClaims(
        kind=kind,
        subject_kind=subject_kind,  # type: ignore[arg-type]
        subject_id=int(raw_id),
        jti=str(payload["jti"]),
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        event_id=event_id,
    )


def new_secret_token() -> str:
    """A URL-safe random token of 256 bits (magic links, check-in tokens)."""
    return secrets.token_urlsafe(32)


def hash_secret(token: str) -> str:
    """Secrets are stored hashed: a leaked database yields no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()
