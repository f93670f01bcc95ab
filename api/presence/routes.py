from fastapi import APIRouter, Request, Response, status

from api.auth.callers import CurrentAttendee
from api.core import ratelimit
from api.core.deps import AttendeeClaims, Claims, SessionDep, SettingsDep, client_ip
from api.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, TooManyRequests, responses
from api.core.idempotency import IdempotencyKey, RunOnce
from api.core.runtime import Grouped, serve_grouped
from api.events.access import MemberEvent
from api.presence import groups, service
from api.presence.groups import CheckInRequest
from api.presence.schemas import CheckIn, PresencePublic, ZoneCount

me = APIRouter(prefix="/api/me", tags=["presence"], responses=responses(NotAuthenticated))


CHECK_IN_PATH = "/api/me/check-ins"
CHECK_IN_RATE = ratelimit.RateLimit("check-in", per_attendee="checkin_rate_per_attendee", per_ip="checkin_rate_per_ip")
# The busiest write of a break: check-ins arriving together are served together, one per attendee in a group,
# on an engine of their own (registered with the app in api/main.py).
CHECK_INS: Grouped[CheckInRequest, Response] = Grouped(
    CHECK_IN_PATH, groups.serve_check_ins, key=lambda request: request.claims.subject_id, engine=groups.check_in_engine
)


@me.post(
    CHECK_IN_PATH.removeprefix(me.prefix),
    status_code=status.HTTP_201_CREATED,
    response_model=PresencePublic,
    responses=responses(service.UnknownZone, Conflict, InvalidInput, TooManyRequests),
)
async def check_in(
    data: CheckIn, claims: AttendeeClaims, request: Request, settings: SettingsDep, key: IdempotencyKey
) -> Response:
    """Check in at a zone by its poster (scanned) or its code (typed). Moves any earlier presence here."""
    counted = CHECK_IN_RATE.counters(settings, claims, client_ip(request))
    return await serve_grouped(request, CHECK_INS, CheckInRequest(claims, key, data, counted))


@me.get("/presence")
def get_my_presence(attendee: CurrentAttendee, session: SessionDep) -> PresencePublic | None:
    """Where I am checked in, or null once it expired or I left."""
    return service.my_presence(session, attendee)


@me.delete("/presence", status_code=status.HTTP_204_NO_CONTENT, responses=responses(InvalidInput))
def leave(attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    """I'm leaving: my presence ends now."""
    return once(None, lambda: service.leave(session, attendee))


events = APIRouter(prefix="/api/events/{event_id}", tags=["presence"], responses=responses(NotAuthenticated, NotFound))


@events.get("/zone-counts")
def get_zone_counts(event: MemberEvent, claims: Claims, session: SessionDep) -> list[ZoneCount]:
    """People present per zone and their top topics; counts below 3 read "fewer than 3". An attendee's count
    only people who chose to be seen and whose account is vouched, never the caller; organizers', everyone."""
    attendee_id = claims.subject_id if claims.subject_kind == "attendee" else None
    return service.zone_counts(session, event.id, attendee_id=attendee_id)
