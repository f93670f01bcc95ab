"""Push subscriptions, preferences, hallway moments, and the nudge ledger. Plain functions taking a
session; the caller commits (the scheduler commits each claim before it sends)."""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Row, delete, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from api.attendees.models import Attendee
from api.contacts.models import ContactRequest
from api.core.config import Settings
from api.core.db import conflict_insert, rowcount, utcnow
from api.core.errors import Conflict, InvalidInput, NotFound
from api.events.models import Event
from api.push.models import HallwayMoment, Nudge, PushPreference, PushSubscription
from api.push.policy import CONTACT_REQUEST, PlannedNudge, Window, local_day, preferences
from api.push.schemas import HallwayMomentCreate, PushPreferences, SubscriptionCreate, SubscriptionPublic
from api.push.webpush import PushMessage, Resolver, VapidKeys, load_or_create_vapid_keys, validate_push_endpoint

# Devices kept per attendee: a reinstalled app leaves its old subscription behind until a push finds it
# gone, and a forged client must not make one attendee's nudge a thousand pushes.
MAX_DEVICES = 10
# Rows per statement: well under SQLite's 32,766 bound parameters.
CHUNK = 1000


class UnsafePushEndpoint(InvalidInput):
    default_detail = "This push endpoint is not accepted"


class InvalidSubscriptionKeys(InvalidInput):
    default_detail = "The subscription's keys are not usable"


def vapid_keys(settings: Settings) -> VapidKeys:
    if settings.vapid_private_key:
        return VapidKeys.from_private_pem(settings.vapid_private_key)
    return load_or_create_vapid_keys(settings.data_dir)


