"""The offline replay protocol, as a property: whatever the interleaving of going offline and online,
replays, duplicate sends and lost responses, once the phone's outbox has drained the server holds exactly
the writes the person made: none lost, none doubled, in their order.

`Outbox` below is pwa/src/offline/queue.ts in Python, against the real server: each write gets one
Idempotency-Key when queued and keeps it for every send; a replay sends the queue oldest first and stops at
the first send that fails for the network or is retryable (5xx, 401, 408, 429), so order holds; anything
else removes the write (a 2xx sent, another 4xx refused for good). Faults are the ones a hallway gives:
- offline: a send never leaves the phone;
- lost response: the server did the work, but the answer never reaches the phone, which sends it again;
- duplicate send: two tabs replaying without a lock send the same queued write at the same time.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from api.contacts.models import Contact, ContactRequest
from api.core.idempotency import IdempotencyRecord
from api.presence.models import CheckInRecord, Presence
from tests import factories

ZONES = ("coffee", "buffet", "lounge")
REQUEST_TARGETS = 2  # people I ask to connect
SCAN_TARGETS = 2  # people whose connect QR I scan
KNOWN_CONTACTS = 1  # contacts I already have, whose notes I edit
NOTES = ("met at the coffee bar", "eBPF talk", "call back", "")


class NetworkDown(Exception):
    """The request did not reach the server, or its answer did not reach the phone."""


@dataclass
class Item:
    key: str
    kind: str
    payload: dict


def is_retryable(status: int) -> bool:
    return status >= 500 or status in (401, 408, 429)


@dataclass
class Outbox:
    client: httpx.Client
    contact_ids: dict[int, int]  # known contact index -> contact id on the server
    online: bool = True
    items: list[Item] = field(default_factory=list)
    refused: list[tuple[Item, int]] = field(default_factory=list)

    def add(self, kind: str, payload: dict) -> None:
        self.items.append(Item(factories.new_key(), kind, payload))

    def send(self, item: Item, *, lose_response: bool = False) -> int:
        if not self.online:
            raise NetworkDown()
        headers = {"Idempotency-Key": item.key}
        if item.kind == "check_in":
            response = self.client.post("/api/me/check-ins", json=item.payload, headers=headers)
        elif item.kind == "contact_request":
            response = self.client.post("/api/contact-requests", json=item.payload, headers=headers)
        elif item.kind == "scan":
            response = self.client.post("/api/contacts/scan", json=item.payload, headers=headers)
        else:  # a note: PATCH sets the same value however often it is replayed
            contact_id = self.contact_ids[item.payload["contact"]]
            response = self.client.patch(
                f"/api/contacts/{contact_id}", json={"note": item.payload["note"]}, headers=headers
            )
        if lose_response:
            raise NetworkDown()  # the server has done it; the phone never hears
        return response.status_code

    def replay(self, *, lose_response_of: int | None = None, duplicate_first: bool = False) -> bool:
        """One drain of the queue; says whether it stopped on a failure (the write stays queued)."""
        for index, item in enumerate(list(self.items)):
            if item not in self.items:
                continue  # the other tab sent it meanwhile
            try:
                if duplicate_first and index == 0 and self.online:
                    with ThreadPoolExecutor(2) as tabs:
                        status = min(tabs.map(lambda _, item=item: self.send(item), range(2)))
                else:
                    status = self.send(item, lose_response=index == lose_response_of)
            except NetworkDown:
                return True
            if is_retryable(status):
                return True
            self.items.remove(item)
            if status >= 400:
                self.refused.append((item, status))
        return False


# What a person does with the phone: write something (queued, then replayed at once as the app does), or
# what the network does to it.
write = st.one_of(
    st.tuples(st.just("check_in"), st.sampled_from(range(len(ZONES)))),
    st.tuples(st.just("contact_request"), st.sampled_from(range(REQUEST_TARGETS))),
    st.tuples(st.just("scan"), st.sampled_from(range(SCAN_TARGETS))),
    st.tuples(st.just("note"), st.tuples(st.sampled_from(range(KNOWN_CONTACTS)), st.sampled_from(NOTES))),
)
fault = st.one_of(
    st.just(("offline", None)),
    st.just(("online", None)),
    st.just(("replay", None)),
    st.tuples(st.just("lose_response"), st.integers(0, 3)),
    st.just(("duplicate", None)),
)
steps = st.lists(st.one_of(write, fault), min_size=1, max_size=16)


@pytest.fixture
def place(srv):
    return factories.hallway(srv)


def person(srv, place, name: str) -> factories.Person:
    joined = factories.join(srv, place.event["join_code"], name)
    return factories.Person(id=joined["attendee"]["id"], token=joined["tokens"]["access_token"], name=name)


def speaking(srv, place, speakers: list[factories.Person]) -> None:
    """The speakers of a talk, findable as such: anyone at the event may be shown their cards."""
    for speaker in speakers:
        factories.update_me(srv, speaker.token, findable_as_speaker=True)
    talk = {"title": "Offline-first", "starts_at": place.event["starts_at"], "ends_at": place.event["ends_at"]}
    with srv.client(place.organizer) as client:
        response = client.post(
            f"/api/events/{place.event['id']}/talks", json=talk | {"speaker_ids": [p.id for p in speakers]}
        )
    assert response.status_code == 201, response.text


def scan(srv, me_token: str, other_token: str) -> int:
    with srv.client(other_token) as client:
        code = client.post("/api/me/connect-code").json()["code"]
    with srv.client(me_token) as client:
        response = client.post(
            "/api/contacts/scan", json={"code": code}, headers={"Idempotency-Key": factories.new_key()}
        )
    assert response.status_code == 201, response.text
    return response.json()["id"]


@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_the_outbox_delivers_each_write_exactly_once_whatever_the_network_does(srv, place, steps):
    me = person(srv, place, "Me")
    targets = [person(srv, place, f"Asked {i}") for i in range(REQUEST_TARGETS)]
    speaking(srv, place, targets)  # so Me may be shown them, and ask them, wherever Me checks in
    scanned = [person(srv, place, f"Scanned {i}") for i in range(SCAN_TARGETS)]
    known = [person(srv, place, f"Known {i}") for i in range(KNOWN_CONTACTS)]
    contact_ids = {i: scan(srv, me.token, other.token) for i, other in enumerate(known)}
    codes = []
    for other in scanned:
        with srv.client(other.token) as client:
            codes.append(client.post("/api/me/connect-code").json()["code"])

    written: list[tuple[str, object]] = []
    with srv.client(me.token) as client:
        phone = Outbox(client, contact_ids)
        for action, arg in steps:
            if action == "offline":
                phone.online = False
            elif action == "online":
                phone.online = True
            elif action == "replay":
                phone.replay()
            elif action == "lose_response":
                phone.replay(lose_response_of=arg)
            elif action == "duplicate":
                phone.replay(duplicate_first=True)
            else:
                written.append((action, arg))
                phone.add(action, payload_of(action, arg, place, targets, codes))
                phone.replay()  # the app replays as soon as it queues
        # Back on good Wi-Fi: the app replays until the queue is empty.
        phone.online = True
        for _ in range(len(phone.items) + 1):
            if not phone.replay():
                break
    assert phone.items == [] and phone.refused == []

    with Session(srv.engine) as db:
        check_ins = [zone for kind, zone in written if kind == "check_in"]
        assert db.exec(
            select(func.count()).select_from(CheckInRecord).where(CheckInRecord.attendee_id == me.id)
        ).one() == len(check_ins)
        if check_ins:
            presence = db.exec(select(Presence).where(Presence.attendee_id == me.id)).one()
            assert presence.zone_id == place.zones[ZONES[check_ins[-1]]]["id"]  # the last one counts
        asked = db.exec(select(ContactRequest.to_attendee_id).where(ContactRequest.from_attendee_id == me.id)).all()
        assert sorted(asked) == sorted({targets[i].id for kind, i in written if kind == "contact_request"})
        contacts = db.exec(select(Contact).where(Contact.owner_id == me.id)).all()
        expected = {p.id for p in known} | {scanned[i].id for kind, i in written if kind == "scan"}
        assert sorted(c.other_attendee_id for c in contacts) == sorted(expected)
        last_note = {index: note for kind, (index, note) in ((k, a) for k, a in written if k == "note")}
        for index, note in last_note.items():
            assert db.get(Contact, contact_ids[index]).note == note
        keyed = sum(kind != "note" for kind, _ in written) + KNOWN_CONTACTS
        assert (
            db.exec(
                select(func.count()).select_from(IdempotencyRecord).where(IdempotencyRecord.attendee_id == me.id)
            ).one()
            == keyed
        )


def payload_of(kind: str, arg, place, targets, codes) -> dict:
    if kind == "check_in":
        return {"token": place.zones[ZONES[arg]]["checkin_url"]}
    if kind == "contact_request":
        return {"to_attendee_id": targets[arg].id}
    if kind == "scan":
        return {"code": codes[arg]}
    contact, note = arg
    return {"contact": contact, "note": note}
