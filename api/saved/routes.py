from fastapi import APIRouter, Response, status

from api.auth.callers import CurrentAttendee
from api.core.deps import SessionDep
from api.core.errors import InvalidInput, NotAuthenticated, NotFound, responses
from api.core.idempotency import RunOnce
from api.core.schemas import PathId
from api.saved import service
from api.saved.schemas import SavedPeople, SavedPublic

me = APIRouter(prefix="/api/me", tags=["saved"], responses=responses(NotAuthenticated))


@me.put(
    "/saved/{attendee_id}",
    response_model=SavedPublic,
    responses=responses(NotFound, InvalidInput),
)
def save_person(attendee_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    """Save for later someone you may see now. Private: they are never told. They come back among your
    suggestions when you are both present."""
    return once({"attendee_id": attendee_id}, lambda: service.save(session, attendee, attendee_id))


@me.delete("/saved/{attendee_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(InvalidInput))
def forget_saved_person(attendee_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    return once({"attendee_id": attendee_id}, lambda: service.forget(session, attendee, attendee_id))


@me.get("/saved")
def list_saved_people(attendee: CurrentAttendee, session: SessionDep) -> SavedPeople:
    return service.my_saved(session, attendee)
