from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from api.attendees import service
from api.attendees.schemas import AttendeeCard, AttendeePrivate, JoinRequest, ProfileUpdate, RoleUpdate
from api.auth.schemas import TokenPair
from api.auth.service import open_session, send_attendee_links
from api.core import ratelimit
from api.core.deps import Claims, ClientIP, CurrentAttendee, EngineDep, SessionDep, SettingsDep
from api.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    error_response,
    responses,
)
from api.core.schemas import Page, PageParams, PathId, page_params
from api.events.access import MemberEvent, OrganizerEvent
from api.events.service import event_by_join_code
from api.presence.service import refresh_presence
from api.safety.service import blocked_either_way

router = APIRouter(prefix="/api", tags=["attendees"])


class JoinResult(BaseModel):
    attendee: AttendeePrivate
    tokens: TokenPair


@router.post(
    "/join",
    status_code=status.HTTP_201_CREATED,
    response_model=JoinResult,
    responses=responses(NotFound, Conflict, InvalidInput, TooManyRequests),
)
def join_event(
    data: JoinRequest, session: SessionDep, engine: EngineDep, settings: SettingsDep, ip: ClientIP
) -> JoinResult | JSONResponse:
    """Join an event with its join code. The code scopes a new attendee to the event; it proves no identity."""
    ratelimit.hit(engine, settings, f"join:ip:{ip}", settings.join_rate_per_ip)
    try:
        attendee = service.join(session, data)
    except service.EmailAlreadyJoined as exc:
        # The owner of that address gets a sign-in link instead of a second account.
        slug = event_by_join_code(session, data.join_code).slug
        response = error_response(exc.status_code, type(exc).__name__, exc.detail)
        response.background = BackgroundTask(send_attendee_links, engine, settings, data.email.lower(), slug)
        return response
    tokens = open_session(session, settings, attendee=attendee)
    return JoinResult(attendee=service.private_profile(session, attendee), tokens=tokens)


me = APIRouter(prefix="/api/me", tags=["attendees"], responses=responses(NotAuthenticated))


@me.get("")
def get_my_profile(attendee: CurrentAttendee, session: SessionDep) -> AttendeePrivate:
    return service.private_profile(session, attendee)


@me.patch("", responses=responses(InvalidInput, Conflict))
def update_my_profile(data: ProfileUpdate, attendee: CurrentAttendee, session: SessionDep) -> AttendeePrivate:
    return service.private_profile(session, service.update_profile(session, attendee, data))


@me.delete("", status_code=status.HTTP_204_NO_CONTENT)
def delete_my_account(attendee: CurrentAttendee, session: SessionDep) -> None:
    """Erase this attendee and sign out every device (their refresh sessions go with them)."""
    service.delete_attendee(session, attendee)


people = APIRouter(
    prefix="/api/events/{event_id}/attendees", tags=["attendees"], responses=responses(NotAuthenticated, NotFound)
)


@people.get("")
def list_attendees(
    event: OrganizerEvent,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=80, description="Part of a display name, case aside")] = None,
) -> Page[AttendeeCard]:
    """Organizers only: the public cards of the event's attendees, by name (`q` narrows them to a name search)."""
    rows, total = service.list_attendees(session, event.id, name=q, limit=page.limit, offset=page.offset)
    return Page(items=service.cards(session, rows), total=total, limit=page.limit, offset=page.offset)


@people.get("/{attendee_id}")
def get_attendee_card(attendee_id: PathId, event: MemberEvent, claims: Claims, session: SessionDep) -> AttendeeCard:
    """A public card, visible only within the same event and never across a block. No private details."""
    if claims.subject_kind == "attendee" and attendee_id in blocked_either_way(session, claims.subject_id):
        raise NotFound("No such attendee in this event")
    return service.cards(session, [service.get_attendee(session, event_id=event.id, attendee_id=attendee_id)])[0]


@people.patch("/{attendee_id}/role", responses=responses(InvalidInput))
def set_attendee_role(
    attendee_id: PathId, data: RoleUpdate, event: OrganizerEvent, session: SessionDep
) -> AttendeeCard:
    """Organizers mark speakers, exhibitors and staff."""
    attendee = service.get_attendee(session, event_id=event.id, attendee_id=attendee_id)
    attendee.role = data.role.value
    session.add(attendee)
    session.flush()
    refresh_presence(session, attendee)
    return service.cards(session, [attendee])[0]
