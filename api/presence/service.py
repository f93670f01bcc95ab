"""Check-in, presence and zone counts. Plain functions taking a session; the caller commits. Check-ins
arriving together are served in groups (api/presence/groups.py), with the helpers here."""

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    Insert,
    Integer,
    Row,
    Select,
    TextClause,
    bindparam,
    delete,
    func,
    insert,
    text,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from api.agenda.models import AgendaBreak
from api.agenda.service import current_break
from api.attendees.models import Attendee, AttendeeInterest
from api.attendees.visibility import COUNTED
from api.core.config import Settings
from api.core.db import ConflictInsert, UTCDateTime, conflict_insert, utcnow
from api.core.errors import Conflict, NotFound
from api.core.privacy import MIN_SHOWN_COUNT, masked_count
from api.events.models import Event, Topic, Zone
from api.events.schemas import ZoneKind
from api.presence.models import CHANGE_STAMP, CheckInRecord, Presence, PresenceTopic, traits_of
from api.presence.schemas import CheckIn, PresencePublic, TopicCount, ZoneCount, ZoneRef

TOP_TOPICS_PER_ZONE = 3


class UnknownZone(NotFound):
    default_detail = "No such zone: scan the zone's poster again, or type its code"


def zone_ref(zone: Zone) -> ZoneRef:
    return ZoneRef(id=zone.id, name=zone.name, kind=ZoneKind(zone.kind))


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


