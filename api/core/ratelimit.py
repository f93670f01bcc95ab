"""Fixed-window rate limits kept in the database, so every replica counts the same hits."""

import time
from collections.abc import Sequence
from typing import Any

from fastapi import Depends
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel

from api.core.config import Settings
from api.core.db import conflict_insert
from api.core.deps import Claims, ClientIP, EngineDep, SettingsDep
from api.core.errors import TooManyRequests


class RateLimitWindow(SQLModel, table=True):
    __tablename__ = "rate_limit_window"
    key: str = Field(primary_key=True, max_length=200)
    window_start: int = Field(primary_key=True)
    hits: int = 0


def hit(engine: Engine, key: str, limit: tuple[int, int]) -> None:
    """Count one hit for `key`; raise TooManyRequests past `limit` = (max hits, window seconds)."""
    hit_all(engine, [(key, limit)])


def hit_all(engine: Engine, counted: Sequence[tuple[str, tuple[int, int]]]) -> None:
    """Count one hit for each (key, limit) in one transaction; raise TooManyRequests if any is past its limit.

    Counted in a transaction of its own: a request that fails afterwards (a wrong join code, say)
    must still use up its hit, or guessing would be free. Every key is counted even when one trips,
    so a burst cannot slip a hit past one counter by tripping another. Passed windows are deleted by
    the scheduler's cleanup (`purge_passed_windows`), not on this hot path.
    """
    now = int(time.time())
    insert = conflict_insert(engine)
    waits = []
    with Session(engine) as session:
        for key, (max_hits, window) in counted:
            start = now - now % window
            stmt = (
                insert(RateLimitWindow)
                .values(key=key, window_start=start, hits=1)
                .on_conflict_do_update(
                    index_elements=["key", "window_start"], set_={"hits": RateLimitWindow.hits + 1}
                )
                .returning(RateLimitWindow.hits)
            )
            if session.execute(stmt).scalar_one() > max_hits:
                waits.append(start + window - now)
        session.commit()
    if waits:
        raise TooManyRequests(retry_after=max(waits))


def purge_passed_windows(session: Session, settings: Settings, now: float | None = None) -> int:
    """Delete the windows that are over for every configured limit: they can never count again."""
    now = time.time() if now is None else now
    longest = max(window for _, window in settings.rate_limits().values())
    result = session.execute(delete(RateLimitWindow).where(RateLimitWindow.window_start <= now - longest))
    return result.rowcount


def limited(action: str, *, per_attendee: str, per_ip: str | None = None) -> Any:
    """A route dependency (`dependencies=[...]`) counting one hit per attendee, and per address if `per_ip`
    is given, for `action`; the limits are named settings, read at each request.

    The attendee is taken from the access token, not loaded: route dependencies run before the route's own,
    so the hits are counted and their connection back in the pool before the request's session takes one.
    Holding one connection while waiting for a second would deadlock the pool under a burst."""

    def limit(claims: Claims, ip: ClientIP, engine: EngineDep, settings: SettingsDep) -> None:
        # Keyed by kind too: an organizer's token must not spend the budget of the attendee with its id.
        counted = [(f"{action}:{claims.subject_kind}:{claims.subject_id}", getattr(settings, per_attendee))]
        if per_ip is not None:
            counted.append((f"{action}:ip:{ip}", getattr(settings, per_ip)))
        hit_all(engine, counted)

    return Depends(limit)
