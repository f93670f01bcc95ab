"""Check-ins served in groups (api/core/runtime/group_commit.py): the check-ins that arrive while others are in the
database go together, each answered as if it had come alone (its own 201, replay, 401, 404, 409, 422 or 429).

PostgreSQL: two statements per group, each atomic on its own on an autocommit connection (no BEGIN nor
COMMIT round trips): a read that counts every rate-limit hit, then one statement for every write.
SQLite: one transaction per group, a statement per table whatever the group's size.

What a check-in does is written once to be read: a check-in alone, api/presence/service.py (`check_in`,
`_place`, `_index_topics`; the target as `_target_query` reads it) is the rule. The statements here do the
same for a whole group in one go (the round trips, commits and per-check-in Python they save are the
throughput of a break: bench/RESULTS.md), and tests/test_check_in_paths.py keeps them equal to the rule: the
same answers and the same rows, step by step, for random sequences of check-ins, leaves, profile changes.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from fastapi import Response, status
from sqlalchemy import JSON, Boolean, Row, TextClause, TextualSelect, bindparam, create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from api.attendees.models import Attendee
from api.auth.callers import as_attendee
from api.core import idempotency, ratelimit
from api.core.config import Settings
from api.core.db import UTCDateTime, utcnow
from api.core.errors import SIGNED_OUT, NotAuthenticated
from api.core.idempotency import run_once
from api.core.runtime.one_hop import serve
from api.core.security import TokenClaims
from api.presence.models import CHANGE_STAMP, traits_of
from api.presence.schemas import CheckIn, PresencePublic
from api.presence.service import check_in, history_minute, open_target, presence_ends_at, target_lookup


@dataclass(frozen=True)
class CheckInRequest:
    """One phone's check-in, as its route checked it on the event loop: who (from the access token), its
    Idempotency-Key, its body and the rate-limit counters it spends."""

    claims: TokenClaims
    key: str
    data: CheckIn
    counted: ratelimit.Counted


def check_in_engine(engine: Engine, settings: Settings) -> Engine:
    """What check-in groups run on, one group at a time. SQLite: the service's engine, whose pool has room for
    it. PostgreSQL: a connection of their own, whose session plans a prepared statement once. Left to choose,
    PostgreSQL planned both group statements afresh at every execution, since a plan made knowing the size of
    their arrays looks cheaper, and planning cost about as much as running them. A plan kept that long must not
    depend on the tables' sizes when it was made, and every lookup of these statements is by key: no
    sequential scans (planned while the Idempotency-Keys' table was empty, the read scanned all of it for each
    group as it grew). The measurements are in bench/RESULTS.md."""
    if engine.dialect.name != "postgresql":
        return engine
    options = {"options": "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off"}
    return create_engine(settings.sqlalchemy_url, pool_size=1, max_overflow=0, connect_args=options)


def serve_check_ins(
    engine: Engine, settings: Settings, requests: Sequence[CheckInRequest]
) -> list[Response | Exception]:
    """One group of check-ins, as `engine`'s database takes them."""
    serve_group = check_in_together if engine.dialect.name == "postgresql" else check_in_in_one_transaction
    return serve_group(engine, settings, requests)


