"""The nudge scheduler. One tick: find the breaks and hallway moments under way, plan nudges, claim them
in the database (committed before anything is sent), send, record what happened.

It runs in the API process (a thread started with the app) and as `couloir worker`. Any number of them
may run against one database: a nudge is sent by whichever claims it first, and only once.
"""

import asyncio
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.agenda.models import AgendaBreak
from api.attendees.models import Attendee
from api.core import idempotency, ratelimit
from api.core.config import Settings
from api.core.db import utcnow
from api.events.models import Event, Zone
from api.personal_data.service import (
    purge_ended_presence_topics,
    purge_erased_presence_marks,
    purge_presence_history,
)
from api.push import policy, service
from api.push.models import PushPreference
from api.push.webpush import (
    DeliveryOutcome,
    PushMessage,
    Resolver,
    Urgency,
    deliver,
    make_topic,
    validate_push_endpoint,
)
from api.rendezvous import service as rendezvous_service

log = logging.getLogger("couloir.push")

# On the phone, a newer push of the same kind replaces an unread older one.
TOPICS = {
    "nudge": make_topic("couloir-nudge"),
    "contact": make_topic("couloir-contact-request"),
    "rendezvous": make_topic("couloir-rendezvous"),
}
# How long stopping the in-process scheduler waits for a tick to finish (its thread dies with the process).
STOP_TIMEOUT_SECONDS = 5.0


@dataclass
class TickReport:
    planned: int = 0
    claimed: int = 0  # planned here and claimed here; the rest were claimed by another replica first
    delivered: int = 0
    failed: int = 0
    dropped: int = 0  # claimed, then nothing to send (no device left, preference turned off, request answered)
    subscriptions_gone: int = 0
    rendezvous_reminded: int = 0  # agreed rendezvous whose break started: each reminded to both sides

    def __str__(self) -> str:
        return (
            f"nudges: {self.planned} planned, {self.claimed} claimed here "
            f"({self.planned - self.claimed} already claimed elsewhere), {self.delivered} delivered, "
            f"{self.failed} failed, {self.dropped} dropped; {self.subscriptions_gone} subscriptions gone; "
            f"{self.rendezvous_reminded} rendezvous reminded"
        )


@dataclass(frozen=True)
class _Push:
    nudge_ids: tuple[int, ...]  # the rows this push stands for: one nudge, or an attendee's queued requests
    attendee_id: int
    payload: dict[str, Any]
    ttl: int
    urgency: Urgency
    topic: str


def tick(engine: Engine, settings: Settings, *, resolve: Resolver | None = None) -> TickReport:
    """`resolve` stands in for DNS when endpoints' hosts are checked again before sending."""
    now = utcnow()
    report = TickReport()
    pushes: list[_Push] = []
    dropped: list[int] = []
    with Session(engine, expire_on_commit=False) as session:
        windows = policy.windows_under_way(session, now)
        for window in windows:
            day = policy.local_day(session.get_one(Event, window.event_id), now)
            plans = policy.plan_break_nudges(session, settings, window, now)
            claimed = service.claim_nudges(session, window, day, plans, now)
            session.commit()  # the claim is public before a single byte is sent
            report.planned += len(plans)
            report.claimed += len(claimed)
            ttl = window.seconds_left(utcnow())  # planning a crowd takes a while: what is left now
            pushes += [_nudge_push(claimed[p.attendee_id], p, ttl) for p in plans if p.attendee_id in claimed]
        contact_pushes, contact_dropped = _contact_pushes(session, windows, utcnow())
        session.commit()
        pushes += contact_pushes
        dropped += contact_dropped
        reminders, report.rendezvous_reminded = _rendezvous_pushes(session, utcnow())
        session.commit()  # claimed before sending, as nudges are
        pushes += reminders
        subscriptions = service.subscriptions_of(session, [p.attendee_id for p in pushes])

    verdicts: dict[tuple[str, str], bool] = {}
    messages = []
    for index, push in enumerate(pushes):
        devices = [
            s for s in subscriptions.get(push.attendee_id, []) if _sendable(s.endpoint, settings, resolve, verdicts)
        ]
        if not devices:
            dropped += push.nudge_ids
        messages += [
            PushMessage(
                endpoint=s.endpoint,
                p256dh=s.p256dh,
                auth=s.auth,
                payload=push.payload,
                ttl=push.ttl,
                urgency=push.urgency,
                topic=push.topic,
                ref=(index, s.id),
            )
            for s in devices
        ]
    outcomes = asyncio.run(_send(messages, settings)) if messages else []

    results, gone = _results(pushes, outcomes)
    results.update({nudge_id: ("dropped", 0) for nudge_id in dropped})
    with Session(engine) as session:
        service.record_outcomes(session, results, gone, utcnow())
        session.commit()
    report.delivered = sum(status == "delivered" for status, _ in results.values())
    report.failed = sum(status in ("failed", "gone") for status, _ in results.values())
    report.dropped = len(dropped)
    report.subscriptions_gone = len(gone)
    if report.planned or results or report.rendezvous_reminded:
        log.info("%s", report)
    return report


