"""Benchmark the nudge fan-out at a break's start: N subscribed attendees, none checked in yet, each due a
"where to go" nudge, on SQLite and PostgreSQL.

For each database, in one run:
1. builds an event with a break under way, 600 visible attendees present in 12 zones, and N subscribed
   attendees (5 interests each) not checked in, every one with a device on the local receiver's counting
   path (/sink: it counts, it does not decrypt; tests/ decrypt every byte);
2. baseline: deliver() alone sends N prebuilt pushes of a nudge's size to the same receiver;
3. the policy alone (read-only): how long planning N nudges takes;
4. one real scheduler tick: plan, claim (N rows), encrypt and send, record outcomes. Its wall time is the
   time to the last delivery (recording the outcomes included);
5. the next break, with R agreed rendezvous among the subscribers (2R of them): one tick sends the same
   "where to go" nudges plus both sides' break-start reminders, beside step 4's figures;
6. the other policy path, for scale: P subscribers check in at one zone and "match nearby" nudges are
   planned for them (api.matching's suggestions, for each), without sending.
The receiver runs in its own process, so its work does not share the sender's GIL.

    .venv/bin/python -m bench.bench_nudges                              # both databases, N = 10,000
    .venv/bin/python -m bench.bench_nudges --databases sqlite --attendees 2000 --rendezvous 400

PostgreSQL: COULOIR_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) names a
server where a scratch database is created, then dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.agenda.models import AgendaBreak
from api.attendees.models import Attendee, AttendeeInterest
from api.core.config import Settings
from api.core.db import make_engine
from api.events.models import Event, Topic, Zone, ZoneNeighbour
from api.presence.models import Presence, PresenceTopic, traits_of
from api.push import policy, scheduler
from api.push.models import PushSubscription
from api.push.service import vapid_keys
from api.push.webpush import PushMessage, deliver
from api.rendezvous.models import Rendezvous
from bench.bench_matching import bulk_insert, migrate, scratch_database
from tests.push_receiver import SINK_PATH, PushReceiver

ZONES = 12
TOPICS = 40
PRESENT = 600
TARGET_RATE = 500  # pushes/s
TARGET_SECONDS = 20.0


def serve(conn: Connection) -> None:
    """Receiver process: gives one subscription's keys (the sink ignores them), then counts POSTs."""
    with PushReceiver() as receiver:
        conn.send((receiver.origin, receiver.new_subscription()["keys"]))
        while conn.recv() == "count":
            conn.send(receiver.sink_posts)


