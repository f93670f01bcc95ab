from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from api.auth.callers import CurrentAttendee
from api.core.deps import SessionDep, SettingsDep
from api.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, responses
from api.core.idempotency import RunOnce
from api.core.schemas import OneLine, PathId
from api.events.access import OrganizerEvent
from api.push import service
from api.push.schemas import (
    HallwayMomentCreate,
    HallwayMomentPublic,
    PushPreferences,
    SubscriptionCreate,
    SubscriptionPublic,
    VapidPublicKey,
)
from api.push.webpush import MAX_ENDPOINT_LENGTH, Resolver


def endpoint_resolver() -> Resolver | None:
    """How endpoint hosts are resolved for the SSRF check: the system's DNS (tests put in their own)."""
    return None


EndpointResolver = Annotated[Resolver | None, Depends(endpoint_resolver)]

public = APIRouter(prefix="/api/push", tags=["push"])


@public.get("/vapid-public-key")
def get_vapid_public_key(settings: SettingsDep) -> VapidPublicKey:
    """The key the app passes to PushManager.subscribe() as its applicationServerKey."""
    return VapidPublicKey(public_key=service.vapid_keys(settings).public_key)


me = APIRouter(prefix="/api/me", tags=["push"], responses=responses(NotAuthenticated))


@me.get("/push-subscriptions")
def list_my_push_subscriptions(attendee: CurrentAttendee, session: SessionDep) -> list[SubscriptionPublic]:
    """The devices my pushes go to."""
    return service.my_subscriptions(session, attendee)


@me.post(
    "/push-subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionPublic,
    responses=responses(service.UnsafePushEndpoint),
)
def add_push_subscription(
    data: SubscriptionCreate,
    attendee: CurrentAttendee,
    session: SessionDep,
    settings: SettingsDep,
    resolve: EndpointResolver,
    once: RunOnce,
) -> Response:
    """Receive pushes on this device: the body is the browser's PushSubscription as JSON. The same
    endpoint again updates its keys; it never makes a second device."""
    return once(data, lambda: service.subscribe(session, settings, attendee, data, resolve=resolve))


@me.delete("/push-subscriptions", status_code=status.HTTP_204_NO_CONTENT, responses=responses(InvalidInput))
def remove_push_subscription_by_endpoint(
    endpoint: Annotated[str, Query(min_length=1, max_length=MAX_ENDPOINT_LENGTH), OneLine],
    attendee: CurrentAttendee,
    session: SessionDep,
) -> None:
    """Stop pushes to the device with this endpoint (what a browser that unsubscribed knows)."""
    service.unsubscribe_endpoint(session, attendee, endpoint)


@me.delete(
    "/push-subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(NotFound)
)
def remove_push_subscription(subscription_id: PathId, attendee: CurrentAttendee, session: SessionDep) -> None:
    service.unsubscribe(session, attendee, subscription_id)


@me.get("/push-preferences")
def get_my_push_preferences(attendee: CurrentAttendee, session: SessionDep) -> PushPreferences:
    return service.get_preferences(session, attendee)


@me.put("/push-preferences", responses=responses(InvalidInput))
def set_my_push_preferences(data: PushPreferences, attendee: CurrentAttendee, session: SessionDep) -> PushPreferences:
    """Which pushes I want; `enabled: false` silences them all."""
    return service.set_preferences(session, attendee, data)


@me.post("/nudges/{nudge_id}/opened", status_code=status.HTTP_204_NO_CONTENT, responses=responses(NotFound))
def mark_nudge_opened(nudge_id: PathId, attendee: CurrentAttendee, session: SessionDep) -> None:
    """Sent by the service worker when a notification is tapped. Naturally idempotent (the first opening
    counts), so it needs no Idempotency-Key."""
    service.mark_opened(session, attendee, nudge_id)


events = APIRouter(prefix="/api/events/{event_id}", tags=["push"], responses=responses(NotAuthenticated, NotFound))


@events.post("/hallway-moments", status_code=status.HTTP_201_CREATED, responses=responses(Conflict, InvalidInput))
def start_hallway_moment(data: HallwayMomentCreate, event: OrganizerEvent, session: SessionDep) -> HallwayMomentPublic:
    """Organizers: open the hallway now, for `minutes`. Nudges treat it as a break."""
    moment = service.start_hallway_moment(session, event, data)
    return HallwayMomentPublic(id=moment.id, label=moment.label, starts_at=moment.starts_at, ends_at=moment.ends_at)
