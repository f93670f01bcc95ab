"""Who may reach an event: its organizers, and (read-only parts) its attendees."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import select

from api.auth.callers import CurrentOrganizer, load_attendee, load_organizer
from api.core.deps import Claims, SessionDep
from api.core.errors import NotFound
from api.core.schemas import PathId
from api.events.models import Event, EventOrganizer
from api.events.service import organized_event


def organizer_event(event_id: PathId, organizer: CurrentOrganizer, session: SessionDep) -> Event:
    return organized_event(session, event_id=event_id, organizer_id=organizer.id)


def member_event(event_id: PathId, claims: Claims, session: SessionDep) -> Event:
    """The event, if the caller organizes it or attends it (refused as any other request if signed out)."""
    if claims.subject_kind == "attendee":
        member = claims.event_id == event_id
        if member:
            load_attendee(session, claims)
    else:
        organizer = load_organizer(session, claims)
        membership = select(EventOrganizer).where(
            EventOrganizer.event_id == event_id, EventOrganizer.organizer_id == organizer.id
        )
        member = session.exec(membership).first() is not None
    event = session.get(Event, event_id) if member else None
    if event is None:
        raise NotFound("No such event among yours")
    return event


OrganizerEvent = Annotated[Event, Depends(organizer_event)]
MemberEvent = Annotated[Event, Depends(member_event)]