def build(
    engine: Engine, rng: random.Random, subscribers: int, endpoint: str, keys: dict
) -> tuple[int, list[int], list[int]]:
    """The event, its crowd and its subscribers; returns (event id, zone ids, subscriber ids)."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        event = Event(
            slug=f"bench-{secrets.token_hex(4)}", name="Bench Summit", subject="software", timezone="Europe/Paris",
            starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=8), languages=["en", "fr"],
            join_code=secrets.token_hex(4).upper(),
        )  # fmt: skip
        session.add(event)
        session.flush()
        zones = [
            Zone(event_id=event.id, name=f"Zone {i}", kind="coffee", checkin_token=secrets.token_urlsafe(32),
                 code=f"Z{i:02d}")
            for i in range(ZONES)
        ]  # fmt: skip
        topics = [Topic(event_id=event.id, name=f"Topic {i}", key=f"topic {i}") for i in range(TOPICS)]
        session.add_all([*zones, *topics])
        session.flush()
        for a in range(ZONES - 1):
            session.add_all([ZoneNeighbour(zone_id=zones[a].id, neighbour_id=zones[a + 1].id),
                             ZoneNeighbour(zone_id=zones[a + 1].id, neighbour_id=zones[a].id)])  # fmt: skip
        session.add(AgendaBreak(event_id=event.id, label="Coffee", starts_at=now - timedelta(minutes=1),
                                ends_at=now + timedelta(minutes=10)))  # fmt: skip
        session.commit()
        event_id, zone_ids, topic_ids = event.id, [z.id for z in zones], [t.id for t in topics]
    weights = [1 / (rank + 1) for rank in range(TOPICS)]  # a few popular topics, a long tail

    def attendees(count: int, tag: str, per_person: int) -> dict[int, set[int]]:
        columns = ["event_id", "display_name", "headline", "company", "role", "goals", "open_to_chat", "language",
                   "visible", "findable_as_speaker", "created_at", "email"]  # fmt: skip
        rows = [
            (event_id, f"{tag} {n}", "", "", "attendee", [], True, "fr" if n % 2 else "en", True, False, now,
             f"{tag}{n}@bench.example")
            for n in range(count)
        ]  # fmt: skip
        bulk_insert(engine, Attendee.__table__, columns, rows)
        with engine.connect() as conn:
            ids = list(
                conn.execute(
                    Attendee.__table__.select()
                    .with_only_columns(Attendee.__table__.c.id)
                    .where(Attendee.__table__.c.email.like(f"{tag}%@bench.example"))
                    .order_by(Attendee.__table__.c.id)
                ).scalars()
            )
        interests = {i: set(rng.choices(topic_ids, weights=weights, k=per_person)) for i in ids}
        bulk_insert(engine, AttendeeInterest.__table__, ["attendee_id", "topic_id"],
                    [(i, t) for i, chosen in interests.items() for t in chosen])  # fmt: skip
        return interests

    crowd = attendees(PRESENT, f"crowd-{event_id}", 6)
    ends = now + timedelta(minutes=10)
    traits = traits_of(goals=[], role="attendee", open_to_chat=True, findable_as_speaker=False, vouched=True)
    placed = {attendee_id: rng.choice(zone_ids) for attendee_id in crowd}
    bulk_insert(engine, Presence.__table__, ["attendee_id", "event_id", "zone_id", "checked_in_at", "expires_at"],
                [(a, event_id, z, now, ends) for a, z in placed.items()])  # fmt: skip
    bulk_insert(engine, PresenceTopic.__table__, ["attendee_id", "topic_id", "zone_id", "expires_at", "traits"],
                [(a, t, placed[a], ends, traits) for a, chosen in crowd.items() for t in chosen])  # fmt: skip
    subscribed = list(attendees(subscribers, f"sub-{event_id}", 5))
    with engine.begin() as conn:
        conn.execute(
            insert(PushSubscription),
            [{"attendee_id": a, "endpoint": endpoint, "p256dh": keys["p256dh"], "auth": keys["auth"],
              "created_at": now, "updated_at": now} for a in subscribed],
        )  # fmt: skip
    return event_id, zone_ids, subscribed


def check_in(engine: Engine, event_id: int, ids: list[int], zone_id: int) -> None:
    """Check these attendees in at one zone, visible: each has people who share their topics next to them."""
    now = datetime.now(UTC)
    ends = now + timedelta(minutes=10)
    traits = traits_of(goals=[], role="attendee", open_to_chat=True, findable_as_speaker=False, vouched=True)
    with engine.connect() as conn:
        interests = conn.execute(
            AttendeeInterest.__table__.select().where(AttendeeInterest.__table__.c.attendee_id.in_(ids))
        ).all()
    bulk_insert(engine, Presence.__table__, ["attendee_id", "event_id", "zone_id", "checked_in_at", "expires_at"],
                [(a, event_id, zone_id, now, ends) for a in ids])  # fmt: skip
    bulk_insert(engine, PresenceTopic.__table__, ["attendee_id", "topic_id", "zone_id", "expires_at", "traits"],
                [(a, t, zone_id, ends, traits) for a, t in interests])  # fmt: skip


def next_break_with_rendezvous(
    engine: Engine, event_id: int, zone_ids: list[int], pairs: list[tuple[int, int]]
) -> None:
    """End the break under way, start the next one, and agree a rendezvous for it between each pair."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        for slot in session.exec(select(AgendaBreak).where(AgendaBreak.event_id == event_id)):
            slot.ends_at = now - timedelta(seconds=1)
        following = AgendaBreak(event_id=event_id, label="Lunch", starts_at=now, ends_at=now + timedelta(minutes=10))
        session.add(following)
        session.commit()
        break_id = following.id
    columns = ["event_id", "first_id", "second_id", "proposer_id", "awaiting_id", "break_id", "zone_id", "message",
               "state", "uid", "sequence", "created_at", "updated_at", "accepted_at"]  # fmt: skip
    bulk_insert(engine, Rendezvous.__table__, columns, [
        (event_id, a, b, a, b, break_id, zone_ids[n % len(zone_ids)], "", "accepted", f"{secrets.token_hex(16)}@bench",
         1, now, now, now)
        for n, (a, b) in enumerate(pairs)
    ])  # fmt: skip


def window_of(engine: Engine, event_id: int) -> policy.Window:
    with Session(engine) as session:
        return next(w for w in policy.windows_under_way(session, datetime.now(UTC)) if w.event_id == event_id)


def plan_seconds(engine: Engine, settings: Settings, event_id: int) -> tuple[float, int]:
    window = window_of(engine, event_id)
    started = time.perf_counter()
    with Session(engine) as session:
        plans = policy.plan_break_nudges(session, settings, window, datetime.now(UTC))
    return time.perf_counter() - started, len(plans)


