"""Load test: a whole break at a 10,000-attendee event, over HTTP, on PostgreSQL.

Every attendee checks in at a zone within the first two minutes of the break (arrival times spread
uniformly), looks at their suggestions at once, then again at the PWA's pace until the break ends; a phone
does exactly that on the Nearby screen. The event is seeded in bulk (COPY): 300 topics, 12 zones,
~10 interests per attendee, a break starting now. The API runs as its own uvicorn process(es), the
load comes from this process (asyncio over plain sockets).

Why not locust: the break is a fixed schedule, 10,000 phones arriving whatever the server does, each
with one request out at a time; the figure that matters is the time from when a phone wants to send to
its answer, waiting included. A plain asyncio driver replays that schedule with no new dependency, and
reports how late it woke up to send (driver lag): if that lag is large, the driver or the machine was
the limit, not the API.

Phones behave as the PWA does: each suggestions call after the first sends the ETag of the last answer in
If-None-Match (304: unchanged); the next call comes 30 s later, stretched to 45 then 60 s while the answers are
unchanged, and after a refusal (503 with Retry-After) or an error backs off, doubling from 30 s up to 5 minutes,
never before Retry-After, with jitter (pwa/src/features/here/useLiveRefresh.ts and pwa/src/offline/backoff.ts);
a check-in refused is sent again with its Idempotency-Key after Retry-After plus jitter, as the phone's
outbox does, until acknowledged.

Prints, first, the no-op capacity of the server measured (GET /api/health with 8 keep-alive clients, and
its CPU per request, before and after the break): how fast this machine was that day. Then per request
kind: count, refused at once (503), errors, throughput, p50/p95/p99 latency of the answers (from when the
phone meant to send to the answer, so waiting for one of the shared connections counts), the longest any
request waited, and the driver's lag; and the server's CPU (API processes and PostgreSQL) per
attendee-minute of the break. A phone that waits 30 s gives up: an error. Targets: on a fast day, 0 errors
and p95 <= 200 ms for everything; on a slow one, every check-in acknowledged, nothing waiting longer than
2 s, check-ins p95 <= 200 ms, suggestions answered p95 <= 200 ms or refused at once.

    .venv/bin/python -m bench.bench_break                              # 10,000 attendees, 15-minute break
    .venv/bin/python -m bench.bench_break --attendees 2000 --minutes 1 # shortened
    .venv/bin/python -m bench.bench_break --minutes 3 --burn 2         # a slow day: 2 CPU burners beside
    .venv/bin/python -m bench.bench_break --minutes 3 --baseline 8c8c01f   # a git revision's server instead
    .venv/bin/python -m bench.bench_break --attendees 20000 --registered 70000 --minutes 3  # Web Summit scale

PostgreSQL: COULOIR_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) names
a server where a scratch database is created, then dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import secrets
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.agenda.models import AgendaBreak
from api.events.models import Event, Topic, Zone
from bench.bench_ab import baseline_tree, server_importing
from bench.bench_matching import (
    add_attendees,
    analyze,
    app_engine,
    cpu_seconds,
    http_request,
    migrate,
    scratch_database,
    serving_processes,
    throughput_and_cpu,
    token_for,
)

ZONES = 12
POLL_SECONDS = 30
MAX_BACKOFF_SECONDS = 300
GIVE_UP_SECONDS = 30  # a phone waiting longer for its answer gives up: counted as an error (TimeoutError)
TARGET_P95_MS = 200
LONGEST_WAIT_MS = 2000  # on a slow day, nothing waits longer, refused or answered
# The no-op with as many clients as one process has request slots: none of them is ever refused for lack of one.
NOOP_REQUESTS, NOOP_CLIENTS = 3000, 8


@dataclass
class Seeded:
    event_id: int
    zone_tokens: list[str]
    attendee_ids: list[int]


@dataclass
class Kind:
    """What one kind of request did: latencies of its answers, of its refusals, and how each failed one failed."""

    latencies: list[float] = field(default_factory=list)
    unchanged: int = 0  # answers that were 304 Not Modified
    refused: list[float] = field(default_factory=list)  # how long a 503's refusal took
    retried: int = 0  # check-ins acknowledged after one or more refusals
    errors: Counter[str] = field(default_factory=Counter)
    # How late the driver woke up to send, after its scheduled time: large lags mean the driver (or the
    # machine) was the limit, and the latencies measure it rather than the API.
    lags: list[float] = field(default_factory=list)
    # How long a request waited for one of the shared connections before it was sent (in its latency): a
    # wait the server cannot see, let alone refuse, so long waits here say the server answered too slowly.
    connection_waits: list[float] = field(default_factory=list)


def seed(engine: Engine, rng: random.Random, attendees: int, topics: int, minutes: float, registered: int) -> Seeded:
    """The event, its zones and topics, a break starting now, `attendees` people in bulk who will come, and
    as many more registered but absent as make `registered` in all."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        event = Event(slug="break-bench", name="Break Bench", subject="software", timezone="Europe/Paris",
                      starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=8), languages=["en", "fr"],
                      join_code="BREAK123")  # fmt: skip
        session.add(event)
        session.flush()
        zones = [Zone(event_id=event.id, name=f"Zone {i}", kind="coffee" if i < 3 else "hallway",
                      checkin_token=secrets.token_urlsafe(32), code=f"B{i:02d}") for i in range(ZONES)]  # fmt: skip
        topic_rows = [Topic(event_id=event.id, name=f"Topic {i}", key=f"topic {i}") for i in range(topics)]
        session.add_all([*zones, *topic_rows])
        session.add(AgendaBreak(event_id=event.id, label="Coffee break", starts_at=now,
                                ends_at=now + timedelta(minutes=minutes + 5)))  # fmt: skip
        session.commit()
        event_id, zone_tokens, topic_ids = event.id, [z.checkin_token for z in zones], [t.id for t in topic_rows]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(topics)]  # a few topics everyone follows, a long tail
    ids = add_attendees(engine, rng, event_id, topic_ids, weights, attendees, "b")
    if registered > attendees:
        add_attendees(engine, rng, event_id, topic_ids, weights, registered - attendees, "absent")
    analyze(engine)
    return Seeded(event_id, zone_tokens, ids)


