"""Benchmark suggestions and check-in on a synthetic event at Web Summit scale, on SQLite and PostgreSQL.

For each database, in one run:
1. builds an event (300 topics, 12 zones, talks around now, a break under way) with 7,000 registered
   attendees, 5,000 of them present and visible in one zone, ~10 interests each (popular topics are
   more common, as at a real event); bulk inserts (COPY on PostgreSQL);
2. suggestion latency in-process (the service call with its own session), at 7,000 registered;
3. adds 63,000 registered but absent attendees (70,000) and measures again: it must not grow;
4. starts the API in its own process (`couloir serve`) and measures suggestion latency over HTTP;
5. check-in throughput under concurrent clients (--concurrency: 16, then 64), next to the throughput of
   GET /api/health (the cheapest endpoint of the same server) measured in the same run: their ratio is the
   figure. Both are measured in alternating rounds (--rounds, 5), each reported as its median and range,
   with the CPU the server (and PostgreSQL) used per request.

Targets on a 2-core machine: suggestions p95 <= 15 ms in-process and <= 30 ms over HTTP; check-in
throughput >= 50 % of the no-op's, and >= 600 check-ins/s on PostgreSQL. The server runs as deployed: one
process on SQLite, one per core on PostgreSQL; the load comes from a light socket client in this process.

    .venv/bin/python -m bench.bench_matching                        # both databases, about 5 minutes
    .venv/bin/python -m bench.bench_matching --databases sqlite --requests 200 --checkins 1000

PostgreSQL: COULOIR_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) names
a server where a scratch database is created, then dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from alembic import command
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.agenda.models import AgendaBreak, Talk, TalkSpeaker, TalkTopic
from api.attendees.models import Attendee, AttendeeInterest
from api.auth.models import RefreshSession
from api.cli import alembic_config
from api.core.security import TokenClaims, issue_token
from api.events.models import Event, Topic, Zone, ZoneNeighbour
from api.matching.service import suggestions_for, topic_rarity
from api.presence.models import Presence, PresenceTopic, traits_of
from tests.conftest import fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ISSUER = "couloir"
GOALS = ["learn", "hire", "get_hired", "find_clients", "find_investors", "meet_speakers", "partner"]
ZONES = 12
MAIN_ZONE = 0  # where the crowd is: its neighbours are zones 1 and 2
IN_PROCESS_CHECKINS = 520  # 20 to warm up, 500 measured


@dataclass
class Built:
    event_id: int
    zone_ids: list[int]
    zone_tokens: list[str]
    present_ids: list[int]
    absent_ids: list[int] = field(default_factory=list)


@dataclass
class Figures:
    rows: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, value: str) -> None:
        self.rows[label] = value
        print(f"  {label:<58} {value}", flush=True)


def rate_range(values: list[float], form: str) -> str:
    """The median, then the lowest and highest: `1,234 req/s (1,100 to 1,300)`."""
    low, high = form.format(min(values)).split()[0], form.format(max(values)).split()[0]
    return f"{form.format(statistics.median(values))} ({low} to {high})"


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def fmt(p: tuple[float, float, float]) -> str:
    return f"p50 {p[0]:5.1f} ms   p95 {p[1]:5.1f} ms   p99 {p[2]:5.1f} ms"


# Databases ------------------------------------------------------------------------------------------


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    yield from fresh_postgres_database(os.environ.get("COULOIR_BENCH_DATABASE_URL", DEFAULT_PG))


def migrate(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    engine.dispose()


def app_engine(url: str) -> Engine:
    from api.core.config import Settings
    from api.core.db import make_engine

    return make_engine(Settings(database_url=url, data_dir=Path(tempfile.gettempdir())))


# Data -------------------------------------------------------------------------------------------------


def bulk_insert(engine: Engine, table, columns: list[str], rows: list[tuple]) -> None:
    """COPY on PostgreSQL (the fast path), executemany on SQLite."""
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([json.dumps(v) if isinstance(v, list) else v for v in row])
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as conn:
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def add_attendees(
    engine: Engine, rng: random.Random, event_id: int, topic_ids: list[int], weights: list[float], count: int, tag: str
) -> list[int]:
    """`count` attendees with ~10 interests each; returns their ids."""
    now = datetime.now(UTC)
    columns = ["event_id", "display_name", "headline", "company", "role", "goals", "open_to_chat", "language",
               "visible", "findable_as_speaker", "created_at", "email"]  # fmt: skip
    rows = [
        (
            event_id, f"Attendee {tag}{n}", "Engineer", "Acme", "speaker" if n % 500 == 0 else "attendee",
            rng.sample(GOALS, rng.randint(1, 3)), rng.random() < 0.8, rng.choice(["fr", "en"]),
            True, n % 500 == 0, now, f"{tag}{n}@bench.example",
        )
        for n in range(count)
    ]  # fmt: skip
    bulk_insert(engine, Attendee.__table__, columns, rows)
    with engine.connect() as conn:
        ids = list(
            conn.execute(
                select(Attendee.id)
                .where(Attendee.event_id == event_id, Attendee.email.like(f"{tag}%@bench.example"))
                .order_by(Attendee.id)
            ).scalars()
        )
    interests = []
    for attendee_id in ids:
        chosen = set(rng.choices(topic_ids, weights=weights, k=rng.randint(8, 12)))
        interests.extend((attendee_id, t) for t in chosen)
    bulk_insert(engine, AttendeeInterest.__table__, ["attendee_id", "topic_id"], interests)
    # Each signed in on a phone: the session its access token names (`token_for`), as joining opens one.
    bulk_insert(
        engine,
        RefreshSession.__table__,
        ["id", "refresh_jti", "attendee_id", "expires_at", "created_at"],
        [(session_of(a), session_of(a), a, now + timedelta(days=1), now) for a in ids],
    )
    return ids


def session_of(attendee_id: int) -> str:
    """The id of a bench attendee's signed-in session (see `add_attendees`)."""
    return f"{attendee_id:032x}"


