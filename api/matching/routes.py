from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from api.core.deps import AttendeeClaims
from api.core.errors import NotAuthenticated, responses
from api.core.runtime.one_hop import read_in_one_hop
from api.matching import service
from api.matching.schemas import Suggestions

router = APIRouter(prefix="/api/me", tags=["matching"], responses=responses(NotAuthenticated))

# Personal data: stored by no cache, the browser's included. The phone keeps the answer itself and sends
# its ETag in If-None-Match, which needs no HTTP cache.
_REVALIDATE = {"Cache-Control": "private, no-store"}


@router.get(
    "/suggestions",
    response_model=Suggestions,
    responses={304: {"description": "NotModified: the answer whose ETag was sent in If-None-Match still holds"}},
)
async def get_suggestions(
    claims: AttendeeClaims,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=service.MAX_OFFSET, description="People of the ranked list to skip: the next page")
    ] = 0,
    if_none_match: Annotated[
        str | None, Header(description="The ETag of the answer this phone holds: 304 if it still holds")
    ] = None,
) -> Response:
    """People to meet now, with why and what to say; or, when nobody is near, where to go.

    `limit` people from `offset` in the ranked list (people you saved first), and whether there are `more`.
    Names only for a visible caller (reciprocity): a hidden one gets `where_to_go` counts alone,
    and `missing` says what to turn on. Each answer carries an ETag; sent back in If-None-Match, it gets
    304 Not Modified (no body) while the answer would be the same.
    """
    # Called by every phone through a break: one worker-thread hop (see api/core/runtime/one_hop.py).
    answer = await read_in_one_hop(
        request,
        lambda session: service.suggestions_unless_known(
            session,
            claims.subject_id,
            claims.attendee_event_id,
            session_id=claims.session_id,
            limit=limit,
            offset=offset,
            known=if_none_match,
        ),
    )
    headers = _REVALIDATE | {"ETag": answer.etag}
    if answer.body is None:
        return Response(status_code=304, headers=headers)
    # Sent as built: returned as a model, FastAPI would check it against `response_model` again before dumping it.
    return Response(answer.body, media_type="application/json", headers=headers)
