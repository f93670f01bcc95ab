"""Benchmark the organizers' live dashboard on a synthetic event at Web Summit scale, on SQLite and PostgreSQL.

For each database, in one run: builds an event (12 zones, 60 topics, five breaks today) with 70,000
attendees who checked in 5 times each over the day (350,000 check-in records), 20,000 of them present
now with 8 interests each, 40,000 contacts exchanged (80,000 copies) and 100,000 nudges; bulk inserts
(COPY on PostgreSQL). Then times the dashboard service in-process (its own session, as a request has).

    .venv/bin/python -m bench.bench_dashboard                       # both databases
    .venv/bin/python -m bench.bench_dashboard --databases sqlite --attendees 7000 --rounds 5

PostgreSQL: COULOIR_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) names
a server where a scratch database is created, then dropped.
"""

import argparse
import random
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlmodel import Session

from api.agenda.models import AgendaBreak
from api.attendees.models import Attendee, AttendeeInterest
from api.contacts.models import Contact
from api.core.config import Settings
from api.dashboard.service import dashboard
from api.events.models import Event, Topic, Zone
from api.presence.models import CheckInRecord, Presence, PresenceTopic
from api.push.models import Nudge
from bench.bench_matching import app_engine, bulk_insert, migrate, scratch_database

ZONES = 12
TOPICS = 60
CHECK_INS_EACH = 5
PRESENT = 20_000
INTERESTS_EACH = 8
EXCHANGES = 40_000
NUDGES = 100_000