# Every request's caller profile (none once the access token's session ended, as `signed_in` says), the answer
# stored with its Idempotency-Key if any, and its target (the zone, its event's end, the break under way), in
# one read. `item` lists the requests, in order.
_ITEMS = {
    "postgresql": """
        SELECT * FROM unnest(CAST(:attendee_ids AS integer[]), CAST(:event_ids AS integer[]),
                             CAST(:session_ids AS text[]), CAST(:keys AS text[]), CAST(:tokens AS text[]),
                             CAST(:codes AS text[]))
            WITH ORDINALITY AS item(attendee_id, event_id, session_id, key, token, code, n)""",
    "sqlite": """
        SELECT key AS n, json_extract(value, '$[0]') AS attendee_id, json_extract(value, '$[1]') AS event_id,
            json_extract(value, '$[2]') AS session_id, json_extract(value, '$[3]') AS key,
            json_extract(value, '$[4]') AS token, json_extract(value, '$[5]') AS code
        FROM json_each(:items)""",
}
_READ = """
    SELECT attendee.event_id, attendee.goals, attendee.role, attendee.open_to_chat,
        attendee.findable_as_speaker, attendee.vouched, record.fingerprint, record.status_code, record.response_body,
        zone.id AS zone_id, zone.name AS zone_name, zone.kind AS zone_kind, zone.event_id AS zone_event_id,
        event.ends_at AS event_ends_at,
        (SELECT max(ends_at) FROM agenda_break
         WHERE agenda_break.event_id = zone.event_id AND starts_at <= :now AND ends_at > :now) AS break_ends_at
        {hits}
    FROM item
    LEFT JOIN attendee ON attendee.id = item.attendee_id AND EXISTS (
        SELECT 1 FROM refresh_session AS signed_in WHERE signed_in.id = item.session_id
            AND signed_in.attendee_id = item.attendee_id AND signed_in.revoked_at IS NULL)
    LEFT JOIN idempotency_record AS record ON record.attendee_id = item.attendee_id AND record.key = item.key
    LEFT JOIN zone ON zone.id = coalesce(
        (SELECT id FROM zone WHERE checkin_token = item.token),
        (SELECT id FROM zone WHERE zone.event_id = item.event_id AND code = item.code))
    LEFT JOIN event ON event.id = zone.event_id
    ORDER BY item.n
"""
_READ_TYPES = {
    "goals": JSON, "open_to_chat": Boolean, "findable_as_speaker": Boolean, "vouched": Boolean,
    "response_body": JSON, "event_ends_at": UTCDateTime, "break_ends_at": UTCDateTime,
}  # fmt: skip


_HITS = ", (SELECT json_object_agg(key, hits) FROM rate_hits) AS rate_hits"


def _read_statement(dialect: str, counting: str | None = None) -> TextualSelect:
    """The read for `dialect`, after `counting` (a statement returning each key's hits) when given."""
    prefix, hits, types = "", "", _READ_TYPES
    if counting is not None:
        prefix, hits, types = f"rate_hits AS ({counting}), ", _HITS, types | {"rate_hits": JSON}
    return (
        text(f"WITH {prefix}item AS ({_ITEMS[dialect]}) " + _READ.format(hits=hits))
        .columns(**types)
        .bindparams(bindparam("now", type_=UTCDateTime))
    )


_READ_GROUP = {dialect: _read_statement(dialect) for dialect in _ITEMS}
# PostgreSQL's read also counts the group's rate-limit hits (unless Redis counts them): one round trip.
_COUNT_AND_READ_GROUP = _read_statement("postgresql", ratelimit.COUNTING["postgresql"])

