from fastapi import APIRouter, Response, status

from api.core.deps import CurrentAttendee, SessionDep
from api.core.errors import InvalidInput, NotAuthenticated, NotFound, responses
from api.core.idempotency import IdempotencyKey, run_once
from api.core.schemas import PathId
from api.saved import service
from api.saved.schemas import SavedPeople, SavedPublic

me = APIRouter(prefix="/api/me", tags=["saved"], responses=responses(NotAuthenticated))


@me.put(
    "/saved/{attendee_id}",
    response_model=SavedPublic,
    responses=responses(NotFound, InvalidInput),
)
def save_person(attendee_id: PathId, attendee: CurrentAttendee, session: SessionDep, key: IdempotencyKey) -> Response:
    """Save for later someone you may see now. Private: they are never told. They come back among your
    suggestions when you are both present."""
    return run_once(
        session,
        attendee_id=attendee.id,
        key=key,
        operation="save",
        payload={"attendee_id": attendee_id},
        status_code=status.HTTP_200_OK,
        action=lambda: service.save(session, attendee, attendee_id),
    )


@me.delete("/saved/{attendee_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(InvalidInput))
def forget_saved_person(
    attendee_id: PathId, attendee: CurrentAttendee, session: SessionDep, key: IdempotencyKey
) -> Response:
    return run_once(
        session,
        attendee_id=attendee.id,
        key=key,
        operation="forget_saved",
        payload={"attendee_id": attendee_id},
        status_code=status.HTTP_204_NO_CONTENT,
        action=lambda: service.forget(session, attendee, attendee_id),
    )


@me.get("/saved")
def list_saved_people(attendee: CurrentAttendee, session: SessionDep) -> SavedPeople:
    return service.my_saved(session, attendee)
