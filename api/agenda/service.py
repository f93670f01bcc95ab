"""Talks and breaks of an event. The caller commits."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from api.agenda.calendar import CalendarEntry
from api.agenda.models import AgendaBreak, Talk, TalkBookmark, TalkSpeaker, TalkTopic
from api.agenda.schemas import BreakCreate, BreakUpdate, SpeakerPublic, TalkCreate, TalkPublic, TalkUpdate
from api.attendees.models import Attendee
from api.core.db import conflict_insert, utcnow
from api.core.errors import InvalidInput, NotFound, invalid_field
from api.events.models import Event, Topic


def get_talk(session: Session, *, event_id: int, talk_id: int) -> Talk:
    talk = session.get(Talk, talk_id)
    if talk is None or talk.event_id != event_id:
        raise NotFound("No such talk in this event")
    return talk


def get_break(session: Session, *, event_id: int, break_id: int) -> AgendaBreak:
    slot = session.get(AgendaBreak, break_id)
    if slot is None or slot.event_id != event_id:
        raise NotFound("No such break in this event")
    return slot


def create_talk(session: Session, event: Event, data: TalkCreate, *, external_id: str | None = None) -> Talk:
    """`external_id`: the talk's id in the tool it was imported from."""
    talk = Talk(event_id=event.id, external_id=external_id, **data.model_dump(exclude={"topic_ids", "speaker_ids"}))
    session.add(talk)
    session.flush()
    _link(session, talk, topic_ids=data.topic_ids, speaker_ids=data.speaker_ids)
    return talk


def update_talk(session: Session, talk: Talk, data: TalkUpdate) -> Talk:
    changes = data.changes()
    topic_ids = changes.pop("topic_ids", None)
    speaker_ids = changes.pop("speaker_ids", None)
    for name, value in changes.items():
        setattr(talk, name, value)
    if talk.ends_at <= talk.starts_at:
        raise invalid_field("ends_at", "ends_at must be after starts_at")
    session.add(talk)
    session.flush()
    _link(session, talk, topic_ids=topic_ids, speaker_ids=speaker_ids)
    return talk


def delete_talk(session: Session, talk: Talk) -> None:
    session.delete(talk)
    session.flush()


def _link(session: Session, talk: Talk, *, topic_ids: list[int] | None, speaker_ids: list[int] | None) -> None:
    if topic_ids is not None:
        _require_ids(session, Topic, talk.event_id, topic_ids, "topic")
        session.execute(delete(TalkTopic).where(col(TalkTopic.talk_id) == talk.id))
        session.add_all(TalkTopic(talk_id=talk.id, topic_id=t) for t in topic_ids)
    if speaker_ids is not None:
        _require_ids(session, Attendee, talk.event_id, speaker_ids, "attendee")
        session.execute(delete(TalkSpeaker).where(col(TalkSpeaker.talk_id) == talk.id))
        session.add_all(TalkSpeaker(talk_id=talk.id, attendee_id=a) for a in speaker_ids)
    session.flush()


def _require_ids(
    session: Session, model: type[Topic] | type[Attendee], event_id: int, ids: list[int], noun: str
) -> None:
    if not ids:
        return
    found = set(session.exec(select(col(model.id)).where(col(model.event_id) == event_id, col(model.id).in_(ids))))
    missing = sorted(set(ids) - found)
    if missing:
        raise InvalidInput(f"no {noun} with id {missing} in this event")


def create_break(session: Session, event: Event, data: BreakCreate) -> AgendaBreak:
    slot = AgendaBreak(event_id=event.id, **data.model_dump())
    session.add(slot)
    session.flush()
    return slot


def update_break(session: Session, slot: AgendaBreak, data: BreakUpdate) -> AgendaBreak:
    for name, value in data.changes().items():
        setattr(slot, name, value)
    if slot.ends_at <= slot.starts_at:
        raise invalid_field("ends_at", "ends_at must be after starts_at")
    session.add(slot)
    session.flush()
    return slot


def delete_break(session: Session, slot: AgendaBreak) -> None:
    session.delete(slot)
    session.flush()


