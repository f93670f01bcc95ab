from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.core.deps import AttendeeClaims
from api.core.errors import NotAuthenticated, responses
from api.core.one_hop import read_in_one_hop
from api.matching import service
from api.matching.schemas import Suggestions

router = APIRouter(prefix="/api/me", tags=["matching"], responses=responses(NotAuthenticated))


@router.get("/suggestions", response_model=Suggestions)
async def get_suggestions(
    claims: AttendeeClaims,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
) -> Response:
    """People to meet now, with why and what to say; or, when nobody is near, where to go.

    Names only for a visible caller (reciprocity): a hidden one gets `where_to_go` counts alone,
    and `missing` says what to turn on.
    """
    # Called by every phone through a break: one worker-thread hop (see api/core/one_hop.py).
    suggestions = await read_in_one_hop(
        request,
        lambda session: service.suggestions_for(
            session, claims.subject_id, claims.event_id, session_id=claims.session_id, limit=limit
        ),
    )
    # Sent as built: returned as a model, FastAPI would check it against `response_model` again before dumping it.
    return Response(suggestions.model_dump_json(), media_type="application/json")
