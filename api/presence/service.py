"""Check-in, presence and zone counts. Plain functions taking a session; the caller commits (except for
groups of check-ins, `check_in_together` and `check_in_one_by_one`, which commit their own)."""

import functools
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from fastapi import Response, status
from sqlalchemy import Select, bindparam, delete, func, insert, literal, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from api.agenda.models import AgendaBreak
from api.agenda.service import current_break
from api.attendees.models import Attendee, AttendeeInterest
from api.core import idempotency, ratelimit
from api.core.config import Settings
from api.core.db import UTCDateTime, conflict_insert, utcnow
from api.core.errors import Conflict, NotAuthenticated, NotFound
from api.core.group_commit import GroupCommit
from api.core.idempotency import run_once
from api.core.one_hop import serve
from api.core.privacy import MIN_SHOWN_COUNT, masked_count
from api.core.security import TokenClaims
from api.events.models import Event, Topic, Zone
from api.presence.models import CHANGE_STAMP, CheckInRecord, Presence, PresenceTopic, traits_of
from api.presence.schemas import CheckIn, PresencePublic, TopicCount, ZoneCount, ZoneRef

TOP_TOPICS_PER_ZONE = 3


class UnknownZone(NotFound):
    default_detail = "No such zone: scan the zone's poster again, or type its code"


def zone_ref(zone: Zone) -> ZoneRef:
    return ZoneRef(id=zone.id, name=zone.name, kind=zone.kind)


# Rotating a zone's token retires its old posters: they land here.
_UNKNOWN_POSTER = "This poster is unknown or was replaced: scan the zone's current poster, or type its code"
_OTHER_EVENT_POSTER = "This poster belongs to another event"


@dataclass(frozen=True)
class _Target:
    """What a check-in needs to know, read in one query: the zone, its event's end, the break under way."""

    zone: ZoneRef
    event_id: int
    event_ends_at: datetime
    break_ends_at: datetime | None


def _target_query(*conditions) -> Select:
    now = bindparam("now", type_=UTCDateTime)
    break_end = (
        select(AgendaBreak.ends_at)
        .where(AgendaBreak.event_id == Zone.event_id, AgendaBreak.starts_at <= now, AgendaBreak.ends_at > now)
        .order_by(AgendaBreak.ends_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            Zone.id.label("zone_id"),
            Zone.name.label("zone_name"),
            Zone.kind.label("zone_kind"),
            Zone.event_id.label("zone_event_id"),
            Event.ends_at.label("event_ends_at"),
            break_end.label("break_ends_at"),
        )
        .join(Event, Event.id == Zone.event_id)
        .where(*conditions)
    )


_BY_TOKEN = Zone.checkin_token == bindparam("token")
_BY_CODE = (Zone.event_id == bindparam("event_id")) & (Zone.code == bindparam("code"))


def _lookup(data: CheckIn, event_id: int) -> tuple[str, dict]:
    """How the target is looked up ("token" or "code", the keys of the statements below) and with what."""
    if data.code is not None:
        return "code", {"event_id": event_id, "code": data.code}
    return "token", {"token": data.token}


def _open_target(data: CheckIn, event_id: int, now: datetime, row) -> _Target:
    """The target a check-in read (`row`: the columns of _target_query, all None or no row if no zone
    matched), refused unless it is a zone of `event_id` whose event is still on."""
    if row is None or row.zone_id is None:
        if data.code is not None:
            raise UnknownZone(f"No zone of this event has the code {data.code}: check the poster")
        raise UnknownZone(_UNKNOWN_POSTER)
    if row.zone_event_id != event_id:
        raise UnknownZone(_OTHER_EVENT_POSTER)
    if row.event_ends_at <= now:
        raise Conflict("This event is over: check-in is closed")
    zone = ZoneRef(id=row.zone_id, name=row.zone_name, kind=row.zone_kind)
    return _Target(zone, row.zone_event_id, row.event_ends_at, row.break_ends_at)


# Built once: building a statement costs more CPU than running it, on the busiest path of a break.
_TARGET = {"token": _target_query(_BY_TOKEN), "code": _target_query(_BY_CODE)}


def _target(session: Session, event_id: int, data: CheckIn, now: datetime) -> _Target:
    # Read afresh on every check-in (no cache): a rotated token or a moved break counts at once.
    how, values = _lookup(data, event_id)
    row = session.connection().execute(_TARGET[how], values | {"now": now}).first()
    return _open_target(data, event_id, now, row)


