"""A break's burst through the real server: more phones than the process serves at once.

Each request in progress holds at most one database connection, and no more requests run at once than
`requests_in_progress`; check-ins take no slot but go in groups, one group at a time on a connection of its
own (PostgreSQL) or on one more in the service's pool (SQLite). So the pool never overflows:
earlier, 100 phones against 40 worker threads and a pool of 30 deadlocked it (requests holding connections
waited for a thread, threads waited for a connection) and phones got 500s after the pool's 30 s timeout."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event

from api.core.limits import RequestSlots
from tests import factories

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
        slots = RequestSlots(app, slots=3, grouped=frozenset(["/api/me/check-ins"]))
        await asyncio.gather(*(slots({"type": "http", "path": path}, None, None) for _ in range(20)))
        return most

    assert asyncio.run(burst("/api/me/suggestions")) == 3
    assert asyncio.run(burst("/assets/index.js")) == 20  # a second event loop gets slots of its own
    assert asyncio.run(burst("/api/me/check-ins")) == 20
