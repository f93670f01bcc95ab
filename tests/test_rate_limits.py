"""Rate limits on check-ins and on reaching out (contact requests, connect-QR scans): per address and per
attendee, counted in the database so every replica sees the same hits."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import pytest
import redis
from sqlmodel import Session, func, select

from api.contacts.models import ContactRequest
from api.core.config import Settings
from api.core.ratelimit import RateLimitWindow, purge_passed_windows
from api.presence.models import CheckInRecord
from tests import factories
from tests.conftest import TEST_LIMITS, start_server, wipe

WINDOW = 5  # seconds: short, so a test can see a window pass; long enough for a burst on a busy machine
# The machine's Redis (CI's too); the tests counting there are skipped where none answers.
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def strict(migrated_url, tmp_path, server):
    limits = TEST_LIMITS | {
        "checkin_rate_per_attendee": (3, WINDOW),
        "checkin_rate_per_ip": (5, WINDOW),
        "connect_rate_per_attendee": (2, WINDOW),
        "connect_rate_per_ip": (100, WINDOW),
    }
    wipe(server.engine)
    yield from start_server(tmp_path, migrated_url, **limits)


def wait_for_next_window() -> None:
    """Start at the beginning of a window, so a test's burst is not cut in two by the clock."""
    time.sleep(WINDOW - time.time() % WINDOW + 0.05)


def count(srv, model, **where) -> int:
    with Session(srv.engine) as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return session.exec(query).one()