def presence_end(session: Session, settings: Settings, event_id: int, now: datetime) -> datetime:
    """The end of the break under way, else the TTL: a check-in says "here now", not "here all day"."""
    slot = current_break(session, event_id, now)
    return _presence_end(settings, slot.ends_at if slot is not None else None, now)


def _presence_end(settings: Settings, break_ends_at: datetime | None, now: datetime) -> datetime:
    return break_ends_at if break_ends_at is not None else now + timedelta(minutes=settings.presence_ttl_minutes)


def place(session: Session, *, attendee: Attendee, zone: Zone, now: datetime, expires_at: datetime) -> None:
    """Make `zone` the attendee's one presence; a single upsert, so concurrent check-ins cannot duplicate it."""
    _place(session, attendee=attendee, zone_id=zone.id, event_id=zone.event_id, now=now, expires_at=expires_at)


def _place(
    session: Session, *, attendee: Attendee, zone_id: int, event_id: int, now: datetime, expires_at: datetime
) -> None:
    upsert = conflict_insert(session.get_bind())
    values = {"zone_id": zone_id, "event_id": event_id, "checked_in_at": now, "expires_at": expires_at}
    # Check-in is the hot write path: plain Core statements on the session's own connection skip the
    # ORM's bulk-statement machinery, which costs more than the statements themselves.
    session.connection().execute(
        upsert(Presence)
        .values(attendee_id=attendee.id, **values)
        .on_conflict_do_update(index_elements=["attendee_id"], set_=values)
    )
    _index_topics(session, attendee, zone_id=zone_id, expires_at=expires_at)


def _index_topics(session: Session, attendee: Attendee, *, zone_id: int, expires_at: datetime) -> None:
    """Rewrite the attendee's PresenceTopic rows from their interests (none while hidden)."""
    session.connection().execute(delete(PresenceTopic).where(PresenceTopic.attendee_id == attendee.id))
    mark_changed(session, [attendee.id])
    if not attendee.visible:
        return
    traits = _traits(attendee)
    rows = select(
        AttendeeInterest.attendee_id,
        AttendeeInterest.topic_id,
        literal(zone_id),
        literal(expires_at, UTCDateTime),
        literal(traits),
    ).where(AttendeeInterest.attendee_id == attendee.id)
    session.connection().execute(
        insert(PresenceTopic).from_select(["attendee_id", "topic_id", "zone_id", "expires_at", "traits"], rows)
    )


@functools.cache
def _mark(dialect: str):
    return text(
        f"""INSERT INTO presence_change (attendee_id, changed) VALUES (:attendee_id, {CHANGE_STAMP[dialect]})
        ON CONFLICT (attendee_id) DO UPDATE SET changed = excluded.changed"""
    )


def mark_changed(session: Session, attendee_ids: list[int]) -> None:
    """Tell every process's crowd (api/matching/crowd.py) to read these attendees' PresenceTopic rows again.

    Whoever writes PresenceTopic rows calls it in the same transaction, deletions included."""
    if attendee_ids:
        statement = _mark(session.get_bind().dialect.name)
        session.connection().execute(statement, [{"attendee_id": attendee_id} for attendee_id in attendee_ids])


def forget_zone(session: Session, zone_id: int) -> None:
    """Before a zone is deleted: the presences there end, and their topic rows go (no foreign key takes
    them, see PresenceTopic). Presence rows first, in the order a check-in locks them."""
    session.execute(delete(Presence).where(Presence.zone_id == zone_id))
    _forget_topic_rows(session, PresenceTopic.zone_id == zone_id)


def forget_topic(session: Session, topic_id: int) -> None:
    """Before a topic is deleted: no one present is matched on it any more."""
    _forget_topic_rows(session, PresenceTopic.topic_id == topic_id)


def _forget_topic_rows(session: Session, condition) -> None:
    removed = session.execute(delete(PresenceTopic).where(condition).returning(PresenceTopic.attendee_id)).scalars()
    mark_changed(session, sorted(set(removed)))


def _traits(attendee: Attendee) -> int:
    return traits_of(
        goals=attendee.goals,
        role=attendee.role,
        open_to_chat=attendee.open_to_chat,
        findable_as_speaker=attendee.findable_as_speaker,
    )


def refresh_presence(session: Session, attendee: Attendee) -> None:
    """After a profile change (visibility, interests, goals, role...): matching sees it at once."""
    # Locked (PostgreSQL) so a concurrent check-in finishes first and its zone is the one indexed.
    presence = session.exec(
        select(Presence).where(Presence.attendee_id == attendee.id, Presence.expires_at > utcnow()).with_for_update()
    ).first()
    if presence is None:
        session.execute(delete(PresenceTopic).where(PresenceTopic.attendee_id == attendee.id))
        mark_changed(session, [attendee.id])
        return
    _index_topics(session, attendee, zone_id=presence.zone_id, expires_at=presence.expires_at)


