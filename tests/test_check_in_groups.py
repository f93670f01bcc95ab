"""Check-ins served in groups (api/core/runtime/group_commit.py): each request of a group is answered as if it had come
alone, whatever the others in its group do, on SQLite and PostgreSQL."""

import asyncio
import random
import sqlite3
import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from api.core.db import utcnow
from api.core.errors import NotAuthenticated, TooManyRequests
from api.core.idempotency import IdempotencyKeyReused
from api.core.ratelimit import RateLimitWindow
from api.core.runtime.group_commit import GroupCommit
from api.core.security import TokenClaims, read_token
from api.presence import groups, service
from api.presence.models import CheckInRecord, Presence, PresenceTopic
from api.presence.routes import CHECK_IN_RATE
from api.presence.schemas import CheckIn
from tests import factories as f

IP = "198.51.100.7"


def claims_of(settings, person: f.Person | int, event_id: int) -> TokenClaims:
    """The claims of `person`'s access token (their signed-in session), or of someone unknown (an id)."""
    if isinstance(person, int):
        person_id, session_id = person, uuid.uuid4().hex
    else:
        person_id = person.id
        session_id = read_token(
            person.token, kind="access", key=settings.signing_key(), issuer=settings.jwt_issuer
        ).session_id
    expires_at = utcnow() + timedelta(minutes=30)
    return TokenClaims(kind="access", subject_kind="attendee", subject_id=person_id, jti=uuid.uuid4().hex,
                       session_id=session_id, expires_at=expires_at, event_id=event_id)  # fmt: skip


def request(settings, person: f.Person | int, event_id: int, key: str | None = None, **body) -> groups.CheckInRequest:
    claims = claims_of(settings, person, event_id)
    counted = CHECK_IN_RATE.counters(settings, claims, IP)
    return groups.CheckInRequest(claims, key or f.new_key(), CheckIn(**body), counted)


def committed_meanwhile(srv, statement: str, **parameters):
    """A step (see below) that runs `statement` in a transaction of its own, committed: another request's."""

    def step():
        with srv.engine.begin() as other:
            other.execute(text(statement), parameters)

    return step


def serve_with_a_step_before_the_write(srv, hallway, people, poster: str, step) -> list:
    """A group of `people` of `hallway` checking in at `poster`, with `step()` run once just before the group's
    write (its statement that writes the history rows). Checks that the step ran."""
    ran = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if "INSERT INTO check_in_record" in statement and not ran:
            ran.append(statement)
            step()

    event.listen(srv.engine, "before_cursor_execute", before)
    try:
        checking_in = [request(srv.settings, person, hallway.event["id"], token=poster) for person in people]
        outcomes = groups.serve_check_ins(srv.engine, srv.settings, checking_in)
    finally:
        event.remove(srv.engine, "before_cursor_execute", before)
    assert ran
    return outcomes


