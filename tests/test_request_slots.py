"""A break's burst through the real server: more phones than the process serves at once.

Each request in progress holds at most one database connection, and no more requests run at once than
`requests_in_progress`; check-ins take no slot but go in groups, one group at a time on a connection of its
own (PostgreSQL) or on one more in the service's pool (SQLite). So the pool never overflows:
earlier, 100 phones against 40 worker threads and a pool of 30 deadlocked it (requests holding connections
waited for a thread, threads waited for a connection) and phones got 500s after the pool's 30 s timeout.

When the process cannot keep up, writes go before reads and a request that cannot be served soon is refused
at once (503 Overloaded, Retry-After) instead of waiting until the phone gives up (api/core/limits.py)."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlalchemy import event

from api.core.limits import ARRIVED, RETRY_AFTER_SECONDS, Admission, RequestSlots, _expire
from api.core.serving import HTTP_PROTOCOL
from tests import factories
from tests.conftest import TEST_LIMITS, free_port, start_server

PHONES = 60


def test_a_burst_bigger_than_the_slots_is_served_whole_within_the_pool(srv):
    place = factories.hallway(srv)
    people = [place.person(srv, f"Phone {i}", ["Observability", "Kubernetes"]) for i in range(12)]
    zones = [z["checkin_url"] for z in place.zones.values()]
    checked_out = 0
    most = 0
    lock = threading.Lock()

    def out(*_):
        nonlocal checked_out, most
        with lock:
            checked_out += 1
            most = max(most, checked_out)

    def back(*_):
        nonlocal checked_out
        with lock:
            checked_out -= 1

    start = threading.Barrier(PHONES)

    def phone(n: int) -> list[int]:
        person = people[n % len(people)]
        with srv.client(person.token) as client:
            start.wait()
            first = client.post("/api/me/check-ins", json={"token": zones[n % 3]},
                                headers={"Idempotency-Key": factories.new_key()})  # fmt: skip
            second = client.get("/api/me/suggestions")
        return [first.status_code, second.status_code]

    event.listen(srv.engine, "checkout", out)
    event.listen(srv.engine, "checkin", back)
    try:
        with ThreadPoolExecutor(PHONES) as pool:
            statuses = [s for answers in pool.map(phone, range(PHONES)) for s in answers]
    finally:
        event.remove(srv.engine, "checkout", out)
        event.remove(srv.engine, "checkin", back)
    assert statuses == [201, 200] * PHONES
    groups = 1 if srv.settings.is_sqlite else 0
    assert 1 < most <= srv.settings.requests_in_progress + groups
    assert srv.engine.pool.size() == srv.settings.requests_in_progress + groups


def test_requests_past_the_slots_wait_their_turn_and_the_app_files_and_grouped_check_ins_do_not():
    running = 0
    most = 0

    async def app(scope, receive, send):
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1

    async def burst(path: str) -> int:
        nonlocal most
        most = 0
        slots = RequestSlots(app, Admission(3, queued=100, queue_wait=60), grouped=frozenset(["/api/me/check-ins"]))
        await asyncio.gather(*(slots({"type": "http", "path": path}, None, None) for _ in range(20)))
        return most

    assert asyncio.run(burst("/api/me/suggestions")) == 3
    assert asyncio.run(burst("/assets/index.js")) == 20  # a second event loop gets slots of its own
    assert asyncio.run(burst("/api/me/check-ins")) == 20


@pytest.fixture
def one_slot(srv):
    """A server of one request slot, with two places in line for reads (and two for writes)."""
    limits = TEST_LIMITS | {"requests_in_progress": 1, "requests_queued": 2, "queue_wait_ms": 60_000}
    yield from start_server(srv.settings.data_dir, srv.settings.database_url, **limits)


class HeldSlot:
    """Takes one of a server's request slots on its event loop, as a request in progress would."""

    def __init__(self, server):
        with server.client() as client:
            assert client.get("/api/health").status_code == 200  # the server's loop now has its line
        [(self.loop, self.line)] = server.app.runtime.admission._lines.items()
        assert asyncio.run_coroutine_threadsafe(self.line.enter(write=False), self.loop).result(timeout=10)

    def release(self) -> None:
        self.loop.call_soon_threadsafe(self.line.leave)

    def wait_for(self, reads: int = 0, writes: int = 0) -> None:
        """Until that many requests wait in line."""
        deadline = time.monotonic() + 30
        while (len(self.line.reads), len(self.line.writes)) != (reads, writes):
            assert time.monotonic() < deadline, "the requests never queued"
            time.sleep(0.01)


def test_when_the_slots_are_held_writes_go_first_and_a_read_past_the_line_is_refused_at_once(one_slot):
    place = factories.hallway(one_slot)
    me = place.person(one_slot, "Léa", ["Rust"])
    place.person(one_slot, "Ana", ["Rust"])
    late = place.person(one_slot, "Noé", ["Rust"], zone=None)
    held = HeldSlot(one_slot)
    # A phone that would get no answer soon must not wait for one: the test's timeout is the failure.
    with ThreadPoolExecutor(3) as pool, one_slot.client(me.token) as phone:
        queued = [pool.submit(phone.get, "/api/me/suggestions") for _ in range(2)]
        held.wait_for(reads=2)
        with httpx.Client(base_url=one_slot.base_url, timeout=10, headers=phone.headers) as impatient:
            refused = impatient.get("/api/me/suggestions")
        assert refused.status_code == 503
        assert refused.json()["error"] == "Overloaded"
        assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        # Readiness takes no slot, and says why this process should get no more for now.
        with one_slot.client() as probe:
            ready = probe.get("/api/health/ready")
        assert ready.status_code == 503
        assert ready.json()["error"] == "NotReady" and "Saturated" in ready.json()["detail"]
        # A check-in takes no slot: acknowledged while the reads still wait.
        checked_in = factories.check_in(one_slot, late.token, token=place.zones["coffee"]["checkin_url"])
        assert checked_in.status_code == 201, checked_in.text
        held.wait_for(reads=2)
        # A write queued after the reads is served before them: they already see Léa hidden.
        hide = pool.submit(phone.patch, "/api/me", json={"visible": False})
        held.wait_for(reads=2, writes=1)
        held.release()
        assert hide.result(timeout=30).status_code == 200
        answers = [future.result(timeout=30) for future in queued]
    assert [a.status_code for a in answers] == [200, 200]
    assert [a.json()["missing"] for a in answers] == [["visibility"], ["visibility"]]


