"""The housekeeping the scheduler runs after each tick: old Idempotency-Keys, passed rate-limit windows,
the topics of ended presences, and pushes left "sending" by a worker killed mid-send."""

import threading
import time
from datetime import date, timedelta

from sqlalchemy import update
from sqlmodel import select

from api.core.db import utcnow
from api.core.idempotency import IdempotencyRecord
from api.core.ratelimit import RateLimitWindow
from api.presence.models import Presence, PresenceTopic
from api.push import scheduler
from api.push.models import Nudge
from api.push.policy import CONTACT_REQUEST
from tests import factories


def test_idempotency_keys_are_forgotten_after_the_retention(srv, db):
    place = factories.hallway(srv)
    ada = place.person(srv, "Ada", ["Rust"], zone=None)
    coffee = place.zones["coffee"]["checkin_url"]
    assert factories.check_in(srv, ada.token, key="old-key-0001", token=coffee).status_code == 201
    assert factories.check_in(srv, ada.token, key="new-key-0001", token=coffee).status_code == 201
    retention = timedelta(hours=srv.settings.idempotency_retention_hours)
    db.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.key == "old-key-0001")
        .values(created_at=utcnow() - retention - timedelta(minutes=1))
    )
    db.commit()

    done = scheduler.clean_up(srv.engine, srv.settings)

    assert done["old idempotency keys"] == 1
    assert set(db.exec(select(IdempotencyRecord.key)).all()) == {"new-key-0001"}
    # The recent key still replays; the forgotten one would run as a new check-in.
    assert factories.check_in(srv, ada.token, key="new-key-0001", token=coffee).headers["Idempotent-Replayed"] == "true"


def test_passed_rate_limit_windows_are_deleted_and_live_ones_kept(srv, db):
    longest = max(window for _, window in srv.settings.rate_limits().values())
    now = int(time.time())
    db.add(RateLimitWindow(key="check-in:ip:10.0.0.1", window_start=now - longest - 60, hits=12))
    db.add(RateLimitWindow(key="check-in:ip:10.0.0.1", window_start=now - now % 60, hits=3))
    db.commit()

    done = scheduler.clean_up(srv.engine, srv.settings)

    assert done["passed rate-limit windows"] == 1
    db.expire_all()
    assert [w.hits for w in db.exec(select(RateLimitWindow)).all()] == [3]


def test_topics_of_ended_presences_do_not_linger(srv, db):
    place = factories.hallway(srv)
    gone = place.person(srv, "Gone", ["Rust", "eBPF"])
    here = place.person(srv, "Here", ["Rust"])
    # Gone's check-in ends with no new one: its rows stay until something deletes them.
    past = utcnow() - timedelta(minutes=1)
    db.execute(update(Presence).where(Presence.attendee_id == gone.id).values(expires_at=past))
    db.execute(update(PresenceTopic).where(PresenceTopic.attendee_id == gone.id).values(expires_at=past))
    db.commit()
    assert len(db.exec(select(PresenceTopic).where(PresenceTopic.attendee_id == gone.id)).all()) == 2

    done = scheduler.clean_up(srv.engine, srv.settings)

    assert done["ended presences' topics"] == 2
    assert db.exec(select(PresenceTopic.attendee_id)).all() == [here.id]


def test_pushes_left_sending_by_a_killed_worker_are_requeued_or_failed(srv, db):
    place = factories.hallway(srv)
    ada = place.person(srv, "Ada", ["Rust"], zone=None)
    timeout = timedelta(minutes=srv.settings.nudge_sending_timeout_minutes)
    long_ago, just_now = utcnow() - timeout - timedelta(minutes=1), utcnow() - timedelta(seconds=5)

    def nudge(key: str, reason: str, slot: int | None, claimed_at, **fields) -> Nudge:
        row = Nudge(
            attendee_id=ada.id,
            event_id=place.event["id"],
            break_key=key,
            reason=reason,
            day=date.today(),
            break_slot=slot,
            day_slot=slot,
            status="sending",
            created_at=claimed_at,
            **fields,
        )
        db.add(row)
        return row

    stuck_nudge = nudge("break:1", "match_nearby", 1, long_ago)
    live_nudge = nudge("break:2", "match_nearby", 2, just_now)
    # A contact-request push queued long ago, claimed long ago, and one claimed a moment ago by a live worker.
    stuck_request = nudge("contact-request:1", CONTACT_REQUEST, None, long_ago, sent_at=long_ago)
    live_request = nudge("contact-request:2", CONTACT_REQUEST, None, long_ago, sent_at=just_now)
    db.commit()

    done = scheduler.clean_up(srv.engine, srv.settings)

    assert done["stuck nudge sends (requeued, failed)"] == (1, 1)
    for row in (stuck_nudge, live_nudge, stuck_request, live_request):
        db.refresh(row)
    assert (stuck_nudge.status, live_nudge.status) == ("failed", "sending")
    assert (stuck_request.status, stuck_request.sent_at) == ("pending", None)
    assert live_request.status == "sending"


def test_the_scheduler_loop_runs_the_cleanup(srv, db):
    place = factories.hallway(srv)
    ada = place.person(srv, "Ada", ["Rust"], zone=None)
    assert (
        factories.check_in(srv, ada.token, key="old-key-0002", token=place.zones["coffee"]["checkin_url"]).status_code
        == 201
    )
    db.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(days=30)))
    db.commit()
    fast = srv.settings.model_copy(update={"nudge_interval_seconds": 0.05, "cleanup_interval_seconds": 0.05})
    stop = threading.Event()
    loop = threading.Thread(target=scheduler.run, args=(srv.engine, fast, stop))
    loop.start()
    try:
        deadline = time.monotonic() + 60
        while db.exec(select(IdempotencyRecord)).first() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
            db.expire_all()
    finally:
        stop.set()
        loop.join(timeout=10)
    assert db.exec(select(IdempotencyRecord)).first() is None
