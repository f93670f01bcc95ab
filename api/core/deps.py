"""Request dependencies: settings, the database session, and who is calling."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.attendees.models import Attendee
from api.core.config import Settings
from api.core.db import session_scope
from api.core.errors import NotAuthenticated
from api.core.security import InvalidToken, TokenClaims, read_token
from api.organizers.models import Organizer

_bearer = HTTPBearer(auto_error=False, description="An access token from /api/join or a magic link")


# async: FastAPI runs a plain `def` dependency in its thread pool, a hop that costs more than these
# lookups (and the token check below) themselves; only dependencies that wait on the database stay sync.
async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_session(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.engine)


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
        return read_token(
            credentials.credentials, kind="access", key=settings.signing_key(), issuer=settings.jwt_issuer
        )
    except InvalidToken:
        raise NotAuthenticated("Invalid or expired access token") from None


Claims = Annotated[TokenClaims, Depends(_claims)]


def current_attendee(claims: Claims, session: SessionDep) -> Attendee:
    if claims.subject_kind != "attendee":
        raise NotAuthenticated("This needs an attendee's access token")
    attendee = session.get(Attendee, claims.subject_id)
    if attendee is None or attendee.event_id != claims.event_id:
        raise NotAuthenticated("This account no longer exists")
    return attendee


def current_organizer(claims: Claims, session: SessionDep) -> Organizer:
    if claims.subject_kind != "organizer":
        raise NotAuthenticated("This needs an organizer's access token")
    organizer = session.get(Organizer, claims.subject_id)
    if organizer is None:
        raise NotAuthenticated("This account no longer exists")
    return organizer


CurrentAttendee = Annotated[Attendee, Depends(current_attendee)]
CurrentOrganizer = Annotated[Organizer, Depends(current_organizer)]
