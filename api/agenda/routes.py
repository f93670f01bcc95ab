from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Response, status

from api.agenda import service
from api.agenda.calendar import MEDIA_TYPE as CALENDAR_MEDIA_TYPE
from api.agenda.calendar import render_calendar
from api.agenda.models import AgendaBreak
from api.agenda.schemas import (
    Agenda,
    Bookmarks,
    BreakCreate,
    BreakPublic,
    BreakUpdate,
    TalkCreate,
    TalkPublic,
    TalkUpdate,
)
from api.auth.callers import CurrentAttendee
from api.contacts.vcard import content_disposition
from api.core.db import utcnow
from api.core.deps import SessionDep, SettingsDep
from api.core.errors import InvalidInput, NotAuthenticated, NotFound, responses
from api.core.idempotency import RunOnce
from api.core.schemas import Id, PathId
from api.events.access import MemberEvent, OrganizerEvent
from api.events.models import Event
from api.rendezvous.service import calendar_entries as rendezvous_entries

router = APIRouter(prefix="/api/events/{event_id}", tags=["agenda"], responses=responses(NotAuthenticated, NotFound))
_WRITE = responses(InvalidInput)


def break_public(slot: AgendaBreak) -> BreakPublic:
    return BreakPublic(id=slot.id, label=slot.label, starts_at=slot.starts_at, ends_at=slot.ends_at)


@router.get("/agenda")
def get_agenda(event: MemberEvent, session: SessionDep) -> Agenda:
    """Talks and breaks, in time order, for the event's attendees and organizers."""
    return Agenda(
        talks=service.talks_public(session, event.id),
        breaks=[break_public(b) for b in service.list_breaks(session, event.id)],
    )


@router.post("/talks", status_code=status.HTTP_201_CREATED, responses=_WRITE)
def create_talk(data: TalkCreate, event: OrganizerEvent, session: SessionDep) -> TalkPublic:
    talk = service.create_talk(session, event, data)
    return service.talks_public(session, event.id, [talk.id])[0]


@router.patch("/talks/{talk_id}", responses=_WRITE)
def update_talk(talk_id: PathId, data: TalkUpdate, event: OrganizerEvent, session: SessionDep) -> TalkPublic:
    talk = service.update_talk(session, service.get_talk(session, event_id=event.id, talk_id=talk_id), data)
    return service.talks_public(session, event.id, [talk.id])[0]


@router.delete("/talks/{talk_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_talk(talk_id: PathId, event: OrganizerEvent, session: SessionDep) -> None:
    service.delete_talk(session, service.get_talk(session, event_id=event.id, talk_id=talk_id))


@router.post("/breaks", status_code=status.HTTP_201_CREATED, responses=_WRITE)
def create_break(data: BreakCreate, event: OrganizerEvent, session: SessionDep) -> BreakPublic:
    return break_public(service.create_break(session, event, data))


@router.patch("/breaks/{break_id}", responses=_WRITE)
def update_break(break_id: PathId, data: BreakUpdate, event: OrganizerEvent, session: SessionDep) -> BreakPublic:
    slot = service.get_break(session, event_id=event.id, break_id=break_id)
    return break_public(service.update_break(session, slot, data))


@router.delete("/breaks/{break_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_break(break_id: PathId, event: OrganizerEvent, session: SessionDep) -> None:
    service.delete_break(session, service.get_break(session, event_id=event.id, break_id=break_id))


me = APIRouter(prefix="/api/me", tags=["agenda"], responses=responses(NotAuthenticated))


@me.get("/bookmarks")
def list_my_bookmarks(attendee: CurrentAttendee, session: SessionDep) -> Bookmarks:
    """The talks I bookmarked: no one else sees them."""
    return Bookmarks(talk_ids=service.bookmarked_talk_ids(session, attendee))


@me.put("/bookmarks/{talk_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(NotFound, InvalidInput))
def bookmark_talk(talk_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    return once({"talk_id": talk_id}, lambda: service.bookmark(session, attendee, talk_id))


@me.delete("/bookmarks/{talk_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(NotFound, InvalidInput))
def unbookmark_talk(talk_id: PathId, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
    return once({"talk_id": talk_id}, lambda: service.unbookmark(session, attendee, talk_id))


@me.get(
    "/calendar.ics",
    response_class=Response,
    responses={200: {"content": {CALENDAR_MEDIA_TYPE: {}}}, **responses(NotFound)},
)
def my_calendar(
    attendee: CurrentAttendee,
    session: SessionDep,
    settings: SettingsDep,
    talk_id: Annotated[Id | None, Query(description="Only this talk of my event; else my bookmarked talks")] = None,
) -> Response:
    """My bookmarked talks and my rendezvous (or one talk) as an iCalendar file, to add to the phone's calendar.
    Exported again after a change, an entry updates the one the calendar holds (same UID)."""
    event = session.get_one(Event, attendee.event_id)
    if talk_id is not None:
        service.get_talk(session, event_id=event.id, talk_id=talk_id)
    talk_ids = [talk_id] if talk_id is not None else service.bookmarked_talk_ids(session, attendee)
    talks = service.talks_public(session, event.id, talk_ids)
    domain = urlsplit(settings.public_base_url).hostname or "couloir"
    entries = service.talk_entries(event, talks, language=attendee.language, domain=domain)
    if talk_id is None:
        entries += rendezvous_entries(session, attendee, event)
    return Response(
        render_calendar(entries, name=event.name, stamp=utcnow(), timezone=event.timezone),
        media_type=CALENDAR_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition(event.name, "ics", prefix="couloir-agenda")},
    )