def test_each_request_of_a_group_gets_its_own_answer(srv, db):
    h = f.hallway(srv)
    elsewhere = f.hallway(srv)
    names = ("Léa", "Noé", "Ana", "Ben", "Cy", "Dan")
    lea, noe, ana, ben, cy, dan = (h.person(srv, name, ["Observability"], zone=None) for name in names)
    event_id = h.event["id"]
    coffee, buffet = h.zones["coffee"], h.zones["buffet"]
    # Ben's earlier check-in, whose retry comes in the group; Cy's key, which the group reuses for another zone.
    ben_key, cy_key = f.new_key(), f.new_key()
    first = f.check_in(srv, ben.token, key=ben_key, token=coffee["checkin_url"])
    assert f.check_in(srv, cy.token, key=cy_key, token=coffee["checkin_url"]).status_code == 201
    records_before = db.exec(select(func.count()).select_from(CheckInRecord)).one()

    outcomes = groups.serve_check_ins(srv.engine, srv.settings, [
        request(srv.settings, lea, event_id, token=coffee["checkin_url"]),
        request(srv.settings, noe, event_id, code=buffet["code"]),
        request(srv.settings, ana, event_id, token="a-poster-that-was-never-printed"),
        request(srv.settings, ben, event_id, key=ben_key, token=coffee["checkin_url"]),
        request(srv.settings, cy, event_id, key=cy_key, token=buffet["checkin_url"]),
        request(srv.settings, 10**9, event_id, token=coffee["checkin_url"]),
        request(srv.settings, dan, event_id, token=elsewhere.zones["coffee"]["checkin_url"]),
    ])  # fmt: skip

    lea_answer, noe_answer, unknown, replayed, reused, gone, other_event = outcomes
    assert lea_answer.status_code == 201 and b'"Coffee bar"' in lea_answer.body
    assert noe_answer.status_code == 201 and b'"Buffet"' in noe_answer.body
    assert isinstance(unknown, service.UnknownZone) and "unknown or was replaced" in unknown.detail
    assert replayed.headers["Idempotent-Replayed"] == "true" and replayed.body == first.content
    assert isinstance(reused, IdempotencyKeyReused)
    assert isinstance(gone, NotAuthenticated)
    assert isinstance(other_event, service.UnknownZone) and "another event" in other_event.detail
    zones = dict(db.exec(select(Presence.attendee_id, Presence.zone_id)).all())
    assert zones == {lea.id: coffee["id"], noe.id: buffet["id"], ben.id: coffee["id"], cy.id: coffee["id"]}
    assert db.exec(select(func.count()).select_from(CheckInRecord)).one() == records_before + 2
    # Visible Léa and Noé are indexed for matching at their zones; those refused are nowhere.
    indexed = set(db.exec(select(PresenceTopic.attendee_id, PresenceTopic.zone_id)).all())
    assert {(lea.id, coffee["id"]), (noe.id, buffet["id"])} <= indexed
    assert not {ana.id, dan.id} & {attendee_id for attendee_id, _ in indexed}


def test_a_group_spends_its_rate_limit_hits_in_order(srv, db):
    """Five check-ins from one address in one group, three allowed a minute: the first three pass, the last two
    are refused with the wait, and the counter holds all five hits (refused ones count too)."""
    h = f.hallway(srv)
    people = [h.person(srv, f"Phone {n}", ["Rust"], zone=None) for n in range(5)]
    settings = srv.settings.model_copy(update={"checkin_rate_per_ip": (3, 60)})
    requests = [request(settings, p, h.event["id"], token=h.zones["lounge"]["checkin_url"]) for p in people]

    outcomes = groups.serve_check_ins(srv.engine, settings, requests)

    assert [getattr(o, "status_code", None) for o in outcomes] == [201, 201, 201, 429, 429]
    assert all(isinstance(o, TooManyRequests) and 0 < int(o.headers["Retry-After"]) <= 60 for o in outcomes[3:])
    hits = db.exec(select(RateLimitWindow.hits).where(RateLimitWindow.key == f"check-in:ip:{IP}")).one()
    assert hits == 5
    assert db.exec(select(func.count()).select_from(Presence)).one() == 3


def test_a_group_whose_write_fails_retries_each_alone(srv, db):
    """An attendee erased between the group's read and its write breaks the group's one statement (PostgreSQL):
    each check-in is then written alone, and only that attendee's fails."""
    if srv.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's group holds the write lock from its first statement: no one erases anyone meanwhile")

    h = f.hallway(srv)
    stays, leaves = h.person(srv, "Léa", ["Rust"], zone=None), h.person(srv, "Noé", ["Rust"], zone=None)

    erase = committed_meanwhile(srv, "DELETE FROM attendee WHERE id = :id", id=leaves.id)
    outcomes = serve_with_a_step_before_the_write(srv, h, [stays, leaves], h.zones["coffee"]["checkin_url"], erase)

    assert outcomes[0].status_code == 201
    assert isinstance(outcomes[1], IntegrityError)
    assert db.exec(select(Presence.attendee_id)).all() == [stays.id]
    assert db.exec(select(CheckInRecord.attendee_id)).all() == [stays.id]