# Then the whole group's writes in one statement: the Idempotency-Keys' claims, the presences, their topic
# rows, their change marks and the history rows, as a check-in alone writes them (service.check_in).
# Each part reads the one before, so a request whose key is already claimed (by a concurrent retry, which
# this waits for) writes nothing else. Rows are written in attendee order, and each presence row before its
# topic rows, as refresh_presence and leave lock them. Topic rows as service._index_topics writes them:
# those of interests the attendee no longer has (all, if hidden) deleted, the others upserted (deleting
# them all first is no way in one statement: its parts see one snapshot). Whether the attendee is visible is
# read here, not from the group's read: hidden meanwhile, they are not indexed.
_WRITE_GROUP = text(
    f"""
    WITH item AS (
        SELECT * FROM unnest(CAST(:attendee_ids AS integer[]), CAST(:keys AS text[]),
                             CAST(:fingerprints AS text[]), CAST(:response_bodies AS text[]),
                             CAST(:event_ids AS integer[]), CAST(:zone_ids AS integer[]),
                             CAST(:expires_ats AS timestamptz[]), CAST(:traits AS integer[]))
            AS item(attendee_id, key, fingerprint, response_body, event_id, zone_id, expires_at, traits)
    ), claimed AS (
        INSERT INTO idempotency_record (attendee_id, key, fingerprint, status_code, response_body, created_at)
        SELECT attendee_id, key, fingerprint, :status_code, CAST(response_body AS JSON), :now
        FROM item ORDER BY attendee_id
        ON CONFLICT (attendee_id, key) DO NOTHING
        RETURNING attendee_id
    ), placed AS (
        INSERT INTO presence (attendee_id, event_id, zone_id, checked_in_at, expires_at)
        SELECT attendee_id, item.event_id, item.zone_id, :now, item.expires_at
        FROM item JOIN claimed USING (attendee_id) ORDER BY attendee_id
        ON CONFLICT (attendee_id) DO UPDATE SET event_id = excluded.event_id, zone_id = excluded.zone_id,
            checked_in_at = excluded.checked_in_at, expires_at = excluded.expires_at
        RETURNING attendee_id
    ), stale AS (
        DELETE FROM presence_topic AS topic
        USING placed JOIN attendee ON attendee.id = placed.attendee_id
        WHERE topic.attendee_id = placed.attendee_id
          AND (NOT attendee.visible OR topic.topic_id NOT IN (
              SELECT topic_id FROM attendee_interest WHERE attendee_interest.attendee_id = placed.attendee_id))
    ), indexed AS (
        INSERT INTO presence_topic (attendee_id, topic_id, zone_id, expires_at, traits)
        SELECT attendee_id, interest.topic_id, item.zone_id, item.expires_at, item.traits
        FROM placed JOIN item USING (attendee_id) JOIN attendee_interest AS interest USING (attendee_id)
            JOIN attendee ON attendee.id = placed.attendee_id
        WHERE attendee.visible
        ORDER BY attendee_id, interest.topic_id
        ON CONFLICT (attendee_id, topic_id) DO UPDATE SET zone_id = excluded.zone_id,
            expires_at = excluded.expires_at, traits = excluded.traits
    ), marked AS (
        INSERT INTO presence_change (attendee_id, changed)
        SELECT attendee_id, {CHANGE_STAMP["postgresql"]} FROM placed ORDER BY attendee_id
        ON CONFLICT (attendee_id) DO UPDATE SET changed = excluded.changed
    )
    INSERT INTO check_in_record (event_id, zone_id, attendee_id, checked_in_at)
    SELECT item.event_id, item.zone_id, attendee_id, :minute FROM placed JOIN item USING (attendee_id)
    RETURNING attendee_id
    """
).bindparams(bindparam("now", type_=UTCDateTime), bindparam("minute", type_=UTCDateTime))


@dataclass(frozen=True)
class _Write:
    """A request of the group that passed its checks, and what it writes."""

    index: int
    request: CheckInRequest
    digest: str
    answer: dict[str, Any]
    zone_id: int
    event_id: int
    expires_at: datetime
    traits: int


def check_in_together(
    engine: Engine, settings: Settings, requests: Sequence[CheckInRequest]
) -> list[Response | Exception]:
    """PostgreSQL's group of check-ins: a read that counts the rate-limit hits, then every write, each one
    statement, atomic on its own on an autocommit connection."""
    now = utcnow()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        counted = [request.counted for request in requests]
        values = _read_values("postgresql", requests, now)
        seconds = int(now.timestamp())
        if settings.redis_url:  # counted elsewhere: the read comes first, and tells the retries
            rows = connection.execute(_READ_GROUP["postgresql"], values).all()
            counted = _unless_replayed(counted, rows)
            totals = ratelimit.count_hits(connection, settings, counted, seconds)
        else:  # counted by the read itself (the counting statement first, in one round trip)
            values |= ratelimit.group_counting_values(counted, seconds, _replaying(requests))
            rows = connection.execute(_COUNT_AND_READ_GROUP, values).all()
            counted, totals = _unless_replayed(counted, rows), rows[0].rate_hits or {}
        refusals = ratelimit.judge_group(counted, totals, seconds)
        outcomes, writes = _judge_all(settings, requests, rows, refusals, now)
        _write_group(connection, writes, outcomes, now)
    return cast(list[Response | Exception], outcomes)  # each one judged or written by now


