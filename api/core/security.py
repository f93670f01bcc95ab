"""Tokens and secrets. The only module that imports python-jose."""

import hashlib
import re
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
# A subject as issue_token writes it: ASCII digits only (str.isdigit and int() also take "٣٠٧" for 307).
_SUBJECT = re.compile(r"(organizer|attendee):([1-9][0-9]{0,9})")
_SESSION_ID = re.compile(r"[0-9a-f]{32}")


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class TokenClaims:
    kind: TokenKind
    subject_kind: SubjectKind
    subject_id: int
    jti: str
    # The signed-in device (its refresh session) the token belongs to: signing out or erasing the account
    # ends the session, and every request checks it, so the device's access token dies with it too.
    session_id: str
    expires_at: datetime
    event_id: int | None = None

    @property
    def attendee_event_id(self) -> int:
        """An attendee's event, which their tokens always name (for an `AttendeeClaims`)."""
        if self.event_id is None:
            raise InvalidToken("an attendee's token without its event")
        return self.event_id


def new_token_id() -> str:
    """A token's jti, or a session's id: 128 random bits as 32 hex digits."""
    return uuid.uuid4().hex


def issue_token(
    *,
    kind: TokenKind,
    subject_kind: SubjectKind,
    subject_id: int,
    session_id: str,
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
        jti=jti or new_token_id(),
        session_id=session_id,
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
        "sid": session_id,
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
    # python-jose takes an `aud` list that merely contains ours: only the exact audience is ours.
    if payload["aud"] != AUDIENCES[kind] or payload.get("typ") != kind:
        raise InvalidToken("wrong token type")
    subject = _SUBJECT.fullmatch(payload["sub"]) if isinstance(payload["sub"], str) else None
    if subject is None:
        raise InvalidToken("malformed subject")
    subject_kind, raw_id = subject.groups()
    event_id = payload.get("evt")
    if subject_kind == "attendee" and type(event_id) is not int:  # bool is an int, and not an event
        raise InvalidToken("attendee token without event")
    jti = payload["jti"]
    # Refresh tokens signed before sessions had ids of their own (revision 0007): their session's id is their jti.
    session_id = payload.get("sid", jti if kind == "refresh" else None)
    if not isinstance(jti, str) or not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
        raise InvalidToken("malformed token id")
    return TokenClaims(
        kind=kind,
        subject_kind=subject_kind,  # type: ignore[arg-type]
        subject_id=int(raw_id),
        jti=jti,
        session_id=session_id,
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        event_id=event_id,
    )


def new_secret_token() -> str:
    """A URL-safe random token of 256 bits (magic links, check-in tokens)."""
    return secrets.token_urlsafe(32)


def hash_secret(token: str) -> str:
    """Secrets are stored hashed: a leaked database yields no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()
