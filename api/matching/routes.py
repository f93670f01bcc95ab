from typing import Annotated

from fastapi import APIRouter, Query

from api.core.deps import CurrentAttendee, SessionDep
from api.core.errors import NotAuthenticated, responses
from api.matching import service
from api.matching.schemas import Suggestions

router = APIRouter(prefix="/api/me", tags=["matching"], responses=responses(NotAuthenticated))


@router.get("/suggestions")
def get_suggestions(
    attendee: CurrentAttendee,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
) -> Suggestions:
    """People to meet now, with why and what to say; or, when nobody is near, where to go.

    Names only for a visible caller (reciprocity): a hidden one gets `where_to_go` counts alone,
    and `missing` says what to turn on.
    """
    return service.suggestions_for(session, attendee, limit=limit)