def build(engine, rng: random.Random, attendees: int, now: datetime) -> int:
    """The event, filled; returns its id."""
    day_start = now - timedelta(hours=9)
    with Session(engine) as session:
        event = Event(
            slug="bench",
            name="Bench Summit",
            subject="platform engineering",
            timezone="UTC",
            starts_at=day_start,
            ends_at=now + timedelta(hours=6),
            languages=["en"],
            join_code=secrets.token_hex(4).upper(),
            ticket_price_cents=90000,
            currency="EUR",
        )
        session.add(event)
        session.flush()
        zones = [
            Zone(
                event_id=event.id,
                name=f"Zone {n}",
                kind="coffee",
                checkin_token=secrets.token_urlsafe(16),
                code=f"Z{n:03}",
            )
            for n in range(ZONES)
        ]
        topics = [Topic(event_id=event.id, name=f"Topic {n}", key=f"topic {n}") for n in range(TOPICS)]
        session.add_all(zones + topics)
        breaks = [
            AgendaBreak(
                event_id=event.id,
                label=f"Break {n}",
                starts_at=day_start + timedelta(hours=2 * n),
                ends_at=day_start + timedelta(hours=2 * n, minutes=30),
            )
            for n in range(5)
        ]
        session.add_all(breaks)
        session.commit()
        event_id, zone_ids, topic_ids = event.id, [z.id for z in zones], [t.id for t in topics]
        break_spans = [(b.starts_at, b.ends_at) for b in breaks]

    bulk_insert(
        engine,
        Attendee.__table__,
        [
            "event_id",
            "display_name",
            "headline",
            "company",
            "role",
            "goals",
            "open_to_chat",
            "language",
            "visible",
            "findable_as_speaker",
            "created_at",
        ],
        [(event_id, f"Person {n}", "", "", "attendee", [], True, "en", True, False, now) for n in range(attendees)],
    )
    with engine.connect() as conn:
        ids = list(
            conn.execute(select(Attendee.id).where(Attendee.event_id == event_id).order_by(Attendee.id)).scalars()
        )

    # Check-ins over the day, most in breaks, at minute precision as the service records them.
    records = []
    for attendee_id in ids:
        for _ in range(CHECK_INS_EACH):
            if rng.random() < 0.7:
                starts, ends = rng.choice(break_spans)
                at = starts + timedelta(minutes=rng.randrange(int((ends - starts).total_seconds() // 60)))
            else:
                at = day_start + timedelta(minutes=rng.randrange(9 * 60))
            records.append((event_id, rng.choice(zone_ids), attendee_id, at))
    bulk_insert(engine, CheckInRecord.__table__, ["event_id", "zone_id", "attendee_id", "checked_in_at"], records)

    present = rng.sample(ids, min(PRESENT, len(ids)))
    expires = now + timedelta(minutes=20)
    presence, interests, presence_topics = [], [], []
    for attendee_id in present:
        zone_id = rng.choice(zone_ids)
        presence.append((attendee_id, event_id, zone_id, now - timedelta(minutes=5), expires))
        for topic_id in rng.sample(topic_ids, INTERESTS_EACH):
            interests.append((attendee_id, topic_id))
            presence_topics.append((attendee_id, topic_id, zone_id, expires, 0))
    bulk_insert(
        engine, Presence.__table__, ["attendee_id", "event_id", "zone_id", "checked_in_at", "expires_at"], presence
    )
    bulk_insert(engine, AttendeeInterest.__table__, ["attendee_id", "topic_id"], interests)
    bulk_insert(
        engine, PresenceTopic.__table__, ["attendee_id", "topic_id", "zone_id", "expires_at", "traits"], presence_topics
    )

    pairs = set()
    while len(pairs) < min(EXCHANGES, len(ids) * 2):
        a, b = rng.sample(ids, 2)
        pairs.add((min(a, b), max(a, b)))
    copies = []
    for a, b in pairs:
        met = day_start + timedelta(minutes=rng.randrange(9 * 60))
        copies += [
            (a, b, "x", "", "Bench Summit", [], "qr", met, [], "", False),
            (b, a, "x", "", "Bench Summit", [], "qr", met, [], "", False),
        ]
    bulk_insert(
        engine,
        Contact.__table__,
        [
            "owner_id",
            "other_attendee_id",
            "name",
            "headline",
            "event_name",
            "shared_topics",
            "how",
            "met_at",
            "tags",
            "note",
            "follow_up",
        ],
        copies,
    )

    nudged = rng.sample(ids, min(NUDGES // 2, len(ids)))
    nudges = [
        (
            attendee_id,
            event_id,
            f"break:{n + 1}",
            "match_nearby",
            now.date(),
            1,
            n + 1,
            rng.choice(["delivered", "delivered", "failed"]),
            1,
            now,
            now if rng.random() < 0.4 else None,
        )
        for attendee_id in nudged
        for n in range(2)
    ]
    with engine.begin() as conn:  # plain inserts: COPY of a date column needs no special care either way
        conn.execute(
            insert(Nudge.__table__),
            [
                dict(
                    zip(
                        [
                            "attendee_id",
                            "event_id",
                            "break_key",
                            "reason",
                            "day",
                            "break_slot",
                            "day_slot",
                            "status",
                            "attempts",
                            "created_at",
                            "opened_at",
                        ],
                        row,
                        strict=True,
                    )
                )
                for row in nudges
            ],
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")  # as autovacuum does after such a load
    return event_id


def run(kind: str, attendees: int, rounds: int) -> None:
    with scratch_database(kind) as url:
        migrate(url)
        engine = app_engine(url)
        started = time.perf_counter()
        event_id = build(engine, random.Random(7), attendees, datetime.now(UTC))
        print(f"{kind}: built {attendees:,} attendees in {time.perf_counter() - started:.0f} s", flush=True)
        settings = Settings(database_url=url, data_dir=Path("/tmp"))
        samples = []
        for _ in range(rounds):
            with Session(engine) as session:
                event = session.get(Event, event_id)
                started = time.perf_counter()
                picture = dashboard(session, settings, event)
                samples.append(time.perf_counter() - started)
        print(
            f"{kind}: dashboard over {rounds} calls: median {statistics.median(samples) * 1000:.0f} ms, "
            f"max {max(samples) * 1000:.0f} ms; attendees {picture.kpis.attendees}, contacts made "
            f"{picture.kpis.contacts_made}, nudges sent {picture.nudges.sent}, huddles now {picture.huddles.now}, "
            f"peak cell {max(c for r in picture.heatmap.rows for c in r.people if isinstance(c, int))}",
            flush=True,
        )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--attendees", type=int, default=70_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    for kind in args.databases:
        run(kind, args.attendees, args.rounds)


if __name__ == "__main__":
    main()