def check_in_in_one_transaction(
    engine: Engine, settings: Settings, requests: Sequence[CheckInRequest]
) -> list[Response | Exception]:
    """SQLite's group of check-ins, in one transaction: the rate-limit hits first (so the transaction holds
    SQLite's write lock from its first statement, and what it reads next cannot change before it writes),
    then one read and a statement per table. Should the transaction fail as a whole, each check-in is
    served alone."""
    now = utcnow()
    try:
        with engine.begin() as connection:
            counted = [request.counted for request in requests]
            read = _READ_GROUP["sqlite"], _read_values("sqlite", requests, now)
            seconds = int(now.timestamp())
            if settings.redis_url:  # counted elsewhere: the read may come first, and tells the retries
                rows = connection.execute(*read).all()
                counted = _unless_replayed(counted, rows)
                totals = ratelimit.count_hits(connection, settings, counted, seconds)
            else:
                totals = ratelimit.count_hits(connection, settings, counted, seconds, _replaying(requests))
                rows = connection.execute(*read).all()
                counted = _unless_replayed(counted, rows)
            refusals = ratelimit.judge_group(counted, totals, seconds)
            outcomes, writes = _judge_all(settings, requests, rows, refusals, now)
            _write_sqlite(connection, writes, outcomes, now)
    except DBAPIError:
        return check_in_one_by_one(engine, settings, requests)
    return cast(list[Response | Exception], outcomes)  # each one judged or written by now


def _replaying(requests: Sequence[CheckInRequest]) -> list[ratelimit.Replaying]:
    return [(request.claims.subject_id, request.key) for request in requests]


def _unless_replayed(counted: list[ratelimit.Counted], rows: Sequence[Row[Any]]) -> list[ratelimit.Counted]:
    """Each request's counters, none for a retry whose answer the read found stored: replays cost nothing (the
    counting statement left them out, seeing what the read sees)."""
    return [[] if row.fingerprint is not None else request for request, row in zip(counted, rows, strict=True)]


def _read_values(dialect: str, requests: Sequence[CheckInRequest], now: datetime) -> dict[str, Any]:
    items = []
    for request in requests:
        claims, (_, looked_up) = request.claims, target_lookup(request.data, request.claims.attendee_event_id)
        who = (claims.subject_id, claims.event_id, claims.session_id)
        items.append((*who, request.key, looked_up.get("token"), looked_up.get("code")))
    if dialect == "sqlite":
        return {"items": json.dumps(items), "now": now}
    columns = ("attendee_ids", "event_ids", "session_ids", "keys", "tokens", "codes")
    return {name: list(column) for name, column in zip(columns, zip(*items, strict=True), strict=True)} | {"now": now}


def _judge_all(
    settings: Settings,
    requests: Sequence[CheckInRequest],
    rows: Sequence[Row[Any]],
    refusals: Sequence[Exception | None],
    now: datetime,
) -> tuple[list[Response | Exception | None], list[_Write]]:
    """Each request's answer when it is known without writing (a refusal, a replay), and the writes."""
    outcomes: list[Response | Exception | None] = [None] * len(requests)
    writes: list[_Write] = []
    for index, (request, row, refused) in enumerate(zip(requests, rows, refusals, strict=True)):
        try:
            if refused is not None:
                raise refused
            outcome = _judge(settings, index, request, row, now)
        except Exception as refusal:  # noqa: BLE001 - a request's refusal is its answer
            outcomes[index] = refusal
            continue
        if isinstance(outcome, Response):
            outcomes[index] = outcome
        else:
            writes.append(outcome)
    return outcomes, writes


def _judge(
    settings: Settings, index: int, request: CheckInRequest, row: Row[Any], now: datetime
) -> "Response | _Write":
    """A request's stored answer (a retry), or what it writes (`index`: its place in the group); raises what
    refuses it."""
    if row.event_id is None or row.event_id != request.claims.event_id:
        raise NotAuthenticated(SIGNED_OUT)
    digest = idempotency.fingerprint("check_in", request.data)
    if row.fingerprint is not None:
        return idempotency.replay(row.fingerprint, row.status_code, row.response_body, digest)
    target = open_target(request.data, row.event_id, now, row)  # the claims' event, checked above
    expires_at = presence_ends_at(settings, target.break_ends_at, now)
    answer = PresencePublic(zone=target.zone, checked_in_at=now, expires_at=expires_at).model_dump(mode="json")
    traits = traits_of(
        goals=row.goals,
        role=row.role,
        open_to_chat=row.open_to_chat,
        findable_as_speaker=row.findable_as_speaker,
        vouched=row.vouched,
    )
    return _Write(index, request, digest, answer, target.zone.id, target.event_id, expires_at, traits)