def test_check_ins_are_limited_per_attendee_then_the_window_resets(strict):
    place = factories.hallway(strict)
    ada = place.person(strict, "Ada", ["Rust"], zone=None)
    coffee = place.zones["coffee"]["checkin_url"]
    wait_for_next_window()
    codes = [factories.check_in(strict, ada.token, token=coffee).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = factories.check_in(strict, ada.token, key="kept-for-later-1", token=coffee)
    assert refused.status_code == 429
    assert refused.json()["error"] == "TooManyRequests"
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW
    # A refused check-in stored nothing, not even its Idempotency-Key: the phone's retry runs afresh.
    assert count(strict, CheckInRecord, attendee_id=ada.id) == 3

    time.sleep(int(refused.headers["Retry-After"]))
    retried = factories.check_in(strict, ada.token, key="kept-for-later-1", token=coffee)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert count(strict, CheckInRecord, attendee_id=ada.id) == 4


def test_check_ins_are_limited_per_address_across_attendees(strict):
    place = factories.hallway(strict)
    ada = place.person(strict, "Ada", ["Rust"], zone=None)
    bob = place.person(strict, "Bob", ["Rust"], zone=None)
    coffee = place.zones["coffee"]["checkin_url"]
    wait_for_next_window()
    ada_codes = [factories.check_in(strict, ada.token, token=coffee).status_code for _ in range(4)]
    # The address has used 4 of its 5 hits: Bob gets one, then is refused though he is far from his own 3.
    bob_codes = [factories.check_in(strict, bob.token, token=coffee).status_code for _ in range(2)]
    assert ada_codes == [201, 201, 201, 429]
    assert bob_codes == [201, 429]
    assert count(strict, CheckInRecord, attendee_id=bob.id) == 1


def test_contact_requests_and_scans_share_one_budget_per_attendee(strict):
    place = factories.hallway(strict)
    # All at the coffee bar, visible: Ada may be shown the others, so may ask them.
    ada = place.person(strict, "Ada", ["Rust"])
    others = [place.person(strict, name, ["Rust"]) for name in ("Bob", "Cleo", "Dan")]
    with strict.client(others[2].token) as client:
        code = client.post("/api/me/connect-code").json()["code"]
    wait_for_next_window()
    with strict.client(ada.token) as client:
        sent = [
            client.post(
                "/api/contact-requests",
                json={"to_attendee_id": other.id},
                headers={"Idempotency-Key": factories.new_key()},
            ).status_code
            for other in others[:2]
        ]
        scan = client.post("/api/contacts/scan", json={"code": code}, headers={"Idempotency-Key": factories.new_key()})
    assert sent == [201, 201]
    assert scan.status_code == 429
    assert scan.json()["error"] == "TooManyRequests"
    assert count(strict, ContactRequest, from_attendee_id=ada.id) == 2

    time.sleep(int(scan.headers["Retry-After"]))
    with strict.client(ada.token) as client:
        again = client.post("/api/contacts/scan", json={"code": code}, headers={"Idempotency-Key": factories.new_key()})
    assert again.status_code == 201


def test_the_scheduler_cleanup_deletes_only_windows_that_are_over(strict):
    place = factories.hallway(strict)
    ada = place.person(strict, "Ada", ["Rust"], zone=None)
    assert factories.check_in(strict, ada.token, token=place.zones["coffee"]["checkin_url"]).status_code == 201
    longest = max(window for _, window in strict.settings.rate_limits().values())
    with Session(strict.engine) as session:
        live = session.exec(select(func.count()).select_from(RateLimitWindow)).one()
        assert live >= 2  # the address and the attendee
        assert purge_passed_windows(session, strict.settings) == 0
        assert purge_passed_windows(session, strict.settings, now=time.time() + longest + 1) == live
        session.commit()
        assert session.exec(select(func.count()).select_from(RateLimitWindow)).one() == 0


@pytest.fixture
def default_limits(migrated_url, tmp_path, server):
    """A server with the default check-in and connect limits (joining stays free: 40 people join at once)."""
    limits = {name: limit for name, limit in TEST_LIMITS.items() if name.startswith(("join", "magic"))}
    wipe(server.engine)
    yield from start_server(tmp_path, migrated_url, **limits)


def test_a_break_rush_behind_one_venue_address_is_not_refused_by_the_defaults(default_limits):
    """40 phones behind one address check in at a break's start, each moves zone a few times, and one
    replays a long offline queue."""
    srv = default_limits
    assert srv.settings.checkin_rate_per_attendee == Settings.model_fields["checkin_rate_per_attendee"].default
    place = factories.hallway(srv)
    people = [place.person(srv, f"Person {i}", ["Rust"], zone=None) for i in range(40)]
    zones = [z["checkin_url"] for z in place.zones.values()]

    def hallway_minute(person):
        return [factories.check_in(srv, person.token, token=zones[i % 3]).status_code for i in range(4)]

    with ThreadPoolExecutor(8) as pool:
        codes = [code for codes in pool.map(hallway_minute, people) for code in codes]
    assert codes == [201] * 160
    # A phone back online replays its queue at once: 20 check-ins and a contact request to each of 20 people.
    replayer = people[0]
    replayed = [factories.check_in(srv, replayer.token, token=zones[i % 3]).status_code for i in range(20)]
    with srv.client(replayer.token) as client:
        replayed += [
            client.post(
                "/api/contact-requests", json={"to_attendee_id": p.id}, headers={"Idempotency-Key": factories.new_key()}
            ).status_code
            for p in people[1:21]
        ]
    assert replayed == [201] * 40


@pytest.fixture
def redis_replicas(migrated_url, tmp_path, server):
    """Two replicas of the service on one database and one Redis, their keys under a prefix of this test's."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"couloir-test-{uuid.uuid4().hex[:8]}"
    limits = TEST_LIMITS | {
        "checkin_rate_per_attendee": (3, WINDOW),
        "redis_url": REDIS_URL,
        "redis_prefix": prefix,
        "secret_key": uuid.uuid4().hex * 2,
    }  # replicas share one, as in production
    wipe(server.engine)
    with ExitStack() as stack:
        replicas = [
            stack.enter_context(contextmanager(start_server)(tmp_path / name, migrated_url, **limits))
            for name in ("a", "b")
        ]
        yield replicas
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_with_redis_two_replicas_share_one_count_and_the_window_resets(redis_replicas):
    a, b = redis_replicas
    place = factories.hallway(a)
    ada = place.person(a, "Ada", ["Rust"], zone=None)
    coffee = place.zones["coffee"]["checkin_url"]
    wait_for_next_window()
    codes = [factories.check_in(replica, ada.token, token=coffee).status_code for replica in (a, b, a, b)]
    assert codes == [201, 201, 201, 429]
    assert count(a, RateLimitWindow) == 0  # counted in Redis, not in the database
    refused = factories.check_in(b, ada.token, token=coffee)
    time.sleep(int(refused.headers["Retry-After"]))
    assert factories.check_in(a, ada.token, token=coffee).status_code == 201


def test_with_redis_down_the_limits_are_counted_in_the_database(migrated_url, tmp_path, server):
    limits = TEST_LIMITS | {"checkin_rate_per_attendee": (3, WINDOW), "redis_url": "redis://127.0.0.1:1/0"}
    wipe(server.engine)
    with contextmanager(start_server)(tmp_path, migrated_url, **limits) as srv:
        place = factories.hallway(srv)
        ada = place.person(srv, "Ada", ["Rust"], zone=None)
        wait_for_next_window()
        codes = [
            factories.check_in(srv, ada.token, token=place.zones["coffee"]["checkin_url"]).status_code for _ in range(4)
        ]
        assert codes == [201, 201, 201, 429]
        assert count(srv, RateLimitWindow) >= 2


@pytest.fixture(params=["database", "redis"])
def lasting(request, migrated_url, tmp_path, server):
    """Small limits over a window longer than any test, counted in the database or in Redis."""
    limits = TEST_LIMITS | {
        "checkin_rate_per_attendee": (3, 600),
        "connect_rate_per_attendee": (2, 600),
        "report_rate_per_attendee": (2, 600),
    }
    if request.param == "redis":
        try:
            redis.Redis.from_url(REDIS_URL).ping()
        except redis.RedisError:
            pytest.skip(f"no Redis at {REDIS_URL}")
        limits |= {"redis_url": REDIS_URL, "redis_prefix": f"couloir-test-{uuid.uuid4().hex[:8]}"}
    wipe(server.engine)
    yield from start_server(tmp_path, migrated_url, **limits)


def replays(client, path: str, body: dict, key: str, times: int) -> list[tuple[int, str | None]]:
    answers = [client.post(path, json=body, headers={"Idempotency-Key": key}) for _ in range(times)]
    return [(a.status_code, a.headers.get("Idempotent-Replayed")) for a in answers]


def test_a_retry_of_an_answered_write_is_replayed_before_any_limit_and_costs_nothing(lasting):
    """A phone's outbox after bad Wi-Fi sends the same key again and again: every time its stored answer,
    never a 429, and its budget is still whole for new actions afterwards."""
    place = factories.hallway(lasting)
    ada = place.person(lasting, "Ada", ["Rust"], zone=None)
    # At the coffee bar, visible: Ada (checking in there below) may ask them.
    bob, cleo, dan = (place.person(lasting, name, ["Rust"]) for name in ("Bob", "Cleo", "Dan"))
    coffee = {"token": place.zones["coffee"]["checkin_url"]}
    with lasting.client(ada.token) as client:
        check_ins = replays(client, "/api/me/check-ins", coffee, factories.new_key(), 35)
        new_check_ins = [factories.check_in(lasting, ada.token, **coffee).status_code for _ in range(3)]
        requests = replays(client, "/api/contact-requests", {"to_attendee_id": bob.id}, factories.new_key(), 12)
        new_requests = [
            client.post(
                "/api/contact-requests",
                json={"to_attendee_id": other.id},
                headers={"Idempotency-Key": factories.new_key()},
            ).status_code
            for other in (cleo, dan)
        ]
        report = {"attendee_id": dan.id, "reason": "spam"}
        reports = replays(client, "/api/me/reports", report, factories.new_key(), 12)
        new_reports = [
            client.post("/api/me/reports", json=report, headers={"Idempotency-Key": factories.new_key()}).status_code
            for _ in range(2)
        ]
    assert check_ins == [(201, None)] + [(201, "true")] * 34
    assert new_check_ins == [201, 201, 429]
    assert requests == [(201, None)] + [(201, "true")] * 11
    assert new_requests == [201, 429]
    assert reports == [(201, None)] + [(201, "true")] * 11
    assert new_reports == [201, 429]


def test_retries_replayed_together_with_new_check_ins_are_not_counted(lasting):
    """Check-ins are served in groups (api/presence/groups.py), whose read counts the hits: a retry in a group
    is replayed there too, free, whatever else the group holds."""
    place = factories.hallway(lasting)
    people = [place.person(lasting, f"P{n}", ["Rust"], zone=None) for n in range(6)]
    coffee = {"token": place.zones["coffee"]["checkin_url"]}
    keys = [factories.new_key() for _ in people]
    for person, key in zip(people, keys, strict=True):
        assert factories.check_in(lasting, person.token, key=key, **coffee).status_code == 201

    def outbox(index: int) -> list[int]:
        person, key = people[index], keys[index]
        return [factories.check_in(lasting, person.token, key=key, **coffee).status_code for _ in range(8)]

    with ThreadPoolExecutor(len(people)) as pool:
        retried = list(pool.map(outbox, range(len(people))))
    assert retried == [[201] * 8] * len(people)
    # Each spent one hit of three, on their first check-in.
    assert [factories.check_in(lasting, p.token, **coffee).status_code for p in people] == [201] * len(people)
