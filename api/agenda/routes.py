from fastapi import APIRouter, status

from api.agenda import service
from api.agenda.models import AgendaBreak
from api.agenda.schemas import Agenda, BreakCreate, BreakPublic, BreakUpdate, TalkCreate, TalkPublic, TalkUpdate
from api.core.deps import SessionDep
from api.core.errors import InvalidInput, NotAuthenticated, NotFound, responses
from api.core.schemas import PathId
from api.events.access import MemberEvent, OrganizerEvent

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