def check_in(session: Session, settings: Settings, attendee: Attendee, data: CheckIn) -> PresencePublic:
    """Check in within the caller's transaction: one read, then the writes (SQLite's check-in; PostgreSQL's
    goes by `check_in_together`)."""
    now = utcnow()
    target = _target(session, attendee.event_id, data, now)
    expires_at = _presence_end(settings, target.break_ends_at, now)
    zone_id, event_id = target.zone.id, target.event_id
    _place(session, attendee=attendee, zone_id=zone_id, event_id=event_id, now=now, expires_at=expires_at)
    session.connection().execute(
        insert(CheckInRecord).values(
            event_id=event_id, zone_id=zone_id, attendee_id=attendee.id, checked_in_at=_minute(now)
        )
    )
    return PresencePublic(zone=target.zone, checked_in_at=now, expires_at=expires_at)


def _minute(now: datetime) -> datetime:
    """The finest time the check-in history keeps."""
    return now.replace(second=0, microsecond=0)


@dataclass(frozen=True)
class CheckInRequest:
    """One phone's check-in, as its route checked it on the event loop: who (from the access token), its
    Idempotency-Key, its body and the rate-limit counters it spends."""

    claims: TokenClaims
    key: str
    data: CheckIn
    counted: ratelimit.Counted


def check_in_group(engine: Engine, settings: Settings) -> GroupCommit[CheckInRequest, Response]:
    """The check-ins of one API process, served in groups: one attendee's at a time in a group."""
    serve_group = check_in_together if engine.dialect.name == "postgresql" else check_in_one_by_one
    return GroupCommit(functools.partial(serve_group, engine, settings), key=lambda request: request.claims.subject_id)


def check_in_one_by_one(
    engine: Engine, settings: Settings, requests: Sequence[CheckInRequest]
) -> list[Response | Exception]:
    """SQLite's group of check-ins (api/core/group_commit.py): one after the other, each in its own
    transaction, in one worker thread. SQLite has one writer at a time anyway; check-ins of threads that
    raced for its lock burnt CPU waiting and retrying instead."""
    outcomes: list[Response | Exception] = []
    for request in requests:
        try:
            outcomes.append(serve(engine, settings, request.claims, request.counted, _check_in_once(settings, request)))
        except Exception as refused:
            outcomes.append(refused)
    return outcomes


def _check_in_once(settings: Settings, request: CheckInRequest):
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


# PostgreSQL's group of check-ins reads, in one statement, for every request: its caller's profile, the
# answer stored with its Idempotency-Key if any, and its target (the zone, its event's end, the break under
# way). The rate-limit hits of the whole group are counted by the same statement (unless Redis counts them).
_GROUP_READ = """
    item AS (
        SELECT * FROM unnest(CAST(:attendee_ids AS integer[]), CAST(:event_ids AS integer[]),
                             CAST(:keys AS text[]), CAST(:tokens AS text[]), CAST(:codes AS text[]))
            WITH ORDINALITY AS item(attendee_id, event_id, key, token, code, n)
    )
    SELECT attendee.event_id, attendee.visible, attendee.goals, attendee.role, attendee.open_to_chat,
        attendee.findable_as_speaker, record.fingerprint, record.status_code, record.response_body,
        zone.id AS zone_id, zone.name AS zone_name, zone.kind AS zone_kind, zone.event_id AS zone_event_id,
        event.ends_at AS event_ends_at,
        (SELECT max(ends_at) FROM agenda_break
         WHERE agenda_break.event_id = zone.event_id AND starts_at <= :now AND ends_at > :now) AS break_ends_at
        {hits}
    FROM item
    LEFT JOIN attendee ON attendee.id = item.attendee_id
    LEFT JOIN idempotency_record AS record ON record.attendee_id = item.attendee_id AND record.key = item.key
    LEFT JOIN zone ON zone.id = coalesce(
        (SELECT id FROM zone WHERE checkin_token = item.token),
        (SELECT id FROM zone WHERE zone.event_id = item.event_id AND code = item.code))
    LEFT JOIN event ON event.id = zone.event_id
    ORDER BY item.n
"""
_RESULT_TYPES = {"event_ends_at": UTCDateTime, "break_ends_at": UTCDateTime}
_READ_GROUP = text("WITH " + _GROUP_READ.format(hits="")).columns(**_RESULT_TYPES)
_COUNT_AND_READ_GROUP = text(
    f"WITH rate_hits AS ({ratelimit.COUNT_WITHOUT_WAITING_FOR_DISK}), "
    + _GROUP_READ.format(hits=", (SELECT json_object_agg(key, hits) FROM rate_hits) AS rate_hits")
).columns(**_RESULT_TYPES)

