"""The routes every phone calls through a break, served in one worker-thread hop.

A sync dependency, a sync route, the check of a sync route's answer and the session's commit each cost
FastAPI a hop into its thread pool, and on a light request the hops cost more CPU than the work: these
routes are `async def` and hand all their blocking work to `in_one_hop`, which does what a rate-limit
dependency (`ratelimit.limited`), `current_attendee` and `get_session` do, in that order, in one hop.

The token and its kind (`AttendeeClaims`) are checked before, on the event loop, as before; the rest of
the request's input is now checked before the hop too, so a malformed request is refused (422) without
using up a rate-limit hit, and ahead of a 401 for a signed-out device or an erased account, or of a 429.

Work that finds the caller itself, with what else it reads, goes through `read_in_one_hop` (suggestions).
Check-ins go further: many in one hop (api/core/group_commit.py).
"""

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.attendees.models import Attendee
from api.core.config import Settings
from api.core.deps import client_ip, discard_session, finish_session, load_attendee
from api.core.ratelimit import Counted, RateLimit, Replaying, hit_all
from api.core.security import TokenClaims

Result = TypeVar("Result")


async def in_one_hop(
    request: Request,
    claims: TokenClaims,
    work: Callable[[Session, Attendee], Result],
    *,
    rate_limit: RateLimit | None = None,
) -> Result:
    """`work(session, attendee)` for the attendee of `claims`, committed before the response leaves (so an
    acknowledged write is durable) and undone on any error; `rate_limit`'s hits are counted first. The hop
    is not cancelled halfway: a phone that hangs up still gets its transaction finished."""
    settings = request.app.state.settings
    counted = rate_limit.counters(settings, claims, client_ip(request)) if rate_limit is not None else None
    return await run_in_threadpool(serve, request.app.state.engine, settings, claims, counted, work)


async def read_in_one_hop(request: Request, work: Callable[[Session], Result]) -> Result:
    """`work(session)` for work that only reads, and reads the caller's own row with the rest rather than
    before it (so it refuses a signed-out device or an erased account itself).

    On PostgreSQL it runs without a transaction: under READ COMMITTED every statement reads its own snapshot
    anyway, and BEGIN and COMMIT were two round trips of eight on a suggestions call."""
    return await run_in_threadpool(_read, request.app.state.engine, work)


def _read(engine: Engine, work: Callable[[Session], Result]) -> Result:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            with Session(bind=connection) as session:
                return work(session)
    with Session(engine) as session:  # closed, so its transaction is undone: there is nothing to keep
        return work(session)


def serve(
    engine: Engine,
    settings: Settings,
    claims: TokenClaims,
    counted: Counted | None,
    work: Callable[[Session, Attendee], Result],
    replaying: Replaying | None = None,
) -> Result:
    """In a worker thread: `counted`'s rate-limit hits (none for a retry, `replaying`, with a stored answer),
    then `work(session, attendee)`, committed."""
    if counted is not None:
        # On a connection of its own that commits by itself, back in the pool before the session takes one.
        hit_all(engine, settings, counted, replaying=replaying)
    session = Session(engine, expire_on_commit=False)
    try:
        result = work(session, load_attendee(session, claims))
    except BaseException:
        discard_session(session)
        raise
    finish_session(session)
    return result
