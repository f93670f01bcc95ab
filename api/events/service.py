"""Events, zones and topics: plain functions taking a session. The caller commits."""

import re
import secrets
import unicodedata
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from api.core.errors import Conflict, InvalidInput, NotFound, invalid_field
from api.core.security import new_secret_token
from api.events.models import Event, EventOrganizer, Topic, Zone, ZoneNeighbour
from api.events.schemas import (
    EventCreate,
    EventUpdate,
    TopicCreate,
    TopicUpdate,
    ZoneCreate,
    ZoneUpdate,
)
from api.presence import service as presence

# No 0/O, 1/I/L: join and zone codes are read off a poster and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Observabilité ' and 'observabilite' are one topic."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.split(r"[^\w+#.]+", bare)).strip()


# Events -------------------------------------------------------------------------------------------


def create_event(session: Session, *, organizer_id: int, data: EventCreate) -> Event:
    if session.exec(select(Event.id).where(Event.slug == data.slug)).first() is not None:
        raise Conflict(f"an event with the slug {data.slug!r} already exists")
    event = Event(**data.model_dump(), join_code=_unused_join_code(session))
    session.add(event)
    session.flush()
    session.add(EventOrganizer(event_id=event.id, organizer_id=organizer_id))
    session.flush()
    return event


def _unused_join_code(session: Session) -> str:
    while True:
        code = random_code(8)
        if session.exec(select(Event.id).where(Event.join_code == code)).first() is None:
            return code


def events_of_organizer(session: Session, organizer_id: int) -> list[Event]:
    return list(
        session.exec(
            select(Event)
            .join(EventOrganizer, col(EventOrganizer.event_id) == col(Event.id))
            .where(EventOrganizer.organizer_id == organizer_id)
            .order_by(col(Event.starts_at))
        )
    )


def organized_event(session: Session, *, event_id: int, organizer_id: int) -> Event:
    """The event, if this organizer runs it; otherwise NotFound (never reveal other events)."""
    event = session.exec(
        select(Event)
        .join(EventOrganizer, col(EventOrganizer.event_id) == col(Event.id))
        .where(Event.id == event_id, EventOrganizer.organizer_id == organizer_id)
    ).first()
    if event is None:
        raise NotFound("No such event among yours")
    return event


def update_event(session: Session, event: Event, data: EventUpdate) -> Event:
    changes = data.changes()
    for name, value in changes.items():
        setattr(event, name, value)
    if event.ends_at <= event.starts_at:
        raise invalid_field("ends_at", "ends_at must be after starts_at")
    if (event.ticket_price_cents is None) != (event.currency is None):
        raise InvalidInput("give ticket_price_cents and currency together")
    session.add(event)
    session.flush()
    return event


def regenerate_join_code(session: Session, event: Event) -> Event:
    event.join_code = _unused_join_code(session)
    session.add(event)
    session.flush()
    return event


def event_by_join_code(session: Session, join_code: str) -> Event | None:
    return session.exec(select(Event).where(Event.join_code == join_code.strip().upper())).first()


# Zones --------------------------------------------------------------------------------------------


def list_zones(session: Session, event_id: int) -> list[Zone]:
    return list(session.exec(select(Zone).where(Zone.event_id == event_id).order_by(Zone.name)))


def neighbours_by_zone(session: Session, event_id: int) -> dict[int, list[int]]:
    rows = session.exec(
        select(ZoneNeighbour.zone_id, ZoneNeighbour.neighbour_id)
        .join(Zone, col(Zone.id) == col(ZoneNeighbour.zone_id))
        .where(Zone.event_id == event_id)
        .order_by(col(ZoneNeighbour.neighbour_id))
    )
    out: dict[int, list[int]] = {}
    for zone_id, neighbour_id in rows:
        out.setdefault(zone_id, []).append(neighbour_id)
    return out


def get_zone(session: Session, *, event_id: int, zone_id: int) -> Zone:
    zone = session.get(Zone, zone_id)
    if zone is None or zone.event_id != event_id:
        raise NotFound("No such zone in this event")
    return zone


def _check_zone_name_free(session: Session, event_id: int, name: str, except_id: int | None = None) -> None:
    clash = session.exec(
        select(Zone.id).where(Zone.event_id == event_id, func.lower(Zone.name) == name.lower(), Zone.id != except_id)
    ).first()
    if clash is not None:
        raise Conflict(f"a zone named {name!r} already exists in this event")


def create_zone(session: Session, event: Event, data: ZoneCreate) -> Zone:
    _check_zone_name_free(session, event.id, data.name)
    zone = Zone(
        event_id=event.id,
        name=data.name,
        name_fr=data.name_fr,
        name_en=data.name_en,
        kind=data.kind.value,
        checkin_token=new_secret_token(),
        code=_unused_zone_code(session, event.id),
    )
    session.add(zone)
    session.flush()
    _set_neighbours(session, zone, data.neighbour_ids)
    return zone