# Then the whole group's writes in one statement: the Idempotency-Keys' claims, the presences, their topic
# rows, their change marks and the history rows. Each part reads the one before, so a request whose key is
# already claimed (by a concurrent retry, which this waits for) writes nothing else. Rows are written in
# attendee order, and each presence row before its topic rows, as refresh_presence and leave lock them.
# Topic rows are upserted, and only those of interests their attendee no longer has are deleted.
_WRITE_GROUP = text(
    f"""
    WITH item AS (
        SELECT * FROM unnest(CAST(:attendee_ids AS integer[]), CAST(:keys AS text[]),
                             CAST(:fingerprints AS text[]), CAST(:response_bodies AS text[]),
                             CAST(:event_ids AS integer[]), CAST(:zone_ids AS integer[]),
                             CAST(:expires_ats AS timestamptz[]), CAST(:visibles AS boolean[]),
                             CAST(:traits AS integer[]))
            AS item(attendee_id, key, fingerprint, response_body, event_id, zone_id, expires_at, visible, traits)
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
        USING placed JOIN item USING (attendee_id)
        WHERE topic.attendee_id = placed.attendee_id
          AND (NOT item.visible OR topic.topic_id NOT IN (
              SELECT topic_id FROM attendee_interest WHERE attendee_interest.attendee_id = placed.attendee_id))
    ), indexed AS (
        INSERT INTO presence_topic (attendee_id, topic_id, zone_id, expires_at, traits)
        SELECT attendee_id, interest.topic_id, item.zone_id, item.expires_at, item.traits
        FROM placed JOIN item USING (attendee_id) JOIN attendee_interest AS interest USING (attendee_id)
        WHERE item.visible
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


@dataclass
class _Write:
    """A request of the group that passed its checks, and what it writes."""

    index: int
    request: CheckInRequest
    digest: str
    answer: dict
    zone_id: int
    event_id: int
    expires_at: datetime
    visible: bool
    traits: int


def check_in_together(
    engine: Engine, settings: Settings, requests: Sequence[CheckInRequest]
) -> list[Response | Exception]:
    """PostgreSQL's group of check-ins (api/core/group_commit.py), each answered as if it came alone: two
    statements for the whole group (a read that counts the rate-limit hits, then every write), each atomic
    on its own on an autocommit connection, so no BEGIN nor COMMIT round trips either."""
    now = utcnow()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        outcomes: list[Response | Exception | None] = [None] * len(requests)
        rows, refusals = _read_group(connection, settings, requests, now)
        writes = []
        for index, (request, row, refused) in enumerate(zip(requests, rows, refusals, strict=True)):
            try:
                if refused is not None:
                    raise refused
                outcome = _judge(settings, request, row, now)
            except Exception as refusal:
                outcomes[index] = refusal
                continue
            if isinstance(outcome, Response):
                outcomes[index] = outcome
            else:
                writes.append(replace(outcome, index=index))
        _write_group(connection, writes, outcomes, now)
    return outcomes


def _read_group(connection: Connection, settings: Settings, requests: Sequence[CheckInRequest], now: datetime):
    """The read of every request, in order, and for each the TooManyRequests it met (or None)."""
    lookups = [_lookup(request.data, request.claims.event_id) for request in requests]
    values = {
        "attendee_ids": [request.claims.subject_id for request in requests],
        "event_ids": [request.claims.event_id for request in requests],
        "keys": [request.key for request in requests],
        "tokens": [looked_up.get("token") for _, looked_up in lookups],
        "codes": [looked_up.get("code") for _, looked_up in lookups],
        "now": now,
    }
    counted = [request.counted for request in requests]
    if settings.redis_url:
        refusals = ratelimit.count_each(connection, settings, counted)
        return connection.execute(_READ_GROUP, values).all(), refusals
    seconds = int(now.timestamp())
    rows = connection.execute(_COUNT_AND_READ_GROUP, values | ratelimit.group_counting_values(counted, seconds)).all()
    return rows, ratelimit.judge_group(counted, rows[0].rate_hits, seconds)


def _judge(settings: Settings, request: CheckInRequest, row, now: datetime) -> "Response | _Write":
    """A request's stored answer (a retry), or what it writes; raises what refuses it."""
    if row.event_id is None or row.event_id != request.claims.event_id:
        raise NotAuthenticated("This account no longer exists")
    digest = idempotency.fingerprint("check_in", request.data)
    if row.fingerprint is not None:
        return idempotency.replay(row.fingerprint, row.status_code, row.response_body, digest)
    target = _open_target(request.data, request.claims.event_id, now, row)
    expires_at = _presence_end(settings, target.break_ends_at, now)
    answer = PresencePublic(zone=target.zone, checked_in_at=now, expires_at=expires_at).model_dump(mode="json")
    traits = traits_of(
        goals=row.goals, role=row.role, open_to_chat=row.open_to_chat, findable_as_speaker=row.findable_as_speaker
    )
    return _Write(-1, request, digest, answer, target.zone.id, target.event_id, expires_at, row.visible, traits)


def _write_group(connection: Connection, writes: list[_Write], outcomes: list, now: datetime) -> None:
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
        except Exception as failure:
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
        "visibles": [write.visible for write in writes],
        "traits": [write.traits for write in writes],
        "status_code": status.HTTP_201_CREATED,
        "now": now,
        "minute": _minute(now),
    }
    return set(connection.execute(_WRITE_GROUP, values).scalars())


