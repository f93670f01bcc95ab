"""Request dependencies: settings, the database session, and the caller's access token (the people it names
are loaded by api/auth/callers.py)."""

from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.core.config import Settings
from api.core.db import utcnow
from api.core.errors import NotAuthenticated
from api.core.runtime import runtime_of
from api.core.security import InvalidToken, TokenClaims, read_token

_bearer = HTTPBearer(auto_error=False, description="An access token from /api/join or a magic link")


# async: FastAPI runs a plain `def` dependency in its thread pool, a hop that costs more than these
# lookups (and the token check below) themselves; only dependencies that wait on the database stay sync.
async def get_settings_dep(request: Request) -> Settings:
    return runtime_of(request).settings


async def get_engine(request: Request) -> Engine:
    return runtime_of(request).engine


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed when the route returns; the request is the single commit point.

    Made on the event loop (a session connects only when first used) and finished in one worker-thread
    hop: a sync generator cost two hops, one to make it and one to finish it, on every request.
    """
    session = Session(runtime_of(request).engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):  # a phone that hung up still gets its transaction undone
            await run_in_threadpool(discard_session, session)
        raise
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(finish_session, session)


def finish_session(session: Session) -> None:
    """Commit the request's work (undone if the commit fails), then give the connection back."""
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def discard_session(session: Session) -> None:
    """Undo the request's work, then give the connection back."""
    try:
        session.rollback()
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine)]
# scope="function": the commit happens before the response leaves, so an acknowledged write is durable.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientIP = Annotated[str, Depends(client_ip)]


async def _claims(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> TokenClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated()
    try:
        claims = _verified_access_token(credentials.credentials, settings.signing_key(), settings.jwt_issuer)
    except InvalidToken:
        raise NotAuthenticated("Invalid or expired access token") from None
    if claims.expires_at <= utcnow():
        raise NotAuthenticated("Invalid or expired access token")
    return claims


# A phone sends the same access token for its whole life (30 minutes), and checking its signature costs
# more than the rest of a light request: verified once per process, its expiry checked at every use. Keyed
# by the signing key and issuer too, so another key never accepts it. Refused tokens are not kept.
@lru_cache(maxsize=20_000)
def _verified_access_token(token: str, key: str, issuer: str) -> TokenClaims:
    return read_token(token, kind="access", key=key, issuer=issuer)


Claims = Annotated[TokenClaims, Depends(_claims)]


def holds_organizer_token(headers: dict[bytes, bytes], settings: Settings) -> bool:
    """Whether a request's headers carry a valid organizer's access token, checked as `Claims` checks one (the
    account itself is looked up later, by the route): before reading a body only an organizer may send."""
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    try:
        claims = _verified_access_token(token.strip(), settings.signing_key(), settings.jwt_issuer)
    except InvalidToken:
        return False
    return claims.subject_kind == "organizer" and claims.expires_at > utcnow()


async def _attendee_claims(claims: Claims) -> TokenClaims:
    """An attendee's token: its kind is checked on the event loop, before the request's input is."""
    if claims.subject_kind != "attendee":
        raise NotAuthenticated("This needs an attendee's access token")
    return claims


AttendeeClaims = Annotated[TokenClaims, Depends(_attendee_claims)]
