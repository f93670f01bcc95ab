"""Fixed-window rate limits kept in the database, or in Redis when `COULOIR_REDIS_URL` is set, so every
replica counts the same hits."""

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import redis
from fastapi import Depends, Request
from sqlalchemy import Integer, String, column, delete, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, Session, SQLModel, col

from api.core.config import Settings
from api.core.db import rowcount
from api.core.deps import Claims, ClientIP, EngineDep, SettingsDep
from api.core.errors import TooManyRequests
from api.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from api.core.idempotency import has_stored_answer, is_idempotency_key
from api.core.schemas import control_character_problem
from api.core.security import TokenClaims

log = logging.getLogger("couloir")

Counted = Sequence[tuple[str, tuple[int, int]]]  # (key, (max hits, window seconds))
Replaying = tuple[int, str]  # (attendee id, Idempotency-Key) of a write that may be a retry
MAX_KEY = 200


class RateLimitWindow(SQLModel, table=True):
    __tablename__ = "rate_limit_window"
    key: str = Field(primary_key=True, max_length=MAX_KEY)
    window_start: int = Field(primary_key=True)
    hits: int = 0


def stored_key(key: str) -> str:
    """A counter's key as it is stored: one that could overflow its column or that no database could hold (a
    251-character email address, a control character from a header) is counted under its digest instead."""
    if len(key) <= MAX_KEY and control_character_problem(key) is None:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _stored(counted: Counted) -> Counted:
    return [(stored_key(key), limit) for key, limit in counted]


def hit(engine: Engine, settings: Settings, key: str, limit: tuple[int, int]) -> None:
    """Count one hit for `key`; raise TooManyRequests past `limit` = (max hits, window seconds)."""
    hit_all(engine, settings, [(key, limit)])


def spend(engine: Engine, settings: Settings, key: str, limit: tuple[int, int]) -> bool:
    """Count one hit for `key`; False past `limit`, for a budget that refuses in silence (the mail budget:
    its refusal must not tell the caller anything about the address)."""
    try:
        hit(engine, settings, key, limit)
    except TooManyRequests:
        return False
    return True


def hit_all(engine: Engine, settings: Settings, counted: Counted, replaying: Replaying | None = None) -> None:
    """Count one hit for each (key, limit); raise TooManyRequests if any is past its limit: a request alone,
    counted and judged as a group of one (`count_hits`, `judge_group`).

    Nothing is counted for a retry (`replaying`: the caller and the Idempotency-Key it sent) whose answer is
    stored: replaying it costs nothing, and it is what a phone's outbox sends after bad Wi-Fi.

    Counted at once and on its own (a statement that commits by itself, or one Redis round trip): a request
    that fails afterwards (a wrong join code, say) must still use up its hit, or guessing would be free. Every
    key is counted even when one trips, so a burst cannot slip a hit past one counter by tripping another.
    """
    now = int(time.time())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        totals = count_hits(connection, settings, [counted], now, [replaying])
    if not any(key in totals for key, _ in _stored(counted)):
        return  # a retry with a stored answer: none of its hits was counted
    [refused] = judge_group([counted], totals, now)
    if refused is not None:
        raise refused


def count_hits(
    connection: Connection,
    settings: Settings,
    counted: Sequence[Counted],
    now: int,
    replaying: Sequence[Replaying | None] | None = None,
) -> dict[str, int]:
    """A group's hits (`counted`: each request's counters) counted at `now` in one round trip, in Redis when
    it is set and reachable, else on `connection`'s database: each key's count once they are in, for
    `judge_group`. A retry (`replaying`, each request's) whose answer is stored counts nothing.

    One counting function per place counts are kept: `_count_in_redis`, and the database's statement
    (`COUNTING`), which PostgreSQL's check-in groups also run at the head of their read (api/presence/groups.py).
    """
    replaying = replaying or [None] * len(counted)
    if settings.redis_url:
        unanswered = [
            request
            for request, retry in zip(counted, replaying, strict=True)
            if retry is None or not has_stored_answer(connection, attendee_id=retry[0], key=retry[1])
        ]
        try:
            return _count_in_redis(settings, _hits(unanswered, now, None))
        except redis.RedisError:
            # Counting goes on in the database: a Redis outage must not turn every check-in into a 500.
            log.warning("rate limits: Redis unreachable, counting in the database", exc_info=True)
    return _count_in_database(connection, _hits(counted, now, replaying))


# (stored key, window start, attendee id, Idempotency-Key, window end): one hit of one request, the attendee
# and key None unless the request may be a retry.
Hit = tuple[str, int, int | None, str | None, int]