async def _send(messages: list[PushMessage], settings: Settings) -> list[DeliveryOutcome]:
    return await deliver(messages, keys=service.vapid_keys(settings), subject=settings.vapid_subject)


def _payload(nudge_id: int, text: policy.Text, tag: str) -> dict[str, Any]:
    """What the service worker shows: `url` opens on a tap, `tag` makes a newer notification of its kind
    replace an older one on the phone (as TOPICS do at the push service), `id` goes back as "opened"."""
    return {"id": nudge_id, "reason": text.reason, "title": text.title, "body": text.body, "url": text.url, "tag": tag}


def _nudge_push(nudge_id: int, plan: policy.PlannedNudge, ttl: int) -> _Push:
    payload = _payload(nudge_id, plan.text, "nudge")
    return _Push((nudge_id,), plan.attendee_id, payload, ttl, plan.text.urgency, TOPICS["nudge"])


def _contact_pushes(session: Session, windows: list[policy.Window], now: datetime) -> tuple[list[_Push], list[int]]:
    """One push per attendee for all their queued contact requests, sent only in a window; the rest of the
    claimed rows are dropped (request answered meanwhile, preference turned off)."""
    rows = service.claim_contact_requests(session, [w.event_id for w in windows], now)
    if not rows:
        return [], []
    ttl_of = {w.event_id: w.seconds_left(now) for w in windows}
    names = service.pending_requests(session, [request_id for _, _, request_id in rows])
    by_attendee: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    dropped = []
    for nudge_id, attendee_id, request_id in rows:
        if request_id in names:
            by_attendee[attendee_id].append((nudge_id, request_id))
        else:
            dropped.append(nudge_id)
    pushes = []
    for attendee_id, queued in by_attendee.items():
        attendee = session.get_one(Attendee, attendee_id)
        prefs = policy.preferences(session, attendee_id)
        if not (prefs.enabled and prefs.contact_requests):
            dropped += [nudge_id for nudge_id, _ in queued]
            continue
        latest_id, latest_request = max(queued)
        text = policy.contact_request_text(attendee, len(queued), names[latest_request])
        payload = _payload(latest_id, text, "contact-request")
        nudge_ids = tuple(nudge_id for nudge_id, _ in queued)
        ttl = ttl_of[attendee.event_id]
        pushes.append(_Push(nudge_ids, attendee_id, payload, ttl, text.urgency, TOPICS["contact"]))
    return pushes, dropped


def _rendezvous_pushes(session: Session, now: datetime) -> tuple[list[_Push], int]:
    """Both sides of each agreed rendezvous whose break has just started, unless pushes are off for them; and
    how many were claimed. Not nudges: no row in the budget, no outcome recorded (`nudge_ids` is empty)."""
    claimed = rendezvous_service.claim_reminders(session, now)
    if not claimed:
        return [], 0
    # At a break's start thousands may be due: everyone involved is read at once.
    people = {
        a.id: a
        for a in session.exec(
            select(Attendee).where(col(Attendee.id).in_({*(c[0] for c in claimed), *(c[1] for c in claimed)}))
        )
    }
    off = set(
        session.exec(
            select(PushPreference.attendee_id).where(
                col(PushPreference.attendee_id).in_(people), ~col(PushPreference.enabled)
            )
        )
    )
    zones = dict(session.exec(select(Zone.id, Zone.name).where(col(Zone.id).in_({c[2] for c in claimed}))).all())
    ends = dict(
        session.exec(
            select(AgendaBreak.id, AgendaBreak.ends_at).where(col(AgendaBreak.id).in_({c[3] for c in claimed}))
        ).all()
    )
    pushes = []
    for first_id, second_id, zone_id, break_id in claimed:
        ttl = max(1, int((ends[break_id] - now).total_seconds()))
        for me, other in ((people[first_id], people[second_id]), (people[second_id], people[first_id])):
            if me.id in off:
                continue
            text = policy.rendezvous_text(me, other.display_name, zones[zone_id])
            payload = {
                "reason": text.reason,
                "title": text.title,
                "body": text.body,
                "url": text.url,
                "tag": "rendezvous",
            }
            pushes.append(_Push((), me.id, payload, ttl, text.urgency, TOPICS["rendezvous"]))
    return pushes, len(claimed)