def _write_group(
    connection: Connection, writes: list[_Write], outcomes: list[Response | Exception | None], now: datetime
) -> None:
    """Every write in one statement; should it fail (an attendee erased meanwhile, say), each alone, so only
    the failing request fails."""
    if not writes:
        return
    try:
        written = _write(connection, writes, now)
    except DBAPIError:
        connection.rollback()
        written = None
    for write in writes:
        try:
            _answer(connection, write, outcomes, written if written is not None else _write(connection, [write], now))
        except DBAPIError as failure:
            connection.rollback()
            outcomes[write.index] = failure
        except Exception as failure:  # noqa: BLE001 - this write's failure is its answer
            outcomes[write.index] = failure


def _write(connection: Connection, writes: list[_Write], now: datetime) -> set[int]:
    """The attendees whose check-in was written: the others' keys were claimed by a retry meanwhile."""
    writes = sorted(writes, key=lambda write: write.request.claims.subject_id)
    values = {
        "attendee_ids": [write.request.claims.subject_id for write in writes],
        "keys": [write.request.key for write in writes],
        "fingerprints": [write.digest for write in writes],
        "response_bodies": [json.dumps(write.answer) for write in writes],
        "event_ids": [write.event_id for write in writes],
        "zone_ids": [write.zone_id for write in writes],
        "expires_ats": [write.expires_at for write in writes],
        "traits": [write.traits for write in writes],
        "status_code": status.HTTP_201_CREATED,
        "now": now,
        "minute": history_minute(now),
    }
    return set(connection.execute(_WRITE_GROUP, values).scalars())


def _answer(
    connection: Connection, write: _Write, outcomes: list[Response | Exception | None], written: set[int]
) -> None:
    attendee_id = write.request.claims.subject_id
    if attendee_id in written:
        outcomes[write.index] = idempotency.answer(status.HTTP_201_CREATED, write.answer)
    else:  # a retry with this key got there first, and has committed
        outcomes[write.index] = idempotency.replay_stored(
            connection, attendee_id=attendee_id, key=write.request.key, digest=write.digest
        )


# SQLite's writes for a group, a statement per table, as a check-in alone writes them (service.check_in; topic
# rows as `_index_topics` writes them): `w` lists the writes (see `_write_sqlite`).
_W = """
    WITH w AS (
        SELECT json_extract(value, '$[0]') AS attendee_id, json_extract(value, '$[1]') AS key,
            json_extract(value, '$[2]') AS fingerprint, json_extract(value, '$[3]') AS response_body,
            json_extract(value, '$[4]') AS event_id, json_extract(value, '$[5]') AS zone_id,
            json_extract(value, '$[6]') AS expires_at, json_extract(value, '$[7]') AS traits
        FROM json_each(:writes))
"""


def _with_writes(statement: str) -> TextClause:
    """`statement` after `w`, its times bound as UTCDateTime (stored as every other time is)."""
    times = [bindparam(name, type_=UTCDateTime) for name in ("now", "minute") if f":{name}" in statement]
    return text(_W + statement).bindparams(*times)