def _hits(counted: Sequence[Counted], now: int, replaying: Sequence[Replaying | None] | None) -> list[Hit]:
    """One hit per request and counter, in key order: rows locked in that order never make two requests
    sharing two counters wait for each other in a cycle."""
    replaying = replaying or [None] * len(counted)
    return sorted(
        (
            (stored_key(key), start, *(retry or (None, None)), start + window)
            for request, retry in zip(counted, replaying, strict=True)
            for key, (_, window) in request
            for start in [_window_start(now, window)]
        ),
        key=lambda hit: hit[:2],
    )


def refuse_past_limits(counted: Counted, hits: Sequence[int], now: int) -> None:
    """TooManyRequests if a count (`hits`, in the order of `counted`) is past its limit."""
    waits = [
        _window_start(now, window) + window - now
        for (_, (max_hits, window)), count in zip(counted, hits, strict=True)
        if count > max_hits
    ]
    if waits:
        raise TooManyRequests(retry_after=max(waits))


def _window_start(now: int, window: int) -> int:
    return now - now % window


# The database's counting statement, one upsert for a group's hits (a request alone is a group of one). A key
# may come several times: each time is one hit, unless the request is a retry whose answer is stored (its
# attendee and Idempotency-Key have a record). It commits by itself (autocommit), except in a SQLite check-in
# group's transaction: the per-address counter is one row that every check-in from a venue's Wi-Fi updates,
# so its lock must never wait on this process. Held across a second round trip (the COMMIT), it waited for the
# request's thread to be scheduled again, and every check-in of the venue queued behind it. Passed windows are
# deleted by the scheduler's cleanup (`purge_passed_windows`), not on this hot path.
#
# PostgreSQL's commits without waiting for the disk (`synchronous_commit` off for its own transaction;
# `set_config(..., true)` is SET LOCAL inside the one statement): the venue's address is one row that every
# check-in updates, and its lock was held through each commit's WAL flush: under a check-in burst, check-ins
# queued on it (pg_stat_statements showed the wait). A hit lost to a database crash costs nothing; an
# acknowledged write is never here. It is also the opening of the statement that goes on to read what a group
# of check-ins needs: one round trip for both, whose commit skips the wait too, as that statement writes
# nothing else. Both see one snapshot, so the requests this counts are those the read finds no stored answer
# for. SQLite's, in a check-in group's transaction, runs before the group's read (SQLite has one writer at a
# time, and the group holds its lock from this statement until it commits), which then sees what it saw.
COUNTING = {
    "postgresql": """
    INSERT INTO rate_limit_window (key, window_start, hits)
    SELECT key, window_start, count(*)
    FROM unnest(CAST(:rate_keys AS text[]), CAST(:rate_starts AS integer[]), CAST(:rate_attendees AS integer[]),
                CAST(:rate_idempotency_keys AS text[])) AS hit(key, window_start, attendee_id, idempotency_key)
    WHERE set_config('synchronous_commit', 'off', true) = 'off'
      AND NOT EXISTS (SELECT FROM idempotency_record AS record
                      WHERE record.attendee_id = hit.attendee_id AND record.key = hit.idempotency_key)
    GROUP BY key, window_start
    ORDER BY key
    ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + excluded.hits
    RETURNING key, hits
""",
    "sqlite": """
    INSERT INTO rate_limit_window (key, window_start, hits)
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), count(*) FROM json_each(:rate_hits)
    WHERE NOT EXISTS (SELECT 1 FROM idempotency_record AS record
                      WHERE record.attendee_id = json_extract(value, '$[2]')
                        AND record.key = json_extract(value, '$[3]'))
    GROUP BY 1, 2
    ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + excluded.hits
    RETURNING key, hits
""",
}
_COUNTING = {
    dialect: text(statement).columns(column("key", String), column("hits", Integer))
    for dialect, statement in COUNTING.items()
}


def counting_values(dialect: str, hits: Sequence[Hit]) -> dict[str, Any]:
    """The parameters of `dialect`'s counting statement for `hits`."""
    if dialect == "sqlite":
        return {"rate_hits": json.dumps(hits)}
    columns = ("rate_keys", "rate_starts", "rate_attendees", "rate_idempotency_keys")
    return {name: [hit[i] for hit in hits] for i, name in enumerate(columns)}


def group_counting_values(
    counted: Sequence[Counted], now: int, replaying: Sequence[Replaying | None] | None = None
) -> dict[str, list[Any]]:
    """The parameters of PostgreSQL's counting statement for a group of requests, as PostgreSQL's check-in
    groups run it at the head of their read."""
    return counting_values("postgresql", _hits(counted, now, replaying))