async def baseline(origin: str, keys: dict, count: int, settings: Settings) -> float:
    """deliver() alone: prebuilt pushes of a nudge's size, to the same receiver path."""
    payload = {
        "id": 123456,
        "reason": "where_to_go",
        "title": "Où aller pendant la pause",
        "body": "12 personnes côté Zone 3 sont passionnées de Topic 0.",
        "url": "/here",
        "tag": "nudge",
    }
    messages = [
        PushMessage(endpoint=origin + SINK_PATH, p256dh=keys["p256dh"], auth=keys["auth"], payload=payload, ttl=540,
                    ref=i, urgency="normal", topic=scheduler.TOPICS["nudge"])
        for i in range(count)
    ]  # fmt: skip
    started = time.perf_counter()
    outcomes = await deliver(messages, keys=vapid_keys(settings), subject=settings.vapid_subject)
    seconds = time.perf_counter() - started
    assert all(o.status == "delivered" for o in outcomes)
    return seconds


def run(kind: str, count: int, present: int, rendezvous: int, origin: str, keys: dict, receiver: Connection) -> bool:
    def sink_posts() -> int:
        receiver.send("count")
        return receiver.recv()

    print(f"\n{kind}: {count} subscribed attendees in a break, none checked in yet, {PRESENT} present")
    with scratch_database(kind) as url, tempfile.TemporaryDirectory() as data_dir:
        migrate(url)
        settings = Settings(database_url=url, data_dir=Path(data_dir), push_allow_private_endpoints=True,
                            run_scheduler_in_process=False)  # fmt: skip
        engine = make_engine(settings)
        rng = random.Random(7)
        started = time.perf_counter()
        event_id, zone_ids, subscribed = build(engine, rng, count, origin + SINK_PATH, keys)
        print(f"  built in {time.perf_counter() - started:.1f} s")

        before = sink_posts()
        base = asyncio.run(baseline(origin, keys, count, settings))
        assert sink_posts() - before == count
        print(f"  baseline, deliver() alone              {count / base:7.0f} pushes/s   {base:6.2f} s")

        planning, planned = plan_seconds(engine, settings, event_id)
        print(f"  policy alone (read-only)               {planned} nudges planned in {planning:.2f} s")

        before = sink_posts()
        started = time.perf_counter()
        report = scheduler.tick(engine, settings)
        seconds = time.perf_counter() - started
        received = sink_posts() - before
        print(f"  nudge tick: plan, claim, send, record  {count / seconds:7.0f} pushes/s   {seconds:6.2f} s "
              "to the last delivery")  # fmt: skip
        print(f"  {report}; the receiver counted {received}")
        ok = report.delivered == received == count and count / seconds >= TARGET_RATE and seconds <= TARGET_SECONDS
        print(f"  target >= {TARGET_RATE} pushes/s, all within {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}")

        if rendezvous:
            pairs = list(zip(subscribed[: 2 * rendezvous : 2], subscribed[1 : 2 * rendezvous : 2], strict=True))
            next_break_with_rendezvous(engine, event_id, zone_ids, pairs)
            before = sink_posts()
            started = time.perf_counter()
            report = scheduler.tick(engine, settings)
            with_rendezvous = time.perf_counter() - started
            received = sink_posts() - before
            sent = count + 2 * len(pairs)
            print(f"  next break, {len(pairs)} rendezvous     {sent / with_rendezvous:7.0f} pushes/s   "
                  f"{with_rendezvous:6.2f} s to the last delivery ({sent} pushes: {count} nudges, "
                  f"{2 * len(pairs)} reminders)")  # fmt: skip
            print(f"  {report}; the receiver counted {received}")
            kept = (
                report.delivered == count and received == sent and report.rendezvous_reminded == len(pairs)
                and sent / with_rendezvous >= TARGET_RATE and with_rendezvous <= TARGET_SECONDS
            )  # fmt: skip
            print(
                f"  same target with the reminders: {'met' if kept else 'MISSED'}; "
                f"{with_rendezvous / seconds:.2f}x the nudge tick's time for {sent / count:.2f}x its pushes"
            )
            ok = ok and kept

        # The other path: people checked in, each weighed against the people nearby by api.matching.
        check_in(engine, event_id, subscribed[:present], zone_id=zone_ids[0])
        planning, planned = plan_seconds(engine, settings, event_id)
        print(f"  match path: {present} present subscribers weighed in {planning:.2f} s "
              f"({planning / present * 1000:.1f} ms each), {planned} strong enough to nudge")  # fmt: skip
        engine.dispose()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--present", type=int, default=500, help="subscribers checked in for the match path")
    parser.add_argument("--rendezvous", type=int, default=2_000, help="agreed rendezvous at the next break")
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    receiver = multiprocessing.Process(target=serve, args=(theirs,))
    receiver.start()
    try:
        origin, keys = ours.recv()
        results = [
            run(kind, args.attendees, args.present, args.rendezvous, origin, keys, ours) for kind in args.databases
        ]
    finally:
        ours.send("stop")
        receiver.join(timeout=10)
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
