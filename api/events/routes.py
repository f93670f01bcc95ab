from fastapi import APIRouter, status
from sqlmodel import Session

from api.auth.callers import CurrentOrganizer
from api.core.config import Settings
from api.core.deps import SessionDep, SettingsDep
from api.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, responses
from api.core.schemas import PathId
from api.events import service
from api.events.access import MemberEvent, OrganizerEvent
from api.events.models import Event, Topic, Zone
from api.events.schemas import (
    EventAdmin,
    EventCreate,
    EventPublic,
    EventUpdate,
    TopicCreate,
    TopicPublic,
    TopicUpdate,
    ZoneAdmin,
    ZoneCreate,
    ZoneKind,
    ZonePublic,
    ZoneUpdate,
)

router = APIRouter(prefix="/api/events", tags=["events"], responses=responses(NotAuthenticated))
_OWN = responses(NotFound)


def event_admin(event: Event, base_url: str) -> EventAdmin:
    return EventAdmin(**event.model_dump(), join_url=f"{base_url}/join/{event.join_code}")


def zone_admin(zone: Zone, neighbour_ids: list[int], base_url: str) -> ZoneAdmin:
    return ZoneAdmin(
        id=zone.id,
        name=zone.name,
        name_fr=zone.name_fr,
        name_en=zone.name_en,
        kind=ZoneKind(zone.kind),
        neighbour_ids=neighbour_ids,
        checkin_token=zone.checkin_token,
        checkin_url=f"{base_url}/z/{zone.checkin_token}",
        code=zone.code,
    )


def _zone_admin(session: Session, zone: Zone, settings: Settings) -> ZoneAdmin:
    neighbours = service.neighbours_by_zone(session, zone.event_id).get(zone.id, [])
    return zone_admin(zone, neighbours, settings.public_base_url)


@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(Conflict, InvalidInput))
def create_event(
    data: EventCreate, organizer: CurrentOrganizer, session: SessionDep, settings: SettingsDep
) -> EventAdmin:
    return event_admin(service.create_event(session, organizer_id=organizer.id, data=data), settings.public_base_url)


@router.get("")
def list_my_events(organizer: CurrentOrganizer, session: SessionDep, settings: SettingsDep) -> list[EventAdmin]:
    return [event_admin(e, settings.public_base_url) for e in service.events_of_organizer(session, organizer.id)]


@router.get("/{event_id}", responses=_OWN)
def get_event(event: OrganizerEvent, settings: SettingsDep) -> EventAdmin:
    return event_admin(event, settings.public_base_url)


@router.patch("/{event_id}", responses=responses(NotFound, InvalidInput))
def update_event(data: EventUpdate, event: OrganizerEvent, session: SessionDep, settings: SettingsDep) -> EventAdmin:
    return event_admin(service.update_event(session, event, data), settings.public_base_url)


@router.post("/{event_id}/join-code", responses=_OWN)
def regenerate_join_code(event: OrganizerEvent, session: SessionDep, settings: SettingsDep) -> EventAdmin:
    """A new join code; the old one stops admitting new attendees (those who joined stay)."""
    return event_admin(service.regenerate_join_code(session, event), settings.public_base_url)


@router.get("/{event_id}/public", responses=_OWN)
def get_public_event(event: MemberEvent, session: SessionDep) -> EventPublic:
    """The event as its attendees see it: programme-level facts and zones, no secrets."""
    neighbours = service.neighbours_by_zone(session, event.id)
    zones = [
        ZonePublic(
            id=z.id,
            name=z.name,
            name_fr=z.name_fr,
            name_en=z.name_en,
            kind=ZoneKind(z.kind),
            neighbour_ids=neighbours.get(z.id, []),
        )
        for z in service.list_zones(session, event.id)
    ]
    return EventPublic(**event.model_dump(), zones=zones)


# Zones --------------------------------------------------------------------------------------------


@router.get("/{event_id}/zones", responses=_OWN)
def list_zones(event: OrganizerEvent, session: SessionDep, settings: SettingsDep) -> list[ZoneAdmin]:
    neighbours = service.neighbours_by_zone(session, event.id)
    return [
        zone_admin(z, neighbours.get(z.id, []), settings.public_base_url) for z in service.list_zones(session, event.id)
    ]


@router.post(
    "/{event_id}/zones", status_code=status.HTTP_201_CREATED, responses=responses(NotFound, Conflict, InvalidInput)
)
def create_zone(data: ZoneCreate, event: OrganizerEvent, session: SessionDep, settings: SettingsDep) -> ZoneAdmin:
    return _zone_admin(session, service.create_zone(session, event, data), settings)


@router.patch("/{event_id}/zones/{zone_id}", responses=responses(NotFound, Conflict, InvalidInput))
def update_zone(
    zone_id: PathId, data: ZoneUpdate, event: OrganizerEvent, session: SessionDep, settings: SettingsDep
) -> ZoneAdmin:
    zone = service.get_zone(session, event_id=event.id, zone_id=zone_id)
    return _zone_admin(session, service.update_zone(session, zone, data), settings)


@router.post("/{event_id}/zones/{zone_id}/rotate-token", responses=_OWN)
def rotate_zone_token(zone_id: PathId, event: OrganizerEvent, session: SessionDep, settings: SettingsDep) -> ZoneAdmin:
    """Invalidates the zone's printed posters: print the new one."""
    zone = service.get_zone(session, event_id=event.id, zone_id=zone_id)
    return _zone_admin(session, service.rotate_zone_token(session, zone), settings)


@router.delete("/{event_id}/zones/{zone_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_OWN)
def delete_zone(zone_id: PathId, event: OrganizerEvent, session: SessionDep) -> None:
    service.delete_zone(session, service.get_zone(session, event_id=event.id, zone_id=zone_id))


# Topics -------------------------------------------------------------------------------------------


def topic_public(topic: Topic) -> TopicPublic:
    return TopicPublic(
        id=topic.id, name=topic.name, name_fr=topic.name_fr, name_en=topic.name_en, synonyms=topic.synonyms
    )


@router.get("/{event_id}/topics", responses=_OWN)
def list_topics(event: MemberEvent, session: SessionDep) -> list[TopicPublic]:
    return [topic_public(t) for t in service.list_topics(session, event.id)]


@router.post(
    "/{event_id}/topics", status_code=status.HTTP_201_CREATED, responses=responses(NotFound, Conflict, InvalidInput)
)
def create_topic(data: TopicCreate, event: OrganizerEvent, session: SessionDep) -> TopicPublic:
    return topic_public(service.create_topic(session, event, data))


@router.patch("/{event_id}/topics/{topic_id}", responses=responses(NotFound, Conflict, InvalidInput))
def update_topic(topic_id: PathId, data: TopicUpdate, event: OrganizerEvent, session: SessionDep) -> TopicPublic:
    topic = service.get_topic(session, event_id=event.id, topic_id=topic_id)
    return topic_public(service.update_topic(session, topic, data))


@router.delete("/{event_id}/topics/{topic_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_OWN)
def delete_topic(topic_id: PathId, event: OrganizerEvent, session: SessionDep) -> None:
    service.delete_topic(session, service.get_topic(session, event_id=event.id, topic_id=topic_id))