def _count_in_database(connection: Connection, hits: Sequence[Hit]) -> dict[str, int]:
    dialect = connection.dialect.name
    return dict(connection.execute(_COUNTING[dialect], counting_values(dialect, hits)).all())


def judge_group(counted: Sequence[Counted], totals: dict[str, int], now: int) -> list[TooManyRequests | None]:
    """Each request of a counted group (`totals`: each key's count once the group's hits are in) judged as if
    they had come one after the other, in order: the n-th to spend a counter sees its count before the group
    plus n. For each request, the TooManyRequests it meets, or None."""
    counted = [_stored(request) for request in counted]
    count = dict(totals)
    for request in counted:
        for key, _ in request:
            count[key] -= 1
    refusals: list[TooManyRequests | None] = []
    for request in counted:
        hits = []
        for key, _ in request:
            count[key] += 1
            hits.append(count[key])
        refusals.append(_refusal(request, hits, now))
    return refusals


def _refusal(counted: Counted, hits: Sequence[int], now: int) -> TooManyRequests | None:
    try:
        refuse_past_limits(counted, hits, now)
    except TooManyRequests as refused:
        return refused
    return None


@lru_cache
def _redis(url: str) -> redis.Redis:
    # Short timeouts: a slow Redis must not hold a check-in for long before the database takes over.
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def _count_in_redis(settings: Settings, hits: Sequence[Hit]) -> dict[str, int]:
    """One counter per key and window, made to expire when its window is over (so nothing needs a cleanup);
    a group's hits in one transaction."""
    spent: dict[tuple[str, int, int], int] = {}
    for key, start, _, _, end in hits:
        spent[key, start, end] = spent.get((key, start, end), 0) + 1
    if not spent:
        return {}
    pipe = _redis(settings.redis_url).pipeline(transaction=True)
    for (key, start, end), count in spent.items():
        name = f"{settings.redis_prefix}:rate:{key}:{start}"
        pipe.incrby(name, count)
        pipe.expireat(name, end + 1)
    replies = pipe.execute()
    return {key: int(count) for (key, _, _), count in zip(spent, replies[::2], strict=True)}


def purge_passed_windows(session: Session, settings: Settings, now: float | None = None) -> int:
    """Delete the windows that are over for every configured limit: they can never count again."""
    now = time.time() if now is None else now
    longest = max(window for _, window in settings.rate_limits().values())
    result = session.execute(delete(RateLimitWindow).where(col(RateLimitWindow.window_start) <= now - longest))
    return rowcount(result)


@dataclass(frozen=True)
class RateLimit:
    """One hit per attendee, and per address if `per_ip` is given, for `action`; the limits are named settings,
    read at each request.

    The attendee is taken from the access token, not loaded: the hits are counted, and their connection back
    in the pool, before the request's session takes one. Holding one connection while waiting for a second
    would deadlock the pool under a burst."""

    action: str
    per_attendee: str
    per_ip: str | None = None

    def count(
        self, engine: Engine, settings: Settings, claims: TokenClaims, ip: str, idempotency_key: str | None = None
    ) -> None:
        hit_all(engine, settings, self.counters(settings, claims, ip), replaying=replaying(claims, idempotency_key))

    def counters(self, settings: Settings, claims: TokenClaims, ip: str) -> Counted:
        # Keyed by kind too: an organizer's token must not spend the budget of the attendee with its id.
        subject = f"{claims.subject_kind}:{claims.subject_id}"
        counted = [(f"{self.action}:{subject}", getattr(settings, self.per_attendee))]
        if self.per_ip is not None:
            counted.append((f"{self.action}:ip:{ip}", getattr(settings, self.per_ip)))
        return counted


def limited(action: str, *, per_attendee: str, per_ip: str | None = None) -> Any:
    """`RateLimit` as a route dependency (`dependencies=[...]`): route dependencies run before the route's own,
    so the hits are counted before the request's session takes a connection."""
    rate_limit = RateLimit(action, per_attendee, per_ip)

    def limit(claims: Claims, ip: ClientIP, engine: EngineDep, settings: SettingsDep, request: Request) -> None:
        rate_limit.count(engine, settings, claims, ip, request.headers.get(IDEMPOTENCY_HEADER))

    return Depends(limit)


def replaying(claims: TokenClaims, idempotency_key: str | None) -> Replaying | None:
    """What tells a retry of an attendee's write (see `hit_all`), if it sent an Idempotency-Key."""
    if claims.subject_kind != "attendee" or idempotency_key is None or not is_idempotency_key(idempotency_key):
        return None
    return claims.subject_id, idempotency_key