def _sendable(
    endpoint: str, settings: Settings, resolve: Resolver | None, verdicts: dict[tuple[str, str], bool]
) -> bool:
    """Endpoints were checked when subscribed, but DNS may have moved since: each host is checked again,
    once a tick, so a name rebound to a private address is not posted to."""
    if settings.push_allow_private_endpoints:
        return True
    parts = urlsplit(endpoint)
    origin = (parts.scheme, parts.netloc)
    if origin not in verdicts:
        try:
            validate_push_endpoint(endpoint, allow_private=False, resolve=resolve)
            verdicts[origin] = True
        except ValueError as exc:
            log.warning("not sending to %s: %s", origin[1], exc)
            verdicts[origin] = False
    return verdicts[origin]


def _results(pushes: list[_Push], outcomes: list[DeliveryOutcome]) -> tuple[dict[int, tuple[str, int]], list[int]]:
    """Per nudge row: delivered if any device got its push, gone if every device is gone, else failed."""
    per_push: defaultdict[int, list[DeliveryOutcome]] = defaultdict(list)
    gone = []
    for outcome in outcomes:
        index, subscription_id = outcome.ref
        per_push[index].append(outcome)
        if outcome.status == "gone":
            gone.append(subscription_id)
    results = {}
    for index, tries in per_push.items():
        statuses = {o.status for o in tries}
        status = "delivered" if "delivered" in statuses else "gone" if statuses == {"gone"} else "failed"
        results.update({nudge_id: (status, max(o.attempts for o in tries)) for nudge_id in pushes[index].nudge_ids})
    return results, gone


def clean_up(engine: Engine, settings: Settings) -> dict[str, object]:
    """The housekeeping jobs, each in its own transaction: one that fails is logged and the others still run.
    Returns what each job did (rows deleted or moved), or None for a job that failed."""
    now = utcnow()
    jobs: dict[str, Callable[[Session], object]] = {
        "presence retention purge": lambda session: purge_presence_history(session, now),
        "ended presences' topics": lambda session: purge_ended_presence_topics(session, now),
        "erased attendees' presence marks": purge_erased_presence_marks,
        "old idempotency keys": lambda session: idempotency.purge_records(
            session, now - timedelta(hours=settings.idempotency_retention_hours)
        ),
        "passed rate-limit windows": lambda session: ratelimit.purge_passed_windows(session, settings),
        "stuck nudge sends (requeued, failed)": lambda session: service.release_stuck_sends(
            session, now - timedelta(minutes=settings.nudge_sending_timeout_minutes)
        ),
    }
    done: dict[str, object] = {}
    for name, job in jobs.items():
        try:
            with Session(engine) as session:
                done[name] = job(session)
                session.commit()
        except Exception:
            log.exception("cleanup failed: %s", name)
            done[name] = None
    return done


def run(engine: Engine, settings: Settings, stop: threading.Event) -> None:
    """Tick every `nudge_interval_seconds` until `stop` is set, and clean up every `cleanup_interval_seconds`
    (the jobs scan whole tables: not worth doing twice a minute); a failure is logged, not fatal."""
    cleaned_at = None
    while not stop.is_set():
        try:
            tick(engine, settings)
        except Exception:
            log.exception("nudge tick failed")
        if cleaned_at is None or time.monotonic() - cleaned_at >= settings.cleanup_interval_seconds:
            clean_up(engine, settings)
            cleaned_at = time.monotonic()
        stop.wait(settings.nudge_interval_seconds)


def start_in_thread(engine: Engine, settings: Settings) -> Callable[[], None]:
    """Start the scheduler beside the API; returns the function that stops it."""
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(engine, settings, stop), name="nudge-scheduler", daemon=True)
    thread.start()

    def stop_scheduler() -> None:
        stop.set()
        thread.join(timeout=STOP_TIMEOUT_SECONDS)

    return stop_scheduler