def test_an_attendee_hidden_between_the_groups_read_and_its_write_is_not_indexed(srv, db):
    """Privacy: visibility is read by the write itself. Turned off (and committed) after the group read the
    profile, the check-in still lands, but no topic row shows the attendee to matching."""
    if srv.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's group holds the write lock from its first statement: no one changes a profile meanwhile")
    h = f.hallway(srv)
    hides, stays = h.person(srv, "Léa", ["Rust"], zone=None), h.person(srv, "Noé", ["Rust"], zone=None)

    hide = committed_meanwhile(srv, "UPDATE attendee SET visible = false WHERE id = :id", id=hides.id)
    outcomes = serve_with_a_step_before_the_write(srv, h, [hides, stays], h.zones["coffee"]["checkin_url"], hide)

    assert [o.status_code for o in outcomes] == [201, 201]
    assert set(db.exec(select(Presence.attendee_id)).all()) == {hides.id, stays.id}
    assert set(db.exec(select(PresenceTopic.attendee_id)).all()) == {stays.id}


def test_check_ins_arriving_together_go_in_groups_and_one_attendee_at_a_time():
    """Arrivals wait for the group in flight, then go together, one request per key (attendee) in a group;
    an exception answers only its own request."""
    groups: list[list[str]] = []
    first_group_started, release = threading.Event(), threading.Event()

    def serve(requests):
        groups.append(list(requests))
        if len(groups) == 1:
            first_group_started.set()
            release.wait(10)
        return [ValueError(r) if r.startswith("bad") else r.upper() for r in requests]

    grouped = GroupCommit(serve, key=lambda r: r.split(":")[0])

    async def scenario():
        first = asyncio.create_task(grouped.submit("a:1"))
        await asyncio.to_thread(first_group_started.wait, 10)
        later = [asyncio.create_task(grouped.submit(r)) for r in ("b:1", "a:2", "bad:1", "c:1", "b:2")]
        await asyncio.sleep(0.1)
        held = list(groups)  # nothing else starts while the first group is in flight
        release.set()
        return held, await asyncio.gather(first, *later, return_exceptions=True)

    held, answers = asyncio.run(scenario())

    assert held == [["a:1"]]
    assert groups == [["a:1"], ["b:1", "a:2", "bad:1", "c:1"], ["b:2"]]
    assert answers[:3] == ["A:1", "B:1", "A:2"] and answers[4:] == ["C:1", "B:2"]
    assert isinstance(answers[3], ValueError)


def test_a_groups_plans_look_keys_up_however_small_the_tables_were_when_planned(srv, db):
    """PostgreSQL plans the group statements once per connection (generic plans, `check_in_engine`). Planned while
    the Idempotency-Keys' table was empty, the read went on scanning the whole table for each group as it grew:
    two API servers side by side, one's groups read 33 million rows in 2,718 scans, and cost its database two to
    three times the CPU of the other's, planned a minute later. The groups' connection plans index lookups
    whatever the sizes."""
    if srv.engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans each statement as it runs it")
    h = f.hallway(srv)
    lea = h.person(srv, "Léa", ["Rust"], zone=None)
    with srv.engine.begin() as conn:
        conn.execute(text("DELETE FROM idempotency_record"))
        conn.execute(text("ANALYZE idempotency_record"))
    engine = groups.check_in_engine(srv.engine, srv.settings)

    def check_in() -> None:
        [answer] = groups.serve_check_ins(
            engine, srv.settings, [request(srv.settings, lea, h.event["id"], token=h.zones["coffee"]["checkin_url"])]
        )
        assert answer.status_code == 201

    try:
        for _ in range(8):  # psycopg prepares a statement at its fifth run: PostgreSQL plans it then
            check_in()
        with srv.engine.begin() as conn:  # the table grows, with no ANALYZE meanwhile
            conn.execute(text(
                "INSERT INTO idempotency_record (attendee_id, key, fingerprint, status_code, response_body, created_at)"
                " SELECT :id, 'earlier-' || n, 'f', 201, '{}', now() FROM generate_series(1, 20000) AS n"
            ), {"id": lea.id})  # fmt: skip
        for _ in range(3):
            check_in()
        with engine.connect() as conn:  # the groups' one connection: its table statistics, sent before it answers
            conn.execute(text("SELECT pg_stat_force_next_flush()"))
    finally:
        engine.dispose()

    rows_scanned = "SELECT seq_tup_read FROM pg_stat_user_tables WHERE relname = 'idempotency_record'"
    assert db.exec(text(rows_scanned)).one()[0] < 20000