def _answer(connection: Connection, write: _Write, outcomes: list, written: set[int]) -> None:
    attendee_id = write.request.claims.subject_id
    if attendee_id in written:
        outcomes[write.index] = idempotency.answer(status.HTTP_201_CREATED, write.answer)
    else:  # a retry with this key got there first, and has committed
        outcomes[write.index] = idempotency.replay_stored(
            connection, attendee_id=attendee_id, key=write.request.key, digest=write.digest
        )


def leave(session: Session, attendee: Attendee) -> None:
    """ "I'm leaving": the presence ends now. Leaving twice is no error."""
    # The presence row first: it waits for a concurrent check-in of this attendee to commit, so the
    # topic rows deleted next are that check-in's, not older ones.
    session.execute(delete(Presence).where(Presence.attendee_id == attendee.id))
    session.execute(delete(PresenceTopic).where(PresenceTopic.attendee_id == attendee.id))
    mark_changed(session, [attendee.id])


def current_presence(session: Session, attendee_id: int, now: datetime) -> tuple[Presence, Zone] | None:
    row = session.exec(
        select(Presence, Zone)
        .join(Zone, Zone.id == Presence.zone_id)
        .where(Presence.attendee_id == attendee_id, Presence.expires_at > now)
    ).first()
    return (row[0], row[1]) if row else None


def my_presence(session: Session, attendee: Attendee) -> PresencePublic | None:
    found = current_presence(session, attendee.id, utcnow())
    if found is None:
        return None
    presence, zone = found
    return PresencePublic(zone=zone_ref(zone), checked_in_at=presence.checked_in_at, expires_at=presence.expires_at)


def zone_counts(session: Session, event_id: int) -> list[ZoneCount]:
    """People present per zone and the topics at least three of them follow, for anyone at the event.

    Hidden attendees count too: a figure of at least three shows a crowd, never a person.
    """
    now = utcnow()
    people = dict(
        session.exec(
            select(Presence.zone_id, func.count())
            .where(Presence.event_id == event_id, Presence.expires_at > now)
            .group_by(Presence.zone_id)
        ).all()
    )
    followers = func.count().label("followers")
    topic_rows = session.exec(
        select(Presence.zone_id, Topic.id, Topic.name, followers)
        .join(AttendeeInterest, AttendeeInterest.attendee_id == Presence.attendee_id)
        .join(Topic, Topic.id == AttendeeInterest.topic_id)
        .where(Presence.event_id == event_id, Presence.expires_at > now)
        .group_by(Presence.zone_id, Topic.id, Topic.name)
        .having(func.count() >= MIN_SHOWN_COUNT)
        .order_by(Presence.zone_id, followers.desc(), Topic.name)
    )
    topics: dict[int, list[TopicCount]] = defaultdict(list)
    for zone_id, topic_id, name, count in topic_rows:
        if len(topics[zone_id]) < TOP_TOPICS_PER_ZONE:
            topics[zone_id].append(TopicCount(id=topic_id, name=name, people=count))
    zones = session.exec(select(Zone).where(Zone.event_id == event_id).order_by(Zone.name))
    return [
        ZoneCount(zone=zone_ref(z), people=masked_count(people.get(z.id, 0)), top_topics=topics[z.id]) for z in zones
    ]