def add_absent(engine: Engine, rng: random.Random, built: Built, count: int, tag: str) -> list[int]:
    """`count` more attendees of the event, registered but absent, with interests drawn as `build` draws them;
    the tables analysed after. Returns their ids."""
    with engine.connect() as conn:
        topic_ids = list(conn.execute(select(Topic.id).where(Topic.event_id == built.event_id)).scalars())
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(topic_ids))]
    ids = add_attendees(engine, rng, built.event_id, topic_ids, weights, count, tag)
    analyze(engine)
    return ids


def build(engine: Engine, rng: random.Random, registered: int, present: int, topics: int) -> Built:
    now = datetime.now(UTC)
    with Session(engine) as session:
        event = Event(
            slug="bench", name="Bench Summit", subject="software", timezone="Europe/Lisbon",
            starts_at=now - timedelta(hours=3), ends_at=now + timedelta(hours=10), languages=["en", "fr"],
            join_code="BENCH123",
        )  # fmt: skip
        session.add(event)
        session.flush()
        zones = [
            Zone(event_id=event.id, name=f"Zone {i}", kind="coffee" if i == MAIN_ZONE else "hallway",
                 checkin_token=secrets.token_urlsafe(32), code=f"Z{i:02d}")
            for i in range(ZONES)
        ]  # fmt: skip
        session.add_all(zones)
        session.flush()
        for a, b in [(0, 1), (0, 2), (1, 3), (2, 4)]:
            session.add_all([ZoneNeighbour(zone_id=zones[a].id, neighbour_id=zones[b].id),
                             ZoneNeighbour(zone_id=zones[b].id, neighbour_id=zones[a].id)])  # fmt: skip
        topic_rows = [Topic(event_id=event.id, name=f"Topic {i}", key=f"topic {i}") for i in range(topics)]
        session.add_all(topic_rows)
        # A long break under way: presences and check-ins last until its end.
        session.add(AgendaBreak(event_id=event.id, label="Lunch", starts_at=now - timedelta(minutes=10),
                                ends_at=now + timedelta(hours=2)))  # fmt: skip
        session.commit()
        event_id, zone_ids = event.id, [z.id for z in zones]
        zone_tokens = [z.checkin_token for z in zones]
        topic_ids = [t.id for t in topic_rows]
    # Popularity falls off with rank, as at a real event: a few topics everyone follows, a long tail.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(topics)]
    ids = add_attendees(engine, rng, event_id, topic_ids, weights, registered, "r")
    present_ids = ids[:present]
    expires = now + timedelta(hours=2)
    bulk_insert(
        engine,
        Presence.__table__,
        ["attendee_id", "event_id", "zone_id", "checked_in_at", "expires_at"],
        [(a, event_id, zone_ids[MAIN_ZONE], now, expires) for a in present_ids],
    )
    index_present_topics(engine, present_ids, zone_ids[MAIN_ZONE], expires)
    add_talks(engine, rng, event_id, topic_ids, present_ids, now)
    analyze(engine)
    return Built(event_id, zone_ids, zone_tokens, present_ids, ids[present:])


