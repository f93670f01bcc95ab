"""A busy route's blocking work in one worker-thread hop, or in the worker thread it already runs in.

A sync dependency, a sync route, the check of a sync route's answer and the session's commit each cost
FastAPI a hop into its thread pool, and on a light request the hops cost more CPU than the work. Suggestions
(api/matching/routes.py) are an `async def` route that checks its input on the event loop and hands all its
reading to `read_in_one_hop`, which reads the caller's own row with the rest.

`serve` is a write's whole work in the calling worker thread: its rate-limit hits, then the work in a
session of its own, committed. Check-ins that a group cannot serve together are served this way, one by one
(api/presence/groups.py).
"""

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.core.config import Settings
from api.core.deps import discard_session, finish_session
from api.core.ratelimit import Counted, Replaying, hit_all
from api.core.runtime import runtime_of

Result = TypeVar("Result")


async def read_in_one_hop(request: Request, work: Callable[[Session], Result]) -> Result:
    """`work(session)` for work that only reads, and reads the caller's own row with the rest rather than
    before it (so it refuses a signed-out device or an erased account itself).

    On PostgreSQL it runs without a transaction: under READ COMMITTED every statement reads its own snapshot
    anyway, and BEGIN and COMMIT were two round trips of eight on a suggestions call."""
    return await run_in_threadpool(_read, runtime_of(request).engine, work)


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
    counted: Counted | None,
    work: Callable[[Session], Result],
    replaying: Replaying | None = None,
) -> Result:
    """In a worker thread: `counted`'s rate-limit hits (none for a retry, `replaying`, with a stored answer),
    then `work(session)`, committed before it returns (so an acknowledged write is durable) and undone on any
    error."""
    if counted is not None:
        # On a connection of its own that commits by itself, back in the pool before the session takes one.
        hit_all(engine, settings, counted, replaying=replaying)
    session = Session(engine, expire_on_commit=False)
    try:
        result = work(session)
    except BaseException:
        discard_session(session)
        raise
    finish_session(session)
    return result
