from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from api.auth.callers import CurrentAttendee
from api.core import ratelimit
from api.core.deps import SessionDep
from api.core.errors import InvalidInput, NotAuthenticated, NotFound, TooManyRequests, responses
from api.core.idempotency import RunOnce
from api.core.schemas import Page, PageParams, PathId, page_params
from api.events.access import OrganizerEvent
from api.safety import service
from api.safety.schemas import BlockCreate, BlockPublic, ReportAdmin, ReportCreate, ReportPublic

me = APIRouter(prefix="/api/me", tags=["safety"], responses=responses(NotAuthenticated))


@me.post(
    "/blocks",
    status_code=status.HTTP_201_CREATED,
    response_model=BlockPublic,
    responses=responses(NotFound, InvalidInput),
)
def block_attendee(data: BlockCreate, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    """Neither of us will see the other any more, starting now. They are not told."""
    return once(data, lambda: service.block(session, attendee, data.attendee_id))


@me.get("/blocks")
def list_my_blocks(attendee: CurrentAttendee, session: SessionDep) -> list[BlockPublic]:
    return service.my_blocks(session, attendee)


@me.delete("/blocks/{attendee_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(InvalidInput))
def unblock_attendee(attendee_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    return once({"attendee_id": attendee_id}, lambda: service.unblock(session, attendee, attendee_id))


@me.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportPublic,
    responses=responses(NotFound, InvalidInput, TooManyRequests),
    dependencies=[ratelimit.limited("report", per_attendee="report_rate_per_attendee")],
)
def report_attendee(data: ReportCreate, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    """Tell the event's organizers about someone. Blocking them is a separate step."""
    return once(data, lambda: service.report(session, attendee, data))


organizers = APIRouter(
    prefix="/api/events/{event_id}", tags=["safety"], responses=responses(NotAuthenticated, NotFound)
)


@organizers.get("/reports")
def list_reports(
    event: OrganizerEvent, session: SessionDep, page: Annotated[PageParams, Depends(page_params)]
) -> Page[ReportAdmin]:
    """Organizers only: the reports filed at their event, newest first."""
    items, total = service.reports_of_event(session, event.id, limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