_SQLITE_CLAIM = _with_writes(
    """INSERT INTO idempotency_record (attendee_id, key, fingerprint, status_code, response_body, created_at)
    SELECT attendee_id, key, fingerprint, :status_code, response_body, :now FROM w WHERE true
    ON CONFLICT (attendee_id, key) DO NOTHING
    RETURNING attendee_id"""
)
_SQLITE_WRITES = [
    _with_writes(statement)
    for statement in (
        """INSERT INTO presence (attendee_id, event_id, zone_id, checked_in_at, expires_at)
        SELECT attendee_id, event_id, zone_id, :now, expires_at FROM w WHERE true
        ON CONFLICT (attendee_id) DO UPDATE SET event_id = excluded.event_id, zone_id = excluded.zone_id,
            checked_in_at = excluded.checked_in_at, expires_at = excluded.expires_at""",
        """DELETE FROM presence_topic WHERE attendee_id IN (SELECT attendee_id FROM w)
          AND (NOT (SELECT visible FROM attendee WHERE attendee.id = presence_topic.attendee_id)
               OR topic_id NOT IN (SELECT topic_id FROM attendee_interest
                                   WHERE attendee_interest.attendee_id = presence_topic.attendee_id))""",
        """INSERT INTO presence_topic (attendee_id, topic_id, zone_id, expires_at, traits)
        SELECT w.attendee_id, interest.topic_id, w.zone_id, w.expires_at, w.traits
        FROM w JOIN attendee ON attendee.id = w.attendee_id
            JOIN attendee_interest AS interest ON interest.attendee_id = w.attendee_id
        WHERE attendee.visible
        ON CONFLICT (attendee_id, topic_id) DO UPDATE SET zone_id = excluded.zone_id,
            expires_at = excluded.expires_at, traits = excluded.traits""",
        f"""INSERT INTO presence_change (attendee_id, changed)
        SELECT attendee_id, {CHANGE_STAMP["sqlite"]} FROM w WHERE true
        ON CONFLICT (attendee_id) DO UPDATE SET changed = excluded.changed""",
        """INSERT INTO check_in_record (event_id, zone_id, attendee_id, checked_in_at)
        SELECT event_id, zone_id, attendee_id, :minute FROM w""",
    )
]


def _write_sqlite(
    connection: Connection, writes: list[_Write], outcomes: list[Response | Exception | None], now: datetime
) -> None:
    """The claims first, as a check-in alone makes them: only the requests whose key this group claimed write
    anything more; the others' stored answers are replayed."""
    if not writes:
        return
    # SQLite's text of a time, as a check-in alone stores it: SQLite compares times as text, and the generic
    # type's processor gave a datetime whose text drops ".000000" on a whole second (a break's end, say).
    stored_time = UTCDateTime().dialect_impl(connection.dialect).bind_processor(connection.dialect)
    if stored_time is None:  # a type decorator always has one
        raise TypeError("UTCDateTime has no bind processor on SQLite")
    rows = [
        [write.request.claims.subject_id, write.request.key, write.digest, json.dumps(write.answer), write.event_id,
         write.zone_id, stored_time(write.expires_at), write.traits]
        for write in writes
    ]  # fmt: skip
    values = {"status_code": status.HTTP_201_CREATED, "now": now}
    claimed = set(connection.execute(_SQLITE_CLAIM, values | {"writes": json.dumps(rows)}).scalars())
    values |= {"minute": history_minute(now), "writes": json.dumps([row for row in rows if row[0] in claimed])}
    for statement in _SQLITE_WRITES:
        connection.execute(statement, values)
    for write in writes:
        _answer(connection, write, outcomes, claimed)


def check_in_one_by_one(
    engine: Engine, settings: Settings, requests: Sequence[CheckInRequest]
) -> list[Response | Exception]:
    """A group's check-ins one after the other, each in its own transaction as if it had come alone: SQLite's
    way when the group's transaction failed as a whole."""
    outcomes: list[Response | Exception] = []
    for request in requests:
        try:
            work = as_attendee(request.claims, _check_in_once(settings, request))
            replaying = (request.claims.subject_id, request.key)
            outcomes.append(serve(engine, settings, request.counted, work, replaying=replaying))
        except Exception as refused:  # noqa: BLE001 - a request's refusal is its answer
            outcomes.append(refused)
    return outcomes


def _check_in_once(settings: Settings, request: CheckInRequest) -> Callable[[Session, Attendee], Response]:
    """A check-in alone, as `serve` runs it: once per Idempotency-Key, in its own session."""

    def work(session: Session, attendee: Attendee) -> Response:
        return run_once(
            session,
            attendee_id=attendee.id,
            key=request.key,
            operation="check_in",
            payload=request.data,
            status_code=status.HTTP_201_CREATED,
            action=lambda: check_in(session, settings, attendee, request.data),
        )

    return work