def test_the_next_group_starts_while_the_event_loop_is_busy():
    """The worker thread goes from one group to the next by itself: the event loop, busy with other requests,
    answers the first group's requests later, without holding up the second."""
    first_group_started, release, second_group_started = threading.Event(), threading.Event(), threading.Event()

    def serve(requests):
        if requests == ["a"]:
            first_group_started.set()
            release.wait(10)
        else:
            second_group_started.set()
        return list(requests)

    grouped = GroupCommit(serve, key=lambda r: r)

    async def scenario():
        first = asyncio.create_task(grouped.submit("a"))
        await asyncio.to_thread(first_group_started.wait, 10)
        second = asyncio.create_task(grouped.submit("b"))
        await asyncio.sleep(0)  # "b" is waiting
        release.set()
        started_while_the_loop_was_busy = second_group_started.wait(5)  # blocks the event loop
        return started_while_the_loop_was_busy, await asyncio.gather(first, second)

    started_while_the_loop_was_busy, answers = asyncio.run(scenario())
    assert started_while_the_loop_was_busy
    assert answers == ["a", "b"]


def test_one_group_at_a_time_whenever_requests_arrive():
    """Requests arriving at random moments, the worker thread stopping whenever none waits and a new one starting
    with the next: one group is ever in flight, and every request is answered."""
    in_flight, most_in_flight, lock = 0, 0, threading.Lock()
    rng = random.Random(2026)

    def serve(requests):
        nonlocal in_flight, most_in_flight
        with lock:
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
        time.sleep(rng.random() / 2000)
        with lock:
            in_flight -= 1
        return [r * 2 for r in requests]

    grouped = GroupCommit(serve, key=lambda r: r)

    async def arriving(r):
        await asyncio.sleep(rng.random() / 2000)
        return await grouped.submit(r)

    async def scenario():
        return await asyncio.wait_for(asyncio.gather(*(arriving(r) for r in range(2000))), 60)

    answers = asyncio.run(scenario())
    assert answers == [r * 2 for r in range(2000)]
    assert most_in_flight == 1


def test_a_failed_group_fails_each_of_its_requests_and_the_next_group_runs():
    calls = []

    def serve(requests):
        calls.append(list(requests))
        if len(calls) == 1:
            raise ConnectionError("database down")
        return list(requests)

    grouped = GroupCommit(serve, key=lambda r: r)

    async def scenario():
        failed = await asyncio.gather(grouped.submit("x"), return_exceptions=True)
        return failed, await grouped.submit("y")

    failed, answered = asyncio.run(scenario())
    assert isinstance(failed[0], ConnectionError) and answered == "y"


def test_a_sqlite_group_whose_transaction_fails_serves_each_alone(srv, db):
    """SQLite's group is one transaction: should it fail as a whole (a disk error, say), everything it did is
    undone, its rate-limit hits too, and each check-in is served alone, so each hit is counted once."""
    if srv.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's group retries its write alone (above)")
    h = f.hallway(srv)
    people = [h.person(srv, name, ["Rust"], zone=None) for name in ("Léa", "Noé", "Ana")]

    def fail():
        raise sqlite3.OperationalError("disk I/O error")

    outcomes = serve_with_a_step_before_the_write(srv, h, people, h.zones["buffet"]["checkin_url"], fail)

    assert [o.status_code for o in outcomes] == [201, 201, 201]
    assert sorted(db.exec(select(CheckInRecord.attendee_id)).all()) == sorted(p.id for p in people)
    assert db.exec(select(RateLimitWindow.hits).where(RateLimitWindow.key == f"check-in:ip:{IP}")).one() == 3