def index_present_topics(engine: Engine, present_ids: list[int], zone_id: int, expires: datetime) -> None:
    """The PresenceTopic rows a check-in writes (api.presence.service.place), in bulk."""
    with engine.connect() as conn:
        people = conn.execute(
            select(
                Attendee.id, Attendee.goals, Attendee.role, Attendee.open_to_chat, Attendee.findable_as_speaker
            ).where(Attendee.id.in_(present_ids))
        ).all()
        interests = conn.execute(
            select(AttendeeInterest.attendee_id, AttendeeInterest.topic_id).where(
                AttendeeInterest.attendee_id.in_(present_ids)
            )
        ).all()
    traits = {
        a: traits_of(goals=goals, role=role, open_to_chat=chat, findable_as_speaker=findable, vouched=True)
        for a, goals, role, chat, findable in people
    }
    bulk_insert(
        engine,
        PresenceTopic.__table__,
        ["attendee_id", "topic_id", "zone_id", "expires_at", "traits"],
        [(a, t, zone_id, expires, traits[a]) for a, t in interests],
    )


def add_talks(engine: Engine, rng: random.Random, event_id: int, topic_ids, speaker_ids, now: datetime) -> None:
    with Session(engine) as session:
        for n in range(20):
            start = now + timedelta(minutes=45 * (n // 4) - 90)
            talk = Talk(event_id=event_id, title=f"Talk {n}", room=f"Room {n % 4}", starts_at=start,
                        ends_at=start + timedelta(minutes=40))  # fmt: skip
            session.add(talk)
            session.flush()
            session.add_all(TalkTopic(talk_id=talk.id, topic_id=t) for t in rng.sample(topic_ids[:60], 2))
            # Every 500th attendee is a speaker who opted in to be found (see add_attendees).
            session.add(TalkSpeaker(talk_id=talk.id, attendee_id=speaker_ids[(n * 500) % len(speaker_ids)]))
        session.commit()


def analyze(engine: Engine) -> None:
    """Planner statistics (and on PostgreSQL the visibility map), as autovacuum keeps them on a live server."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


# Measurements -----------------------------------------------------------------------------------------


def in_process(engine: Engine, event_id: int, callers: list[int], requests: int) -> tuple[list[float], int]:
    samples, shown = [], 0
    for n in range(requests):
        started = time.perf_counter()
        with Session(engine) as session:
            caller = callers[n % len(callers)]
            result = suggestions_for(session, caller, event_id, session_id=session_of(caller), limit=5)
        samples.append(time.perf_counter() - started)
        shown += len(result.suggestions)
    return samples, shown


def suggestion_cost(engine: Engine, event_id: int, callers: list[int], requests: int) -> tuple[float, float]:
    """(CPU ms, SQL statements) per suggestions call in-process, the caller's own lookup included. CPU time,
    unlike latency, barely moves when other work loads the machine."""
    statements = 0

    def count(*_) -> None:
        nonlocal statements
        statements += 1

    in_process(engine, event_id, callers, 20)  # warm
    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    started = time.process_time()
    in_process(engine, event_id, callers, requests)
    cpu = (time.process_time() - started) * 1000 / requests
    sqlalchemy_event.remove(engine, "before_cursor_execute", count)
    return cpu, statements / requests


def rarity_cold(engine: Engine, event_id: int) -> float:
    """The once-a-minute cost of topic rarity, the one part that reads every registration."""
    from api.matching import service

    service._rarity_cache.clear()
    with Session(engine) as session:
        event = session.get(Event, event_id)
        started = time.perf_counter()
        topic_rarity(session, event)
        return (time.perf_counter() - started) * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def api_server(url: str, secret: str, workers: int) -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = os.environ | {
            "COULOIR_DATABASE_URL": url,
            "COULOIR_DATA_DIR": data_dir,
            "COULOIR_SECRET_KEY": secret,
            "COULOIR_ENVIRONMENT": "production",
            "COULOIR_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            # Nudge planning is not what is measured here, and would compete for the same CPU.
            "COULOIR_RUN_SCHEDULER_IN_PROCESS": "false",
            "COULOIR_LOG_LEVEL": "WARNING",  # no line per request: the figures are the API's, not the log's
            # One address sends for a whole venue, faster than a break: counted as deployed, never refused.
            "COULOIR_CHECKIN_RATE_PER_IP": "[1000000, 60]",
            # A fixed set of clients never sends more than it has connections, so no line grows without end:
            # reads wait for a slot here. Shedding them (503 Overloaded, api/core/limits.py) is what it is for
            # on a loaded machine, but a refused no-op is not a no-op measured.
            "COULOIR_QUEUE_WAIT_MS": "60000",
            # This checkout's `api` unless told otherwise (bench_ab's baseline): the virtualenv's own install may
            # be another checkout's, as in a git worktree, and `couloir` would import that one.
            "PYTHONPATH": os.environ.get("PYTHONPATH") or str(ROOT),
        }
        # As deployed: `couloir serve`, its keep-alive, its worker processes (api/core/serving.py).
        command_line = [Path(sys.executable).parent / "couloir", "serve", "--host", "127.0.0.1", "--port", str(port),
                        "--workers", str(workers)]  # fmt: skip
        server = subprocess.Popen(command_line, env=env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        # Stopped by `timeout` or kill: unwind (stop the server, drop the scratch database), or the
        # server lives on and loads the machine under the next run.
        stopped = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        try:
            deadline = time.monotonic() + 300  # a loaded machine starts it slowly (import alone took 16 s at load 17)
            while True:
                try:
                    if httpx.get(f"{base}/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the API server did not start")
                time.sleep(0.1)
            yield base
        finally:
            signal.signal(signal.SIGTERM, stopped)
            server.terminate()
            server.wait(timeout=30)


def token_for(secret: str, attendee_id: int, event_id: int) -> str:
    token, _ = issue_token(kind="access", subject_kind="attendee", subject_id=attendee_id, event_id=event_id,
                           session_id=session_of(attendee_id), key=secret, issuer=ISSUER,
                           lifetime=timedelta(hours=2))  # fmt: skip
    return token


def checkin_requests(base: str, secret: str, built: Built, attendee_ids, rng: random.Random) -> list[tuple]:
    """A check-in at a zone of the event for each of `attendee_ids`, each with its own Idempotency-Key, as
    `throughput` sends them."""
    return [
        ("POST", "/api/me/check-ins", {"token": f"{base}/z/{rng.choice(built.zone_tokens)}"},
         {"Authorization": f"Bearer {token_for(secret, a, built.event_id)}", "Idempotency-Key": uuid.uuid4().hex})
        for a in attendee_ids
    ]  # fmt: skip


def over_http(base: str, tokens: list[str], requests: int) -> list[float]:
    samples = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for n in range(requests + 20):
            started = time.perf_counter()
            response = client.get("/api/me/suggestions", headers={"Authorization": f"Bearer {tokens[n % len(tokens)]}"})
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            if n >= 20:  # the first requests warm the server's connections and rarity cache
                samples.append(elapsed)
    return samples


def http_request(base: str, method: str, path: str, body: dict | None, headers: dict) -> bytes:
    """One HTTP/1.1 keep-alive request, encoded once before the clock starts."""
    host = base.removeprefix("http://")
    content = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(content)}"]
    if body is not None:
        lines.append("Content-Type: application/json")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + content


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")),
        None,
    )
    if length is None:
        raise SystemExit(f"a response without Content-Length: {head!r}")
    return status, await reader.readexactly(length)


async def throughput(base: str, requests: list[tuple[str, str, dict | None, dict]], concurrency: int) -> float:
    """Requests per second for (method, path, json, headers) requests sent by `concurrency` keep-alive clients.

    A plain socket client, not httpx: httpx spends about 2 ms of CPU per request, more than the no-op
    endpoint itself, and on 2 cores that starves the server it measures. Connections open before the clock.
    """
    pending = iter([http_request(base, *request) for request in requests])
    host, port = base.removeprefix("http://").rsplit(":", 1)
    connections = [await asyncio.open_connection(host, int(port)) for _ in range(concurrency)]

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for request in pending:  # one iterator shared by every client: each request is sent once
            writer.write(request)
            status, content = await read_response(reader)
            if status >= 300:
                raise SystemExit(f"{request.split(b' ', 2)[:2]}: {status} {content[:500]!r}")

    started = time.perf_counter()
    try:
        async with asyncio.TaskGroup() as group:
            for reader, writer in connections:
                group.create_task(client(reader, writer))
        return len(requests) / (time.perf_counter() - started)
    finally:
        for _, writer in connections:
            writer.close()


def _processes() -> Iterator[tuple[int, int, str, str]]:
    """(pid, parent pid, name, command line) of every process this user can see (Linux /proc)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command_line = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        yield int(entry), int(fields[1]), name, command_line


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes `pids` used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def serving_processes(base: str) -> list[int]:
    """The API server listening at `base` and its workers, and the PostgreSQL server's processes (none on
    SQLite): where a request's CPU goes."""
    processes = list(_processes())
    port = base.rsplit(":", 1)[1]
    servers = {pid for pid, _, _, command in processes if " serve " in command and f" --port {port} " in command}
    return [pid for pid, parent, name, _ in processes if pid in servers or parent in servers or name == "postgres"]


def measure_in_process(
    figures: Figures, engine: Engine, built: Built, callers: list[int], args: argparse.Namespace, registered: int
) -> tuple[tuple[float, float, float], int]:
    in_process(engine, built.event_id, callers, 20)  # warm: connections, statement caches, rarity cache
    samples, shown = in_process(engine, built.event_id, callers, args.requests)
    figures.add(f"suggestions in-process, {registered:,} registered", fmt(percentiles(samples)))
    cpu, statements = suggestion_cost(engine, built.event_id, callers, args.requests)
    figures.add(
        f"suggestions in-process, {registered:,} registered: CPU / SQL statements", f"{cpu:.2f} ms / {statements:.1f}"
    )
    cold = rarity_cold(engine, built.event_id)
    figures.add(f"rarity refresh (once a minute), {registered:,} registered", f"{cold:.0f} ms")
    return percentiles(samples), shown


def checkin_cost(engine: Engine, url: str, built: Built, attendee_ids: list[int]) -> tuple[float, float]:
    """(CPU ms, SQL statements) per check-in, in-process: what the route does, without HTTP. Unlike
    throughput, CPU time barely moves when other work loads the machine."""
    from api.core.config import Settings
    from api.presence.groups import CheckInRequest, serve_check_ins
    from api.presence.routes import CHECK_IN_RATE
    from api.presence.schemas import CheckIn

    limit = (10**9, 60)  # counted as the route does, never reached
    settings = Settings(database_url=url, data_dir=Path(tempfile.gettempdir()), checkin_rate_per_ip=limit,
                        checkin_rate_per_attendee=limit)  # fmt: skip
    statements = 0

    def count(*_) -> None:
        nonlocal statements
        statements += 1

    def one(attendee_id: int, token: str) -> None:
        # As the route does (api/presence/routes.py): a group of one, rate-limit hits included.
        claims = TokenClaims(kind="access", subject_kind="attendee", subject_id=attendee_id, jti="bench",
                             session_id=session_of(attendee_id), expires_at=datetime.now(UTC) + timedelta(hours=1),
                             event_id=built.event_id)  # fmt: skip
        counted = CHECK_IN_RATE.counters(settings, claims, "127.0.0.1")
        request = CheckInRequest(claims, uuid.uuid4().hex, CheckIn(token=token), counted)
        [outcome] = serve_check_ins(engine, settings, [request])
        if isinstance(outcome, Exception):
            raise outcome

    warm, measured = attendee_ids[:20], attendee_ids[20:]
    for attendee_id in warm:
        one(attendee_id, built.zone_tokens[MAIN_ZONE])
    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    started = time.process_time()
    for n, attendee_id in enumerate(measured):
        one(attendee_id, built.zone_tokens[n % ZONES])
    cpu = (time.process_time() - started) * 1000 / len(measured)
    sqlalchemy_event.remove(engine, "before_cursor_execute", count)
    return cpu, statements / len(measured)


def throughput_and_cpu(base: str, requests: list, clients: int, serving: list[int]) -> tuple[float, float]:
    """`throughput`, and the CPU milliseconds the processes `serving` used per request meanwhile."""
    used = cpu_seconds(serving)
    rate = asyncio.run(throughput(base, requests, clients))
    return rate, (cpu_seconds(serving) - used) * 1000 / len(requests)


def compare_throughput(figures: Figures, base: str, checkins: list, clients: int, rounds: int) -> None:
    """Check-ins (new people, each once) against the no-op, with `clients` keep-alive clients.

    A single throughput run moved by ±30 % between runs of the same code: the no-op and the check-ins
    alternate for a few rounds, and each figure is the median with the range. The CPU the server (and
    PostgreSQL's processes) used per request moves much less with whatever else the machine runs.
    """
    noops = [("GET", "/api/health", None, {})] * (len(checkins) // rounds)
    asyncio.run(throughput(base, noops[:200], clients))  # warm
    serving = serving_processes(base)
    rates: dict[str, list[float]] = {"noop": [], "checkin": []}
    cpu: dict[str, list[float]] = {"noop": [], "checkin": []}
    for n in range(rounds):
        for kind, requests in (("noop", noops), ("checkin", checkins[n::rounds])):
            rate, used = throughput_and_cpu(base, requests, clients, serving)
            rates[kind].append(rate)
            cpu[kind].append(used)
    ratios = [checkin / noop for checkin, noop in zip(rates["checkin"], rates["noop"], strict=True)]
    cpu_ratios = [noop / checkin for checkin, noop in zip(cpu["checkin"], cpu["noop"], strict=True)]
    median = f"{clients} clients, median of {rounds} (range)"
    figures.add(f"no-op GET /api/health, {median}", rate_range(rates["noop"], "{:,.0f} req/s"))
    figures.add(f"check-ins, {median}", rate_range(rates["checkin"], "{:,.0f} req/s"))
    figures.add(f"check-in / no-op throughput, {clients} clients, per round", rate_range(ratios, "{:.0%}"))
    server = "server (+ PostgreSQL)"
    figures.add(f"CPU per no-op, {server}, {clients} clients", rate_range(cpu["noop"], "{:.2f} ms"))
    figures.add(f"CPU per check-in, {server}, {clients} clients", rate_range(cpu["checkin"], "{:.2f} ms"))
    figures.add(f"no-op CPU / check-in CPU, {clients} clients, per round", rate_range(cpu_ratios, "{:.0%}"))


def run(kind: str, args: argparse.Namespace) -> Figures:
    print(f"\n== {kind}", flush=True)
    figures = Figures()
    load_before = os.getloadavg()[0]
    rng = random.Random(2026)
    with scratch_database(kind) as url:
        migrate(url)
        engine = app_engine(url)
        started = time.perf_counter()
        built = build(engine, rng, args.small, args.present, args.topics)
        elapsed = time.perf_counter() - started
        figures.add(f"build {args.small:,} registered, {args.present:,} present", f"{elapsed:.1f} s")
        callers = rng.sample(built.present_ids, min(len(built.present_ids), 500))
        small, _ = measure_in_process(figures, engine, built, callers, args, args.small)

        started = time.perf_counter()
        absent = args.registered - args.small
        built.absent_ids += add_absent(engine, rng, built, absent, "x")
        figures.add(f"add {absent:,} absent attendees", f"{time.perf_counter() - started:.1f} s")
        large, shown = measure_in_process(figures, engine, built, callers, args, args.registered)
        figures.add(f"p95 at {args.registered:,} / p95 at {args.small:,} registered", f"{large[1] / small[1]:.2f}x")
        figures.add("suggestions per answer (mean)", f"{shown / args.requests:.1f}")
        # Attendees apart from those the HTTP check-ins below use.
        cpu, statements = checkin_cost(engine, url, built, built.absent_ids[-IN_PROCESS_CHECKINS:])
        figures.add("check-in in-process: CPU per check-in / SQL statements", f"{cpu:.2f} ms / {statements:.0f}")
        engine.dispose()

        secret = secrets.token_urlsafe(48)
        # As deployed (README): one process on SQLite, a process per core against PostgreSQL. The no-op
        # endpoint runs on the same server, so the ratio compares like with like.
        workers = args.workers or (1 if kind == "sqlite" else os.cpu_count() or 1)
        figures.add("API server processes (couloir serve --workers)", str(workers))
        with api_server(url, secret, workers) as base:
            tokens = [token_for(secret, a, built.event_id) for a in callers]
            latency = fmt(percentiles(over_http(base, tokens, args.requests)))
            figures.add(f"suggestions over HTTP, {args.registered:,} registered", latency)
            concurrencies = [int(clients) for clients in args.concurrency.split(",")]
            checkins_each = args.checkins * args.rounds
            people = rng.sample(built.absent_ids[:-IN_PROCESS_CHECKINS], checkins_each * len(concurrencies))
            for n, clients in enumerate(concurrencies):
                checkins = checkin_requests(base, secret, built, people[n :: len(concurrencies)], rng)
                compare_throughput(figures, base, checkins, clients, args.rounds)
    # Other work on the machine skews every figure: say how busy it was.
    figures.add("machine load average (1 min) before / after", f"{load_before:.1f} / {os.getloadavg()[0]:.1f}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--registered", type=int, default=70_000)
    parser.add_argument("--small", type=int, default=7_000, help="registered attendees for the first measure")
    parser.add_argument("--present", type=int, default=5_000)
    parser.add_argument("--topics", type=int, default=300)
    parser.add_argument("--requests", type=int, default=500, help="suggestion requests per measure")
    parser.add_argument("--checkins", type=int, default=5_000)
    parser.add_argument(
        "--concurrency", default="16,64", help="comma-separated: keep-alive clients of each throughput comparison"
    )
    parser.add_argument("--rounds", type=int, default=5, help="throughput rounds (no-op, then check-ins)")
    parser.add_argument(
        "--workers", type=int, help="API server processes (default: 1 on SQLite, one per core on PostgreSQL)"
    )
    args = parser.parse_args()
    results = {kind: run(kind, args) for kind in args.databases.split(",")}
    print("\n| measure | " + " | ".join(results) + " |")
    print("| --- | " + " | ".join("---" for _ in results) + " |")
    for label in next(iter(results.values())).rows:
        print(f"| {label} | " + " | ".join(r.rows.get(label, "") for r in results.values()) + " |")


if __name__ == "__main__":
    main()