def list_breaks(session: Session, event_id: int) -> list[AgendaBreak]:
    return list(
        session.exec(
            select(AgendaBreak).where(col(AgendaBreak.event_id) == event_id).order_by(col(AgendaBreak.starts_at))
        )
    )


def current_break(session: Session, event_id: int, at: datetime) -> AgendaBreak | None:
    return session.exec(
        select(AgendaBreak)
        .where(AgendaBreak.event_id == event_id, AgendaBreak.starts_at <= at, AgendaBreak.ends_at > at)
        .order_by(col(AgendaBreak.ends_at).desc())
    ).first()


def talks_public(session: Session, event_id: int, talk_ids: list[int] | None = None) -> list[TalkPublic]:
    query = select(Talk).where(col(Talk.event_id) == event_id).order_by(col(Talk.starts_at), col(Talk.id))
    if talk_ids is not None:
        query = query.where(col(Talk.id).in_(talk_ids))
    talks = list(session.exec(query))
    ids = [t.id for t in talks]
    topics: dict[int, list[int]] = defaultdict(list)
    speakers: dict[int, list[SpeakerPublic]] = defaultdict(list)
    if ids:
        for talk_id, topic_id in session.exec(
            select(col(TalkTopic.talk_id), col(TalkTopic.topic_id))
            .where(col(TalkTopic.talk_id).in_(ids))
            .order_by(col(TalkTopic.topic_id))
        ):
            topics[talk_id].append(topic_id)
        for talk_id, attendee_id, name in session.exec(
            select(TalkSpeaker.talk_id, Attendee.id, Attendee.display_name)
            .join(Attendee, col(Attendee.id) == col(TalkSpeaker.attendee_id))
            .where(col(TalkSpeaker.talk_id).in_(ids))
            .order_by(Attendee.display_name)
        ):
            speakers[talk_id].append(SpeakerPublic(id=attendee_id, display_name=name))
    return [
        TalkPublic(
            id=t.id,
            title=t.title,
            abstract=t.abstract,
            room=t.room,
            starts_at=t.starts_at,
            ends_at=t.ends_at,
            topic_ids=topics[t.id],
            speakers=speakers[t.id],
        )
        for t in talks
    ]


# Bookmarks: private to the attendee who made them -------------------------------------------------


def bookmark(session: Session, attendee: Attendee, talk_id: int) -> None:
    """Marking a talk twice keeps one bookmark."""
    get_talk(session, event_id=attendee.event_id, talk_id=talk_id)
    insert = conflict_insert(session.connection())
    session.execute(
        insert(TalkBookmark)
        .values(attendee_id=attendee.id, talk_id=talk_id, created_at=utcnow())
        .on_conflict_do_nothing()
    )


def unbookmark(session: Session, attendee: Attendee, talk_id: int) -> None:
    get_talk(session, event_id=attendee.event_id, talk_id=talk_id)
    session.execute(
        delete(TalkBookmark).where(col(TalkBookmark.attendee_id) == attendee.id, col(TalkBookmark.talk_id) == talk_id)
    )


def bookmarked_talk_ids(session: Session, attendee: Attendee) -> list[int]:
    return list(
        session.exec(
            select(Talk.id)
            .join(TalkBookmark, col(TalkBookmark.talk_id) == Talk.id)
            .where(TalkBookmark.attendee_id == attendee.id)
            .order_by(col(Talk.starts_at), col(Talk.id))
        )
    )


_WITH = {"fr": "Avec {names}", "en": "With {names}"}


def talk_entries(event: Event, talks: list[TalkPublic], *, language: str, domain: str) -> list[CalendarEntry]:
    """Calendar entries for talks; a talk keeps its UID from one export to the next."""
    with_names = _WITH.get(language, _WITH["en"])
    return [
        CalendarEntry(
            uid=f"talk-{talk.id}-{event.slug}@{domain}",
            starts_at=talk.starts_at,
            ends_at=talk.ends_at,
            summary=talk.title,
            description="\n\n".join(
                part
                for part in (
                    with_names.format(names=", ".join(s.display_name for s in talk.speakers)) if talk.speakers else "",
                    talk.abstract,
                )
                if part
            ),
            location=", ".join(part for part in (talk.room, event.name) if part),
        )
        for talk in talks
    ]
