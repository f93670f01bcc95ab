"""Fixed-window rate limits kept in the database, so every replica counts the same hits."""

import time

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel

from api.core.db import conflict_insert
from api.core.errors import TooManyRequests


class RateLimitWindow(SQLModel, table=True):
    __tablename__ = "rate_limit_window"
    key: str = Field(primary_key=True, max_length=200)
    window_start: int = Field(primary_key=True)
    hits: int = 0


def hit(engine: Engine, key: str, limit: tuple[int, int]) -> None:
    """Count one hit for `key`; raise TooManyRequests past `limit` = (max hits, window seconds).

    Counted in a transaction of its own: a request that fails afterwards (a wrong join code, say)
    must still use up its hit, or guessing would be free.
    """
    max_hits, window = limit
    now = int(time.time())
    start = now - now % window
    insert = conflict_insert(engine)
    stmt = insert(RateLimitWindow).values(key=key, window_start=start, hits=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key", "window_start"], set_={"hits": RateLimitWindow.hits + 1}
    ).returning(RateLimitWindow.hits)
    with Session(engine) as session:
        hits = session.execute(stmt).scalar_one()
        session.execute(
            delete(RateLimitWindow).where(RateLimitWindow.key == key, RateLimitWindow.window_start < start)
        )
        session.commit()
    if hits > max_hits:
        raise TooManyRequests(retry_after=start + window - now)