class Connections:
    """HTTP/1.1 keep-alive connections the phones share, one request out on each at a time.

    Plain sockets, not httpx: httpx spent about 2 ms of CPU per request in this process, on the same two
    cores as the server it measured (the earlier runs' driver took most of a core). A request waits for a
    free connection as a phone behind a busy server would: that wait counts in its latency.
    """

    def __init__(self, base: str, size: int):
        self.host, port = base.removeprefix("http://").rsplit(":", 1)
        self.port = int(port)
        self.size = size
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
        self.replacing: set[asyncio.Future] = set()

    async def open(self) -> None:
        for _ in range(self.size):
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))

    async def request(self, raw: bytes, waits: list[float]) -> tuple[int, dict[str, str]]:
        asked = time.perf_counter()
        reader, writer = await self.idle.get()
        waits.append(time.perf_counter() - asked)
        try:
            writer.write(raw)
            status, headers = await read_response(reader)
        except BaseException:  # broken, or given up on (a timeout): its answer may still come, so drop it
            writer.close()
            # A fresh connection replaces it, so the pool keeps its size; the caller counts the error.
            self.replacing.add(task := asyncio.ensure_future(self._replace()))
            task.add_done_callback(self.replacing.discard)
            raise
        self.idle.put_nowait((reader, writer))
        return status, headers

    async def _replace(self) -> None:
        self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))

    def close(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait()[1].close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    """The status and headers of one response, its body read and dropped (a 304 has none)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {
        name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:] if line)
    }
    length = int(headers.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    elif status != 304 and "content-length" not in headers:
        raise SystemExit(f"a response without Content-Length: {head!r}")
    return status, headers


async def break_load(base: str, tokens: list[str], zone_urls: list[str], args: argparse.Namespace) -> dict[str, Kind]:
    rng = random.Random(8)
    kinds = {"check-in": Kind(), "suggestions": Kind()}
    # The coffee bars draw the crowd: the first three zones get most arrivals.
    zone_weights = [6, 4, 3] + [1] * (len(zone_urls) - 3)
    connections = Connections(base, args.connections)
    await connections.open()
    loop = asyncio.get_running_loop()
    start = loop.time() + 1.0
    end = start + args.minutes * 60
    arrival_window = min(args.checkin_minutes, args.minutes) * 60

    async def send(
        kind: str, scheduled: float, raw: bytes, first_sent: float | None = None
    ) -> tuple[int, dict[str, str]] | None:
        """One request, at its time or at once if it is late; its answer's status and headers (a suggestions call
        refused: 503), or None if it failed.
        A refused check-in goes again after Retry-After (and jitter) with its Idempotency-Key, until answered;
        its latency runs from its first send."""
        # A phone has one request out at a time: one due while its previous answer was awaited leaves at once.
        due = max(scheduled, loop.time())
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        record = kinds[kind]
        record.lags.append(loop.time() - due)
        began = due if first_sent is None else first_sent
        try:
            status, headers = await asyncio.wait_for(
                connections.request(raw, record.connection_waits), timeout=GIVE_UP_SECONDS
            )
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            record.errors[type(exc).__name__] += 1
            return None
        if status == 503 and "retry-after" in headers:
            record.refused.append(loop.time() - due)
            if kind != "check-in":
                return status, headers
            retry = loop.time() + int(headers["retry-after"]) * (1 + rng.random())
            answer = await send(kind, retry, raw, began)
            record.retried += answer is not None and first_sent is None
            return answer
        if status >= 400:
            record.errors[str(status)] += 1
            return None
        record.latencies.append(loop.time() - began)
        record.unchanged += status == 304
        return status, headers

    async def attendee(token: str) -> None:
        auth = {"Authorization": f"Bearer {token}"}
        arrival = start + rng.random() * arrival_window
        zone = rng.choices(zone_urls, weights=zone_weights)[0]
        check_in = http_request(base, "POST", "/api/me/check-ins", {"token": zone},
                                auth | {"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        await send("check-in", arrival, check_in)
        etag = None
        unchanged = failures = 0
        poll = loop.time()  # the Nearby screen opens once the check-in is answered
        while poll < end:
            # As the PWA asks: with the ETag of the answer it holds, if any.
            validator = {"If-None-Match": etag} if etag else {}
            suggestions = http_request(base, "GET", "/api/me/suggestions", None, auth | validator)
            answer = await send("suggestions", poll, suggestions)
            status, headers = answer or (0, {})
            retry_after = int(headers.get("retry-after", 0)) if status == 503 else 0
            failures = failures + 1 if status in (0, 503) else 0
            unchanged = unchanged + 1 if status == 304 else 0
            etag = headers.get("etag", etag) if status in (200, 304) else etag
            poll += refresh_delay(rng, unchanged, failures, retry_after)

    try:
        await asyncio.gather(*(attendee(token) for token in tokens))
    finally:
        connections.close()
    return kinds


def refresh_delay(rng: random.Random, unchanged: int, failures: int, retry_after: float) -> float:
    """The PWA's wait before its next suggestions call (refreshDelay in pwa/src/features/here/useLiveRefresh.ts),
    in seconds. Its break-ending stretch never applies: the seeded break ends 5 minutes after the replay."""
    if failures:
        return max(retry_after, min(POLL_SECONDS * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)) * (1 + 0.5 * rng.random())
    return POLL_SECONDS * (1 + 0.5 * min(unchanged, 2)) * (0.9 + 0.2 * rng.random())


def ms(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0] * 1000 if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def report(kinds: dict[str, Kind], seconds: float) -> bool:
    """The table, and whether the slow day's target was met (the fast day's is printed beside it)."""
    everything = Kind(
        latencies=[x for kind in kinds.values() for x in kind.latencies],
        refused=[x for kind in kinds.values() for x in kind.refused],
        unchanged=sum(kind.unchanged for kind in kinds.values()),
        retried=sum(kind.retried for kind in kinds.values()),
        errors=sum((kind.errors for kind in kinds.values()), Counter()),
        lags=[x for kind in kinds.values() for x in kind.lags],
        connection_waits=[x for kind in kinds.values() for x in kind.connection_waits],
    )
    print(
        "\n| request | sent | answered (304) | refused at once: 503, p95 / max | errors | answered per second "
        "| p50 | p95 | p99 | longest wait | connection wait p95 / max | driver lag p95 / max |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, kind in [*kinds.items(), ("all", everything)]:
        errors = ", ".join(f"{n}x {e}" for e, n in kind.errors.items()) or "0"
        refused = (f"{len(kind.refused):,}, {ms(kind.refused, 95):.0f} / {max(kind.refused) * 1000:.0f} ms"
                   if kind.refused else "0")  # fmt: skip
        retried = f" ({kind.retried:,} acknowledged after a 503)" if kind.retried else ""
        print(
            f"| {name} | {len(kind.lags):,} | {len(kind.latencies):,} ({kind.unchanged:,}){retried} | {refused} "
            f"| {errors} | {len(kind.latencies) / seconds:,.0f} /s "
            f"| {ms(kind.latencies, 50):.0f} ms | {ms(kind.latencies, 95):.0f} ms | {ms(kind.latencies, 99):.0f} ms "
            f"| {longest(kind) * 1000:,.0f} ms "
            f"| {ms(kind.connection_waits, 95):.0f} / {max(kind.connection_waits, default=0) * 1000:.0f} ms "
            f"| {ms(kind.lags, 95):.0f} / {max(kind.lags, default=0) * 1000:.0f} ms |"
        )
    fast = not everything.errors and not everything.refused and ms(everything.latencies, 95) <= TARGET_P95_MS
    check_ins, suggestions = kinds["check-in"], kinds["suggestions"]
    slow = (
        not everything.errors
        and longest(everything) * 1000 <= LONGEST_WAIT_MS
        and ms(check_ins.latencies, 95) <= TARGET_P95_MS
        and (not suggestions.latencies or ms(suggestions.latencies, 95) <= TARGET_P95_MS)
        and (not everything.refused or ms(everything.refused, 95) <= TARGET_P95_MS)
    )
    print(f"\nfast day's target (0 errors, none refused, p95 <= {TARGET_P95_MS} ms): {'met' if fast else 'NOT met'}")
    print(f"slow day's target (every check-in acknowledged, nothing waiting over {LONGEST_WAIT_MS} ms, check-ins "
          f"and answered suggestions p95 <= {TARGET_P95_MS} ms, refusals at once): "
          f"{'met' if slow else 'NOT met'}")  # fmt: skip
    return slow


def longest(kind: Kind) -> float:
    return max([*kind.latencies, *kind.refused], default=0.0)


def noop_capacity(base: str) -> tuple[float, float]:
    """The no-op's throughput (req/s) and CPU per request (ms, server and PostgreSQL): the day's speed."""
    requests = [("GET", "/api/health", None, {})] * NOOP_REQUESTS
    return throughput_and_cpu(base, requests, NOOP_CLIENTS, serving_processes(base))


def break_processes(base: str, url: str) -> dict[int, float]:
    """The CPU seconds used so far by each process serving the break: the API server and its workers, and the
    PostgreSQL backends connected to the break's database (not those of other databases on the server)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        backends = set(connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalars())  # fmt: skip
    engine.dispose()
    # The server and its workers (started by multiprocessing: their command lines do not name couloir), not
    # every postgres process on the machine.
    api = [pid for pid in serving_processes(base) if not _cmdline(pid).startswith(b"postgres")]
    return {pid: cpu_seconds([pid]) for pid in [*api, *backends]}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _burn(until: float) -> None:
    while time.monotonic() < until:
        pass