def _target_query(*conditions: ColumnElement[bool]) -> Select[Any]:
    now = bindparam("now", type_=UTCDateTime)
    break_end = (
        select(AgendaBreak.ends_at)
        .where(AgendaBreak.event_id == Zone.event_id, AgendaBreak.starts_at <= now, AgendaBreak.ends_at > now)
        .order_by(col(AgendaBreak.ends_at).desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa_select(
            col(Zone.id).label("zone_id"),
            col(Zone.name).label("zone_name"),
            col(Zone.kind).label("zone_kind"),
            col(Zone.event_id).label("zone_event_id"),
            col(Event.ends_at).label("event_ends_at"),
            break_end.label("break_ends_at"),
        )
        .join(Event, col(Event.id) == col(Zone.event_id))
        .where(*conditions)
    )


_BY_TOKEN = col(Zone.checkin_token) == bindparam("token")
_BY_CODE = (col(Zone.event_id) == bindparam("event_id")) & (col(Zone.code) == bindparam("code"))


def target_lookup(data: CheckIn, event_id: int) -> tuple[str, dict[str, Any]]:
    """How the target is looked up ("token" or "code", the keys of the statements below) and with what."""
    if data.code is not None:
        return "code", {"event_id": event_id, "code": data.code}
    return "token", {"token": data.token}


def open_target(data: CheckIn, event_id: int, now: datetime, row: Row[Any] | None) -> _Target:
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
    how, values = target_lookup(data, event_id)
    row = session.connection().execute(_TARGET[how], values | {"now": now}).first()
    return open_target(data, event_id, now, row)


def presence_end(session: Session, settings: Settings, event_id: int, now: datetime) -> datetime:
    """The end of the break under way, else the TTL: a check-in says "here now", not "here all day"."""
    slot = current_break(session, event_id, now)
    return presence_ends_at(settings, slot.ends_at if slot is not None else None, now)


def presence_ends_at(settings: Settings, break_ends_at: datetime | None, now: datetime) -> datetime:
    return break_ends_at if break_ends_at is not None else now + timedelta(minutes=settings.presence_ttl_minutes)


def place(session: Session, *, attendee: Attendee, zone: Zone, now: datetime, expires_at: datetime) -> None:
    """Make `zone` the attendee's one presence; a single upsert, so concurrent check-ins cannot duplicate it."""
    _place(session, attendee=attendee, zone_id=zone.id, event_id=zone.event_id, now=now, expires_at=expires_at)


def _place(
    session: Session, *, attendee: Attendee, zone_id: int, event_id: int, now: datetime, expires_at: datetime
) -> None:
    upsert, _, _ = _statements(conflict_insert(session.get_bind()))
    values = {"zone_id": zone_id, "event_id": event_id, "checked_in_at": now, "expires_at": expires_at}
    session.connection().execute(upsert, values | {"attendee_id": attendee.id})
    _index_topics(session, attendee, zone_id=zone_id, expires_at=expires_at)


def _index_topics(session: Session, attendee: Attendee, *, zone_id: int, expires_at: datetime) -> None:
    """Make the attendee's PresenceTopic rows those of their interests now, none while hidden: the rows of
    interests they no longer have go, the others are written with this zone, end and traits."""
    _, stale, indexed = _statements(conflict_insert(session.get_bind()))
    connection = session.connection()
    if not attendee.visible:
        connection.execute(_ALL_TOPIC_ROWS, {"attendee_id": attendee.id})
    else:
        connection.execute(stale, {"attendee_id": attendee.id})
        values = {"zone_id": zone_id, "expires_at": expires_at, "traits": _traits(attendee)}
        connection.execute(indexed, values | {"attendee_id": attendee.id})
    mark_changed(session, [attendee.id])


_ALL_TOPIC_ROWS = delete(PresenceTopic).where(col(PresenceTopic.attendee_id) == bindparam("attendee_id"))


@functools.cache
def _statements(insert: ConflictInsert) -> tuple[Insert, Delete, Insert]:
    """A check-in's writes, built once per dialect's INSERT: building a statement costs more CPU than running
    it, on the busiest path of a break. Plain Core statements on the session's own connection, too: the ORM's
    bulk-statement machinery costs more than the statements themselves.

    The presence's upsert (so concurrent check-ins cannot duplicate it), the deletion of the topic rows of
    interests the attendee no longer has, and the upsert of the others'."""
    attendee_id: BindParameter[int] = bindparam("attendee_id")
    placed: dict[str, BindParameter[Any]] = {
        column: bindparam(column) for column in ("zone_id", "event_id", "checked_in_at", "expires_at")
    }
    upsert = (
        insert(Presence)
        .values(attendee_id=attendee_id, **placed)
        .on_conflict_do_update(index_elements=["attendee_id"], set_=placed)
    )
    interests = select(AttendeeInterest.topic_id).where(AttendeeInterest.attendee_id == attendee_id)
    stale = delete(PresenceTopic).where(
        col(PresenceTopic.attendee_id) == attendee_id, col(PresenceTopic.topic_id).not_in(interests)
    )
    rows = sa_select(
        col(AttendeeInterest.attendee_id),
        col(AttendeeInterest.topic_id),
        bindparam("zone_id", type_=Integer),
        bindparam("expires_at", type_=UTCDateTime),
        bindparam("traits", type_=Integer),
    ).where(col(AttendeeInterest.attendee_id) == attendee_id)
    indexed = insert(PresenceTopic).from_select(["attendee_id", "topic_id", "zone_id", "expires_at", "traits"], rows)
    excluded = indexed.excluded
    indexed = indexed.on_conflict_do_update(
        index_elements=["attendee_id", "topic_id"],
        set_={"zone_id": excluded.zone_id, "expires_at": excluded.expires_at, "traits": excluded.traits},
    )
    return upsert, stale, indexed


@functools.cache
def _mark(dialect: str) -> TextClause:
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
    session.execute(delete(Presence).where(col(Presence.zone_id) == zone_id))
    _forget_topic_rows(session, col(PresenceTopic.zone_id) == zone_id)


def forget_topic(session: Session, topic_id: int) -> None:
    """Before a topic is deleted: no one present is matched on it any more."""
    _forget_topic_rows(session, col(PresenceTopic.topic_id) == topic_id)


def topic_renamed(session: Session, topic_id: int) -> None:
    """The people present who follow a renamed topic show it under its new name on their cards."""
    present = session.execute(select(PresenceTopic.attendee_id).where(PresenceTopic.topic_id == topic_id)).scalars()
    mark_changed(session, sorted(set(present)))


def _forget_topic_rows(session: Session, condition: ColumnElement[bool]) -> None:
    removed = session.execute(
        delete(PresenceTopic).where(condition).returning(col(PresenceTopic.attendee_id))
    ).scalars()
    mark_changed(session, sorted(set(removed)))


def _traits(attendee: Attendee) -> int:
    return traits_of(
        goals=attendee.goals,
        role=attendee.role,
        open_to_chat=attendee.open_to_chat,
        findable_as_speaker=attendee.findable_as_speaker,
        vouched=attendee.vouched,
    )


def refresh_presence(session: Session, attendee: Attendee) -> None:
    """After a profile change (visibility, interests, goals, role...): matching sees it at once."""
    # Locked (PostgreSQL) so a concurrent check-in finishes first and its zone is the one indexed.
    presence = session.exec(
        select(Presence).where(Presence.attendee_id == attendee.id, Presence.expires_at > utcnow()).with_for_update()
    ).first()
    if presence is None:
        session.execute(delete(PresenceTopic).where(col(PresenceTopic.attendee_id) == attendee.id))
        mark_changed(session, [attendee.id])
        return
    _index_topics(session, attendee, zone_id=presence.zone_id, expires_at=presence.expires_at)


def check_in(session: Session, settings: Settings, attendee: Attendee, data: CheckIn) -> PresencePublic:
    """Check in within the caller's transaction: one read, then the writes (one check-in alone; the route's go
    in groups, api/presence/groups.py, whose statements must do what this does: this is the rule)."""
    now = utcnow()
    target = _target(session, attendee.event_id, data, now)
    expires_at = presence_ends_at(settings, target.break_ends_at, now)
    zone_id, event_id = target.zone.id, target.event_id
    _place(session, attendee=attendee, zone_id=zone_id, event_id=event_id, now=now, expires_at=expires_at)
    session.connection().execute(
        insert(CheckInRecord).values(
            event_id=event_id, zone_id=zone_id, attendee_id=attendee.id, checked_in_at=history_minute(now)
        )
    )
    return PresencePublic(zone=target.zone, checked_in_at=now, expires_at=expires_at)


def history_minute(now: datetime) -> datetime:
    """The finest time the check-in history keeps."""
    return now.replace(second=0, microsecond=0)


def leave(session: Session, attendee: Attendee) -> None:
    """ "I'm leaving": the presence ends now. Leaving twice is no error."""
    # The presence row first: it waits for a concurrent check-in of this attendee to commit, so the
    # topic rows deleted next are that check-in's, not older ones.
    session.execute(delete(Presence).where(col(Presence.attendee_id) == attendee.id))
    session.execute(delete(PresenceTopic).where(col(PresenceTopic.attendee_id) == attendee.id))
    mark_changed(session, [attendee.id])


def current_presence(session: Session, attendee_id: int, now: datetime) -> tuple[Presence, Zone] | None:
    row = session.exec(
        select(Presence, Zone)
        .join(Zone, col(Zone.id) == col(Presence.zone_id))
        .where(Presence.attendee_id == attendee_id, Presence.expires_at > now)
    ).first()
    return (row[0], row[1]) if row else None


def my_presence(session: Session, attendee: Attendee) -> PresencePublic | None:
    found = current_presence(session, attendee.id, utcnow())
    if found is None:
        return None
    presence, zone = found
    return PresencePublic(zone=zone_ref(zone), checked_in_at=presence.checked_in_at, expires_at=presence.expires_at)


def zone_counts(session: Session, event_id: int, *, attendee_id: int | None) -> list[ZoneCount]:
    """People present per zone and the topics at least three of them follow.

    Shown to attendee `attendee_id`: only people who count in attendees' figures (api/attendees/visibility.py:
    visible and vouched, never the caller), so a hidden person is in no figure and free accounts cannot lift
    one person above the mask. None: the organizers' picture, everyone present (masked all the same).
    """
    now = utcnow()
    counted = [col(Presence.event_id) == event_id, col(Presence.expires_at) > now]
    if attendee_id is not None:
        counted += [col(Presence.attendee_id) != attendee_id, COUNTED]
    people = dict(
        session.exec(
            select(Presence.zone_id, func.count())
            .join(Attendee, col(Attendee.id) == col(Presence.attendee_id))
            .where(*counted)
            .group_by(col(Presence.zone_id))
        ).all()
    )
    followers = func.count().label("followers")
    topic_rows = session.exec(
        select(Presence.zone_id, Topic.id, Topic.name, followers)
        .join(Attendee, col(Attendee.id) == col(Presence.attendee_id))
        .join(AttendeeInterest, col(AttendeeInterest.attendee_id) == col(Presence.attendee_id))
        .join(Topic, col(Topic.id) == col(AttendeeInterest.topic_id))
        .where(*counted)
        .group_by(col(Presence.zone_id), col(Topic.id), col(Topic.name))
        .having(func.count() >= MIN_SHOWN_COUNT)
        .order_by(col(Presence.zone_id), followers.desc(), col(Topic.name))
    )
    topics: dict[int, list[TopicCount]] = defaultdict(list)
    for zone_id, topic_id, name, count in topic_rows:
        if len(topics[zone_id]) < TOP_TOPICS_PER_ZONE:
            topics[zone_id].append(TopicCount(id=topic_id, name=name, people=count))
    zones = session.exec(select(Zone).where(Zone.event_id == event_id).order_by(Zone.name))
    return [
        ZoneCount(zone=zone_ref(z), people=masked_count(people.get(z.id, 0)), top_topics=topics[z.id]) for z in zones
    ]