def update_zone(session: Session, zone: Zone, data: ZoneUpdate) -> Zone:
    changes = data.changes()
    if "name" in changes:
        _check_zone_name_free(session, zone.event_id, changes["name"], except_id=zone.id)
        zone.name = changes["name"]
    if "kind" in changes:
        zone.kind = changes["kind"].value
    _set_local_names(zone, changes)
    session.add(zone)
    if "neighbour_ids" in changes:
        _set_neighbours(session, zone, changes["neighbour_ids"])
    session.flush()
    return zone


def _set_local_names(named: Zone | Topic, changes: dict[str, Any]) -> None:
    """A null clears a language's name: screens in that language show the default name again."""
    for field in ("name_fr", "name_en"):
        if field in changes:
            setattr(named, field, changes[field])


def rotate_zone_token(session: Session, zone: Zone) -> Zone:
    """A new token and manual code; every poster printed before stops working."""
    zone.checkin_token = new_secret_token()
    zone.code = _unused_zone_code(session, zone.event_id)
    session.add(zone)
    session.flush()
    return zone


def delete_zone(session: Session, zone: Zone) -> None:
    presence.forget_zone(session, zone.id)
    session.delete(zone)
    session.flush()


def _unused_zone_code(session: Session, event_id: int) -> str:
    while True:
        code = random_code(4)
        if session.exec(select(Zone.id).where(Zone.event_id == event_id, Zone.code == code)).first() is None:
            return code


def _set_neighbours(session: Session, zone: Zone, neighbour_ids: list[int]) -> None:
    if zone.id in neighbour_ids:
        raise InvalidInput("a zone cannot be its own neighbour")
    if neighbour_ids:
        found = set(
            session.exec(
                select(col(Zone.id)).where(col(Zone.event_id) == zone.event_id, col(Zone.id).in_(neighbour_ids))
            )
        )
        missing = sorted(set(neighbour_ids) - found)
        if missing:
            raise InvalidInput(f"no zone with id {missing} in this event")
    session.execute(
        delete(ZoneNeighbour).where(
            or_(col(ZoneNeighbour.zone_id) == zone.id, col(ZoneNeighbour.neighbour_id) == zone.id)
        )
    )
    for other in neighbour_ids:
        session.add(ZoneNeighbour(zone_id=zone.id, neighbour_id=other))
        session.add(ZoneNeighbour(zone_id=other, neighbour_id=zone.id))
    session.flush()


# Topics -------------------------------------------------------------------------------------------


def list_topics(session: Session, event_id: int) -> list[Topic]:
    return list(session.exec(select(Topic).where(Topic.event_id == event_id).order_by(Topic.name)))


def get_topic(session: Session, *, event_id: int, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None or topic.event_id != event_id:
        raise NotFound("No such topic in this event")
    return topic


def create_topic(session: Session, event: Event, data: TopicCreate) -> Topic:
    topic = Topic(
        event_id=event.id,
        name=data.name,
        name_fr=data.name_fr,
        name_en=data.name_en,
        key=fold(data.name),
        synonyms=_clean_synonyms(data.synonyms),
    )
    _check_topic_words_free(session, topic)
    session.add(topic)
    session.flush()
    return topic


def update_topic(session: Session, topic: Topic, data: TopicUpdate) -> Topic:
    changes = data.changes()
    if "name" in changes:
        topic.name = changes["name"]
        topic.key = fold(changes["name"])
    if "synonyms" in changes:
        topic.synonyms = _clean_synonyms(changes["synonyms"])
    _set_local_names(topic, changes)
    _check_topic_words_free(session, topic)
    session.add(topic)
    session.flush()
    if "name" in changes:
        presence.topic_renamed(session, topic.id)
    return topic


def delete_topic(session: Session, topic: Topic) -> None:
    presence.forget_topic(session, topic.id)
    session.delete(topic)
    session.flush()


def _clean_synonyms(synonyms: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for word in synonyms:
        seen.setdefault(fold(word), word)
    return list(seen.values())


def _check_topic_words_free(session: Session, topic: Topic) -> None:
    """A word (name or synonym) may name one topic only, or free-text interests would be ambiguous."""
    if not topic.key:
        raise InvalidInput("a topic name needs at least one letter or digit")
    mine = {topic.key, *(fold(s) for s in topic.synonyms)}
    for other in list_topics(session, topic.event_id):
        if other.id == topic.id:
            continue
        clash = mine & {other.key, *(fold(s) for s in other.synonyms)}
        if clash:
            raise Conflict(f"{sorted(clash)[0]!r} already names the topic {other.name!r}")


def topic_vocabulary(session: Session, event_id: int) -> dict[str, Topic]:
    """Folded name or synonym → topic, to map free text onto the event's topics."""
    vocabulary: dict[str, Topic] = {}
    for topic in list_topics(session, event_id):
        vocabulary[topic.key] = topic
        for synonym in topic.synonyms:
            vocabulary.setdefault(fold(synonym), topic)
    return vocabulary