def test_a_read_expected_to_wait_too_long_is_refused_at_once_and_a_write_still_waits():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def scenario() -> list[int]:
        admission = Admission(1, queued=10, queue_wait=0.1)
        slots = RequestSlots(app, admission)
        line = admission.line()
        assert await line.enter(write=False)  # the one slot, held
        line.held = 1.0  # requests held their slot a second each lately: a read would wait that long

        async def call(method: str) -> int:
            statuses = []

            async def send(message):
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            await slots({"type": "http", "path": "/api/me/suggestions", "method": method}, None, send)
            return statuses[0]

        read = await call("GET")
        write = asyncio.ensure_future(call("POST"))
        await asyncio.sleep(0)
        assert len(line.writes) == 1 and admission.saturated()
        line.leave()
        return [read, await write]

    assert asyncio.run(scenario()) == [503, 200]


def test_a_request_still_waiting_past_the_backstop_is_refused_then():
    async def app(scope, receive, send):
        raise AssertionError("never served: the slot stays held")

    async def scenario() -> int:
        admission = Admission(1, queued=10, queue_wait=0.005)
        line = admission.line()
        assert await line.enter(write=False)
        statuses = []

        async def send(message):
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await RequestSlots(app, admission)({"type": "http", "path": "/api/me", "method": "PATCH"}, None, send)
        assert not line.writes  # it left the line
        return statuses[0]

    assert asyncio.run(scenario()) == 503


def test_check_ins_in_progress_never_wait_but_fill_the_slots_reads_would_take():
    async def scenario() -> list[str]:
        done = asyncio.Event()
        order: list[str] = []

        async def app(scope, receive, send):
            if scope["path"] == "/api/me/check-ins":
                await done.wait()
            order.append(scope["path"])

        admission = Admission(1, queued=10, queue_wait=60)
        slots = RequestSlots(app, admission, grouped=frozenset(["/api/me/check-ins"]))
        line = admission.line()
        check_ins = [
            asyncio.ensure_future(slots({"type": "http", "path": "/api/me/check-ins", "method": "POST"}, None, None))
            for _ in range(3)
        ]
        await asyncio.sleep(0)
        assert line.free == -2  # three check-ins in progress, one slot: none of them waits
        read = asyncio.ensure_future(
            slots({"type": "http", "path": "/api/me/suggestions", "method": "GET"}, None, None)
        )
        await asyncio.sleep(0)
        assert len(line.reads) == 1  # the read waits for the check-ins
        done.set()
        await asyncio.gather(*check_ins, read)
        assert line.free == 1
        return order

    assert asyncio.run(scenario()) == ["/api/me/check-ins"] * 3 + ["/api/me/suggestions"]


def test_a_wait_that_runs_out_as_a_slot_frees_is_refused_and_the_slot_stays_free():
    async def scenario() -> tuple[bool, int]:
        line = Admission(1, queued=10, queue_wait=60).line()
        assert await line.enter(write=False)
        waiter = asyncio.ensure_future(line.enter(write=False))
        await asyncio.sleep(0)
        [turn] = line.reads
        _expire(turn)  # the backstop runs out...
        line.leave()  # ...and the slot is freed before the waiter hears of it
        return await waiter, line.free

    assert asyncio.run(scenario()) == (False, 1)


def test_a_read_that_waited_in_the_process_and_finds_no_slot_is_refused_at_once_and_a_write_waits():
    served: list[str] = []

    async def app(scope, receive, send):
        served.append(scope["method"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def call(slots: RequestSlots, method: str, waited: float) -> int:
        statuses = []

        async def send(message):
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        scope = {"type": "http", "path": "/api/me/suggestions", "method": method, ARRIVED: time.monotonic() - waited}
        await slots(scope, None, send)
        return statuses[0]

    async def scenario() -> list[int]:
        admission = Admission(1, queued=10, queue_wait=0.1)
        slots = RequestSlots(app, admission)
        line = admission.line()
        # With a slot free, a read is served whatever it waited before: nothing competes with it.
        statuses = [await call(slots, "GET", 0.5)]
        assert await line.enter(write=False)  # the one slot, held by a request that left its slot fast lately
        line.held = 0.001
        statuses.append(await call(slots, "GET", 0.5))  # would wait a millisecond more, after half a second
        write = asyncio.ensure_future(call(slots, "PATCH", 0.5))
        await asyncio.sleep(0)
        assert len(line.writes) == 1 and admission.saturated()
        line.leave()
        return [*statuses, await write]

    assert asyncio.run(scenario()) == [200, 503, 200]
    assert served == ["GET", "PATCH"]


def test_couloir_serves_requests_stamped_with_when_they_arrived():
    seen: list[float] = []

    async def app(scope, receive, send):
        if scope["type"] == "http":
            seen.append(scope[ARRIVED])
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, http=HTTP_PROTOCOL, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.02)
        before = time.monotonic()
        assert httpx.get(f"http://127.0.0.1:{port}/api/me/suggestions").status_code == 204
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert len(seen) == 1 and before <= seen[0] <= time.monotonic()
