"""Crash safety: `kill -9` the real service in the middle of a burst of check-ins and contact scans,
restart it on the same database, and find every acknowledged write there; retrying the writes that
were in flight (same Idempotency-Key, as the phone's outbox does) completes each exactly once.

A write counts as acknowledged when its client received a 2xx: the request's transaction commits
before the response starts (the session dependency closes first), so a 2xx promises durability."""

import threading
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from api.contacts.models import Contact
from api.core.idempotency import REPLAYED_HEADER, IdempotencyRecord
from api.presence.models import CheckInRecord, Presence
from tests import factories as f
from tests.conftest import migrate
from tests.processes import ServiceProcess, as_server, service_env

CROWD = 16
CHECK_INS_EACH = 30
SCANS_EACH = 4  # attendee i scans i+1 … i+4: no pair is ever scanned from both sides at once
KILL_AFTER_ACKS = CROWD * 8


@dataclass
class Write:
    attendee: int  # index in the crowd
    path: str
    body: dict
    key: str = field(default_factory=f.new_key)
    zone: str | None = None  # for check-ins
    other: int | None = None  # for scans: whose code


@dataclass
class Outcome:
    acknowledged: list[Write] = field(default_factory=list)
    in_flight: list[Write] = field(default_factory=list)  # sent, no answer: the server died
    lock: threading.Lock = field(default_factory=threading.Lock)
    enough: threading.Event = field(default_factory=threading.Event)


def plan(index: int, zones: dict[str, dict], codes: list[str]) -> list[Write]:
    """One attendee's burst: check-ins hopping between zones, a contact scan every seventh."""
    names = list(zones)
    writes, scanned = [], 0
    for n in range(CHECK_INS_EACH):
        zone = names[n % len(names)]
        writes.append(Write(index, "/api/me/check-ins", {"token": zones[zone]["checkin_url"]}, zone=zone))
        if n % 7 == 3 and scanned < SCANS_EACH:
            scanned += 1
            other = (index + scanned) % CROWD
            writes.append(Write(index, "/api/contacts/scan", {"code": codes[other]}, other=other))
    return writes


def send(base_url: str, token: str, write: Write) -> httpx.Response:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        return client.post(write.path, json=write.body, headers={"Idempotency-Key": write.key})


def burst(base_url: str, token: str, writes: list[Write], outcome: Outcome) -> None:
    for write in writes:
        try:
            response = send(base_url, token, write)
        except httpx.TransportError:
            with outcome.lock:
                outcome.in_flight.append(write)
            return  # the server is gone: this client stops, its unsent writes never happened
        assert response.status_code == 201, response.text
        with outcome.lock:
            outcome.acknowledged.append(write)
            if len(outcome.acknowledged) >= KILL_AFTER_ACKS:
                outcome.enough.set()


@pytest.mark.slow
def test_kill_9_mid_burst_loses_no_acknowledged_write(empty_url, tmp_path):
    migrate(empty_url)
    process = ServiceProcess(service_env(empty_url, tmp_path), tmp_path / "serve.log").start()
    srv = as_server(process, empty_url, tmp_path)
    try:
        h = f.hallway(srv)
        crowd = [f.join(srv, h.event["join_code"], f"Person {i}") for i in range(CROWD)]
        tokens = [joined["tokens"]["access_token"] for joined in crowd]
        ids = [joined["attendee"]["id"] for joined in crowd]
        codes = []
        for token in tokens:
            with srv.client(token) as client:
                codes.append(client.post("/api/me/connect-code").json()["url"])
        plans = [plan(i, h.zones, codes) for i in range(CROWD)]

        outcome = Outcome()
        clients = [
            threading.Thread(target=burst, args=(process.base_url, tokens[i], plans[i], outcome)) for i in range(CROWD)
        ]
        for client in clients:
            client.start()
        assert outcome.enough.wait(timeout=120), "the burst never got going"
        process.kill()
        for client in clients:
            client.join(timeout=60)
        sent = len(outcome.acknowledged) + len(outcome.in_flight)
        assert outcome.in_flight, "the kill came after the burst: nothing was in flight"
        assert sent < sum(map(len, plans)), "the kill came after the burst"

        process.start()  # same database, same port, same keys
        # Every acknowledged write is there, before any retry.
        with Session(srv.engine) as db:
            stored_keys = {(r.attendee_id, r.key) for r in db.exec(select(IdempotencyRecord))}
            contacts = {(c.owner_id, c.other_attendee_id) for c in db.exec(select(Contact))}
        assert [w for w in outcome.acknowledged if (ids[w.attendee], w.key) not in stored_keys] == []
        scans = [w for w in outcome.acknowledged if w.other is not None]
        assert scans, "no contact scan was acknowledged before the kill"
        for w in scans:
            assert {(ids[w.attendee], ids[w.other]), (ids[w.other], ids[w.attendee])} <= contacts

        # The outbox retries what was in flight, and (harmlessly) what was acknowledged: each runs once.
        for write in outcome.in_flight:
            response = send(process.base_url, tokens[write.attendee], write)
            assert response.status_code == 201, response.text
        for write in outcome.acknowledged:
            response = send(process.base_url, tokens[write.attendee], write)
            assert response.status_code == 201 and response.headers[REPLAYED_HEADER] == "true", response.text

        done = outcome.acknowledged + outcome.in_flight
        with Session(srv.engine) as db:
            check_ins = Counter(
                dict(db.exec(select(CheckInRecord.attendee_id, func.count()).group_by(CheckInRecord.attendee_id)).all())
            )
            contacts = Counter((c.owner_id, c.other_attendee_id) for c in db.exec(select(Contact)))
            presence = {p.attendee_id: p.zone_id for p in db.exec(select(Presence))}
        assert check_ins == Counter(ids[w.attendee] for w in done if w.zone is not None)
        expected_pairs = [(ids[w.attendee], ids[w.other]) for w in done if w.other is not None]
        assert contacts == Counter(expected_pairs + [(b, a) for a, b in expected_pairs])
        # Each attendee stands where their last check-in put them.
        last_zone = {ids[w.attendee]: h.zones[w.zone]["id"] for w in sorted(done, key=plans_order(plans)) if w.zone}
        assert presence == last_zone
    finally:
        process.stop()
        srv.engine.dispose()


def plans_order(plans: list[list[Write]]):
    position = {id(w): n for writes in plans for n, w in enumerate(writes)}
    return lambda w: position[id(w)]