def _chunks(items: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Subscriptions ------------------------------------------------------------------------------------


def subscription_public(row: PushSubscription) -> SubscriptionPublic:
    return SubscriptionPublic(
        id=row.id,
        push_service=urlsplit(row.endpoint).hostname or "",
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def subscribe(
    session: Session, settings: Settings, attendee: Attendee, data: SubscriptionCreate, *, resolve: Resolver | None
) -> SubscriptionPublic:
    """Add a device, or update its keys if its endpoint is known (a browser re-subscribing)."""
    try:
        validate_push_endpoint(data.endpoint, allow_private=settings.push_allow_private_endpoints, resolve=resolve)
    except ValueError as exc:
        raise UnsafePushEndpoint(str(exc)) from None
    try:
        # The sender's own checks: keys it could not encrypt for are refused now, not at the first break.
        PushMessage(endpoint=data.endpoint, p256dh=data.keys.p256dh, auth=data.keys.auth, payload={}, ttl=1, ref=None)
    except ValueError as exc:
        raise InvalidSubscriptionKeys(str(exc)) from None
    now = utcnow()
    keys = {"p256dh": data.keys.p256dh, "auth": data.keys.auth, "updated_at": now}
    subscription_id = session.execute(
        conflict_insert(session.get_bind())(PushSubscription)
        .values(attendee_id=attendee.id, endpoint=data.endpoint, created_at=now, **keys)
        .on_conflict_do_update(index_elements=["attendee_id", "endpoint"], set_=keys)
        .returning(col(PushSubscription.id))
    ).scalar_one()
    newest = (
        select(PushSubscription.id)
        .where(PushSubscription.attendee_id == attendee.id)
        .order_by(col(PushSubscription.updated_at).desc(), col(PushSubscription.id).desc())
        .limit(MAX_DEVICES)
    )
    session.execute(
        delete(PushSubscription).where(
            col(PushSubscription.attendee_id) == attendee.id, col(PushSubscription.id).not_in(newest.scalar_subquery())
        )
    )
    return subscription_public(session.get_one(PushSubscription, subscription_id, populate_existing=True))


def my_subscriptions(session: Session, attendee: Attendee) -> list[SubscriptionPublic]:
    rows = session.exec(
        select(PushSubscription)
        .where(col(PushSubscription.attendee_id) == attendee.id)
        .order_by(col(PushSubscription.id))
    )
    return [subscription_public(row) for row in rows]


def unsubscribe(session: Session, attendee: Attendee, subscription_id: int) -> None:
    row = session.get(PushSubscription, subscription_id)
    if row is None or row.attendee_id != attendee.id:
        raise NotFound("No such device among yours")
    session.delete(row)
    session.flush()


def unsubscribe_endpoint(session: Session, attendee: Attendee, endpoint: str) -> None:
    """What a browser that unsubscribed knows is its endpoint. An unknown one is no error: the end state holds."""
    mine = col(PushSubscription.attendee_id) == attendee.id
    session.execute(delete(PushSubscription).where(mine, col(PushSubscription.endpoint) == endpoint))


def subscriptions_of(session: Session, attendee_ids: Iterable[int]) -> dict[int, list[Row[Any]]]:
    """Attendee id -> their devices (id, endpoint, p256dh, auth): plain rows, as thousands are read at once."""
    out: dict[int, list[Row[Any]]] = {}
    columns = (col(PushSubscription.attendee_id), col(PushSubscription.id), col(PushSubscription.endpoint),
               col(PushSubscription.p256dh), col(PushSubscription.auth))  # fmt: skip
    for chunk in _chunks(sorted(set(attendee_ids))):
        for row in session.execute(sa_select(*columns).where(col(PushSubscription.attendee_id).in_(chunk))):
            out.setdefault(row.attendee_id, []).append(row)
    return out


# Preferences --------------------------------------------------------------------------------------


def get_preferences(session: Session, attendee: Attendee) -> PushPreferences:
    row = preferences(session, attendee.id)
    return PushPreferences(
        enabled=row.enabled,
        break_nudges=row.break_nudges,
        speaker_nearby=row.speaker_nearby,
        contact_requests=row.contact_requests,
    )


def set_preferences(session: Session, attendee: Attendee, data: PushPreferences) -> PushPreferences:
    values = data.model_dump()
    session.execute(
        conflict_insert(session.get_bind())(PushPreference)
        .values(attendee_id=attendee.id, **values)
        .on_conflict_do_update(index_elements=["attendee_id"], set_=values)
    )
    return data


# Hallway moments and opened nudges ------------------------------------------------------------------


def start_hallway_moment(session: Session, event: Event, data: HallwayMomentCreate) -> HallwayMoment:
    now = utcnow()
    if not event.starts_at <= now < event.ends_at:
        raise Conflict("This event is not under way: a hallway moment starts now")
    moment = HallwayMoment(
        event_id=event.id, label=data.label, starts_at=now, ends_at=now + timedelta(minutes=data.minutes)
    )
    session.add(moment)
    session.flush()
    return moment


def mark_opened(session: Session, attendee: Attendee, nudge_id: int) -> None:
    """The first opening counts; a second click or a retried request changes nothing."""
    nudge = session.get(Nudge, nudge_id)
    if nudge is None or nudge.attendee_id != attendee.id:
        raise NotFound("No such nudge among yours")
    if nudge.opened_at is None:
        nudge.opened_at = utcnow()
        session.add(nudge)
        session.flush()


# The nudge ledger -------------------------------------------------------------------------------------


def notify_contact_request(session: Session, request_id: int) -> None:
    """Queue a push telling the request's recipient; the scheduler sends it in the next break (never in a
    talk), if their preferences still want it then. Calling it twice queues one push."""
    request = session.get(ContactRequest, request_id)
    if request is None:
        raise NotFound("No such contact request")
    event = session.get_one(Event, request.event_id)
    now = utcnow()
    session.execute(
        conflict_insert(session.get_bind())(Nudge)
        .values(
            attendee_id=request.to_attendee_id,
            event_id=request.event_id,
            break_key=f"contact-request:{request.id}",
            reason=CONTACT_REQUEST,
            day=local_day(event, now),
            contact_request_id=request.id,
            status="pending",
            attempts=0,
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


def claim_nudges(
    session: Session, window: Window, day: date, plans: Sequence[PlannedNudge], now: datetime
) -> dict[int, int]:
    """Insert the planned nudges; those another replica claimed first (same reason, or the same budget
    slot) are skipped by the database. Returns attendee id -> nudge id for the ones claimed here."""
    rows = [
        {
            "attendee_id": plan.attendee_id,
            "event_id": window.event_id,
            "break_key": window.key,
            "reason": plan.text.reason,
            "day": day,
            "break_slot": plan.break_slot,
            "day_slot": plan.day_slot,
            "status": "sending",
            "attempts": 0,
            "created_at": now,
        }
        for plan in plans
    ]
    if not rows:
        return {}
    # One statement run for many rows: SQLAlchemy batches them (insertmanyvalues), RETURNING included.
    # Pages of 100 rows, not 1000: psycopg re-parses each long statement, and this halves a crowd's claim.
    claim = (
        conflict_insert(session.get_bind())(Nudge)
        .on_conflict_do_nothing()
        .returning(col(Nudge.id), col(Nudge.attendee_id))
    )
    result = session.execute(claim.execution_options(insertmanyvalues_page_size=100), rows)
    return {attendee_id: nudge_id for nudge_id, attendee_id in result}


def claim_contact_requests(session: Session, event_ids: Sequence[int], now: datetime) -> list[tuple[int, int, int]]:
    """Take the queued contact-request pushes of these events (each replica gets its own, the status
    changing under the row lock). Returns (nudge id, attendee id, contact request id)."""
    if not event_ids:
        return []
    result = session.execute(
        update(Nudge)
        .where(col(Nudge.event_id).in_(event_ids), col(Nudge.reason) == CONTACT_REQUEST, col(Nudge.status) == "pending")
        .values(status="sending", sent_at=now)  # when the claim was made, until an outcome is recorded
        .returning(col(Nudge.id), col(Nudge.attendee_id), col(Nudge.contact_request_id))
    )
    return sorted(tuple(row) for row in result)


def pending_requests(session: Session, request_ids: Sequence[int]) -> dict[int, str]:
    """Request id -> the requester's name, for requests still unanswered."""
    rows = session.exec(
        select(ContactRequest.id, Attendee.display_name)
        .join(Attendee, col(Attendee.id) == col(ContactRequest.from_attendee_id))
        .where(col(ContactRequest.id).in_(request_ids), col(ContactRequest.status) == "pending")
    )
    return dict(rows.all())


def record_outcomes(
    session: Session, outcomes: dict[int, tuple[str, int]], gone_subscription_ids: Sequence[int], now: datetime
) -> None:
    """outcomes: nudge id -> (status, attempts). Dead subscriptions are deleted."""
    # A crowd's outcomes are nearly all alike: one UPDATE per kind of outcome, not one per nudge.
    alike: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    for nudge_id, outcome in outcomes.items():
        alike[outcome].append(nudge_id)
    for (status, attempts), nudge_ids in alike.items():
        sent_at = now if status == "delivered" else None
        for chunk in _chunks(sorted(nudge_ids)):
            session.execute(
                update(Nudge).where(col(Nudge.id).in_(chunk)).values(status=status, attempts=attempts, sent_at=sent_at)
            )
    for chunk in _chunks(sorted(set(gone_subscription_ids))):
        session.execute(delete(PushSubscription).where(col(PushSubscription.id).in_(chunk)))


def release_stuck_sends(session: Session, claimed_before: datetime) -> tuple[int, int]:
    """Pushes still "sending" since before `claimed_before`: the worker that claimed them died mid-send.

    A contact-request push goes back to the queue (the next break sends it; at worst a phone gets it twice,
    and the newer one replaces the older on screen). A break nudge is marked failed: its moment has passed,
    and sending it late, or twice, would cost more than it brings. Returns (requeued, failed)."""
    stuck = col(Nudge.status) == "sending"
    requeued = session.execute(
        update(Nudge)
        .where(
            stuck,
            col(Nudge.reason) == CONTACT_REQUEST,
            func.coalesce(col(Nudge.sent_at), col(Nudge.created_at)) < claimed_before,
        )
        .values(status="pending", sent_at=None)
    )
    # A break nudge is inserted at its claim: created_at is the claim's time.
    failed = session.execute(
        update(Nudge)
        .where(stuck, col(Nudge.reason) != CONTACT_REQUEST, col(Nudge.created_at) < claimed_before)
        .values(status="failed")
    )
    return rowcount(requeued), rowcount(failed)