@contextmanager
def burners(count: int, seconds: float) -> Iterator[None]:
    """`count` processes that each burn a CPU for at most `seconds` (a slow day on a fast machine)."""
    processes = [multiprocessing.Process(target=_burn, args=(time.monotonic() + seconds,), daemon=True)
                 for _ in range(count)]  # fmt: skip
    for process in processes:
        process.start()
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
            process.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=10_000, help="who comes to the break")
    parser.add_argument("--registered", type=int, default=0, help="registered in all (the rest stay away)")
    parser.add_argument("--minutes", type=float, default=15, help="length of the break that is replayed")
    parser.add_argument("--checkin-minutes", type=float, default=2, help="everyone has checked in by then")
    parser.add_argument("--topics", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="API server processes")
    parser.add_argument("--connections", type=int, default=100, help="HTTP connections the phones share")
    parser.add_argument("--burn", type=int, default=0, help="CPU-burning processes beside the break")
    parser.add_argument("--baseline", help="serve this git revision's api/ instead of the working tree's")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    with scratch_database("postgresql") as url, ExitStack() as stack:
        migrate(url)
        engine = app_engine(url)
        started = time.perf_counter()
        seeded = seed(engine, random.Random(2026), args.attendees, args.topics, args.minutes, args.registered)
        # Off, the statistics stay those taken after seeding, before anyone checked in: the plans must hold.
        with engine.connect() as connection:
            autovacuum = connection.exec_driver_sql("SHOW autovacuum").scalar()
        engine.dispose()
        print(f"seeded {args.attendees:,} attendees ({max(args.registered, args.attendees):,} registered) in "
              f"{time.perf_counter() - started:.1f} s (the server's autovacuum: {autovacuum})", flush=True)  # fmt: skip
        secret = secrets.token_urlsafe(48)
        tree = stack.enter_context(baseline_tree(args.baseline)) if args.baseline else None
        base = stack.enter_context(server_importing(tree, url, secret, args.workers))
        code = f"revision {args.baseline}" if args.baseline else "the working tree"
        tokens = [token_for(secret, a, seeded.event_id) for a in seeded.attendee_ids]
        zone_urls = [f"{base}/z/{token}" for token in seeded.zone_tokens]
        stack.enter_context(burners(args.burn, args.minutes * 60 + 120))
        capacity = [noop_capacity(base)]
        print(f"serving {code}; {args.burn} CPU burner(s) beside; no-op capacity before the break: "
              f"{capacity[0][0]:,.0f} req/s, {capacity[0][1]:.2f} ms CPU per request", flush=True)  # fmt: skip
        print(
            f"replaying a {args.minutes:g}-minute break: {args.attendees:,} check-ins within "
            f"{min(args.checkin_minutes, args.minutes):g} min, suggestions at the PWA's pace; "
            f"{args.workers} API process(es), {args.connections} connections",
            flush=True,
        )
        cpu_before = break_processes(base, url)
        started, driver_before = time.perf_counter(), time.process_time()
        kinds = asyncio.run(break_load(base, tokens, zone_urls, args))
        seconds = time.perf_counter() - started
        driver_cpu = time.process_time() - driver_before
        # Backends opened meanwhile (the check-in groups' connection) count whole.
        cpu = sum(used - cpu_before.get(pid, 0.0) for pid, used in break_processes(base, url).items())
        capacity.append(noop_capacity(base))
    met = report(kinds, seconds)
    attendee_minutes = args.attendees * seconds / 60
    print(f"server CPU (API processes and the break database's PostgreSQL backends) through the break: {cpu:,.1f} s, "
          f"{cpu * 1000 / attendee_minutes:.2f} ms per attendee-minute")  # fmt: skip
    # The phones' driver runs on the same cores as the server: a large share here means it took CPU the server lacked.
    print(f"the driver's own CPU through the break: {driver_cpu:,.1f} s ({driver_cpu / seconds:.0%} of a core)")
    print(
        f"no-op capacity (GET /api/health, {NOOP_CLIENTS} clients) before / after the break: "
        + " / ".join(f"{rate:,.0f} req/s ({per:.2f} ms CPU)" for rate, per in capacity)
    )
    print(f"machine load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")
    raise SystemExit(0 if met else 1)


if __name__ == "__main__":
    main()
