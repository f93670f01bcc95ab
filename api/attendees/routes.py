from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.attendees import photos, service, visibility
from api.attendees.models import Attendee
from api.attendees.schemas import (
    AttendeeCard,
    AttendeeListed,
    AttendeePrivate,
    JoinRequest,
    ProfileUpdate,
    RoleUpdate,
)
from api.auth.callers import CurrentAttendee
from api.auth.schemas import TokenPair
from api.auth.service import open_session, send_email_proof
from api.core import ratelimit
from api.core.config import Settings
from api.core.deps import Claims, ClientIP, EngineDep, SessionDep, SettingsDep
from api.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    responses,
)
from api.core.schemas import OneLine, Page, PageParams, PathId, page_params
from api.core.security import TokenClaims
from api.events.access import MemberEvent, OrganizerEvent
from api.events.models import Event
from api.presence.service import refresh_presence

router = APIRouter(prefix="/api", tags=["attendees"])


class JoinResult(BaseModel):
    attendee: AttendeePrivate
    tokens: TokenPair


@router.post(
    "/join",
    status_code=status.HTTP_201_CREATED,
    responses=responses(NotFound, service.InvitationOnly, Conflict, InvalidInput, TooManyRequests),
)
def join_event(
    data: JoinRequest,
    background: BackgroundTasks,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    ip: ClientIP,
) -> JoinResult:
    """Join an event with its join code. The code scopes a new attendee to the event; it proves no identity.
    Nor does an email: the answer is the same whoever owns it, and the mailbox gets a link to confirm it (or,
    if it already joined the event, to sign in to that account). An event by invitation only refuses the code:
    its attendees join by their personal links."""
    ratelimit.hit(engine, settings, f"join:ip:{ip}", settings.join_rate_per_ip)
    attendee = service.join(session, data)
    _prove_email(background, engine, settings, attendee.id, service.claimed_email(attendee, data.email))
    tokens = open_session(session, settings, attendee=attendee)
    return JoinResult(attendee=service.private_profile(session, attendee), tokens=tokens)


def _prove_email(
    background: BackgroundTasks, engine: Engine, settings: Settings, attendee_id: int, claimed: str | None
) -> None:
    """Mail a proof to a newly given address after the response, once the request's work is committed."""
    if claimed:
        background.add_task(send_email_proof, engine, settings, attendee_id, claimed)


me = APIRouter(prefix="/api/me", tags=["attendees"], responses=responses(NotAuthenticated))


@me.get("")
def get_my_profile(attendee: CurrentAttendee, session: SessionDep) -> AttendeePrivate:
    return service.private_profile(session, attendee)


@me.patch("", responses=responses(InvalidInput))
def update_my_profile(
    data: ProfileUpdate,
    attendee: CurrentAttendee,
    background: BackgroundTasks,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> AttendeePrivate:
    """A new email is not saved here: it is mailed a link, and becomes mine when that link is followed."""
    claimed = service.claimed_email(attendee, data.email)
    profile = service.private_profile(session, service.update_profile(session, attendee, data))
    _prove_email(background, engine, settings, attendee.id, claimed)
    return profile


async def _photo_body(request: Request) -> tuple[bytes, str | None]:
    # Read on the event loop (already buffered within the body cap, api.core.limits); decoded in the route's
    # worker thread.
    return await request.body(), request.headers.get("content-type")


PhotoBody = Annotated[tuple[bytes, str | None], Depends(_photo_body)]


@me.put(
    "/photo",
    responses=responses(photos.UnsupportedPhotoType, InvalidInput, PayloadTooLarge),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in photos.ACCEPTED_TYPES},
        }
    },
)
def set_my_photo(photo: PhotoBody, attendee: CurrentAttendee, session: SessionDep) -> AttendeePrivate:
    """My photo, sent as the body (a JPEG, PNG or WebP image, within the general body cap). It is stored cropped
    to a square, resized and re-encoded as a JPEG without its metadata (EXIF, GPS); shown where my card is."""
    data, content_type = photo
    return service.private_profile(session, service.set_photo(session, attendee, data, content_type))


@me.delete("/photo")
def remove_my_photo(attendee: CurrentAttendee, session: SessionDep) -> AttendeePrivate:
    return service.private_profile(session, service.remove_photo(session, attendee))


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
    q: Annotated[str | None, Query(max_length=80, description="Part of a display name, case aside"), OneLine] = None,
) -> Page[AttendeeListed]:
    """Organizers only: the public cards of the event's attendees, by name (`q` narrows them to a name search),
    each with when they joined, so that two people of one name can be told apart."""
    rows, total = service.list_attendees(session, event.id, name=q, limit=page.limit, offset=page.offset)
    return Page(items=service.listed(session, rows), total=total, limit=page.limit, offset=page.offset)


@people.get("/{attendee_id}")
def get_attendee_card(attendee_id: PathId, event: MemberEvent, claims: Claims, session: SessionDep) -> AttendeeCard:
    """A card, only under the visibility rule (api/attendees/visibility.py): anyone else reads as an unknown id.
    The event's organizers see every card. No private details."""
    return service.cards(session, [_shown(session, claims, event, attendee_id)])[0]


@people.get(
    "/{attendee_id}/photo",
    response_class=Response,
    responses={200: {"content": {photos.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}},
)
def get_attendee_photo(
    attendee_id: PathId,
    event: MemberEvent,
    claims: Claims,
    session: SessionDep,
    v: Annotated[str | None, Query(max_length=32, description="The version the card links to"), OneLine] = None,
) -> Response:
    """A card's photo, under the card's rule: whoever may be shown the card may see it; an invisible, blocked
    or unknown person's photo (or one who has none) answers as an unknown id does."""
    photo = service.photo_of(session, _shown(session, claims, event, attendee_id))
    headers = {"ETag": f'"{photo.etag}"', "Cache-Control": "private, max-age=3600", "Vary": "Authorization"}
    return Response(photo.image, media_type=photo.media_type, headers=headers)


def _shown(session: Session, claims: TokenClaims, event: Event, attendee_id: int) -> Attendee:
    """The attendee whose card the caller may see: an attendee under the visibility rule, an organizer any."""
    if claims.subject_kind == "attendee":
        viewer = session.get_one(Attendee, claims.subject_id)  # MemberEvent found them in this event
        return visibility.shown_attendee(session, viewer, attendee_id)
    return service.get_attendee(session, event_id=event.id, attendee_id=attendee_id)


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
