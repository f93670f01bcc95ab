"""Build test data through the real API (and the real sign-in flow)."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import httpx
from sqlmodel import Session

from api.auth.service import create_magic_link
from tests.conftest import Server

_seq = count(1)


def organizer_token(srv: Server, email: str | None = None) -> str:
    """An organizer signed in the way a real one is: `organizer add`'s link, then redeeming it."""
    return organizer_tokens(srv, email)["access_token"]


def organizer_tokens(srv: Server, email: str | None = None) -> dict:
    """The whole token pair of a newly signed-in organizer, as the app keeps it."""
    from api.organizers.service import add_organizer

    email = email or f"organizer{next(_seq)}@example.org"
    with Session(srv.engine) as session:
        organizer = add_organizer(session, email)
        link = create_magic_link(session, srv.settings, organizer_id=organizer.id)
        session.commit()
    token = link.split("#token=", 1)[1]
    with srv.client() as client:
        response = client.post("/api/auth/magic-link/redeem", json={"token": token})
    assert response.status_code == 200, response.text
    return response.json()


def create_event(srv: Server, token: str, **fields) -> dict:
    now = datetime.now(UTC)
    body = {
        "name": "DevOps Days Lyon",
        "slug": f"devops-days-{next(_seq)}",
        "subject": "platform engineering",
        "timezone": "Europe/Paris",
        "starts_at": (now - timedelta(hours=2)).isoformat(),
        "ends_at": (now + timedelta(hours=8)).isoformat(),
    } | fields
    with srv.client(token) as client:
        response = client.post("/api/events", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def add_topics(srv: Server, token: str, event_id: int, topics: dict[str, list[str]]) -> dict[str, int]:
    ids = {}
    with srv.client(token) as client:
        for name, synonyms in topics.items():
            response = client.post(f"/api/events/{event_id}/topics", json={"name": name, "synonyms": synonyms})
            assert response.status_code == 201, response.text
            ids[name] = response.json()["id"]
    return ids


def add_zone(srv: Server, token: str, event_id: int, name: str, kind: str = "coffee", neighbour_ids=()) -> dict:
    with srv.client(token) as client:
        response = client.post(
            f"/api/events/{event_id}/zones", json={"name": name, "kind": kind, "neighbour_ids": list(neighbour_ids)}
        )
    assert response.status_code == 201, response.text
    return response.json()


def join(srv: Server, join_code: str, name: str = "Camille Martin", **fields) -> dict:
    """Joined, and an `email` given proved the way its owner does (see `prove_email`)."""
    with srv.client() as client:
        response = client.post("/api/join", json={"join_code": join_code, "display_name": name} | fields)
    assert response.status_code == 201, response.text
    joined = response.json()
    if fields.get("email"):
        prove_email(srv, joined["attendee"]["id"], fields["email"])
        joined["attendee"]["email"] = fields["email"].lower()
    return joined


def prove_email(srv: Server, attendee_id: int, email: str) -> dict:
    """The owner of `email` follows the link that confirms it as the attendee's (made here rather than read
    from the mail, which the app sends after its response), and is signed in by it."""
    with Session(srv.engine) as session:
        link = create_magic_link(session, srv.settings, attendee_id=attendee_id, confirms_email=email.lower())
        session.commit()
    with srv.client() as client:
        response = client.post("/api/auth/magic-link/redeem", json={"token": link.split("#token=", 1)[1]})
    assert response.status_code == 200, response.text
    return response.json()


def vouch(srv: Server, attendee_id: int) -> dict:
    """Sign an attendee in by a personal link, as an invitation or an emailed sign-in link does (which makes
    their account vouched); returns the new device's token pair."""
    with Session(srv.engine) as session:
        link = create_magic_link(session, srv.settings, attendee_id=attendee_id)
        session.commit()
    with srv.client() as client:
        response = client.post("/api/auth/magic-link/redeem", json={"token": link.split("#token=", 1)[1]})
    assert response.status_code == 200, response.text
    return response.json()


# Presence and matching ----------------------------------------------------------------------------


def new_key() -> str:
    """A client-made Idempotency-Key, as the phone makes one per action."""
    return uuid.uuid4().hex


def update_me(srv: Server, token: str, **fields) -> dict:
    """PATCH /api/me; a new `email` is then proved by its owner, as the app asks."""
    with srv.client(token) as client:
        response = client.patch("/api/me", json=fields)
        assert response.status_code == 200, response.text
        if fields.get("email"):
            prove_email(srv, response.json()["id"], fields["email"])
            response = client.get("/api/me")
    return response.json()


def check_in(srv: Server, access_token: str, *, key: str | None = None, **body) -> httpx.Response:
    """POST a check-in with `token=` (scanned) or `code=` (typed)."""
    with srv.client(access_token) as client:
        return client.post("/api/me/check-ins", json=body, headers={"Idempotency-Key": key or new_key()})


def suggestions(srv: Server, token: str, **params) -> dict:
    with srv.client(token) as client:
        response = client.get("/api/me/suggestions", params=params)
    assert response.status_code == 200, response.text
    return response.json()


@dataclass
class Person:
    id: int
    token: str
    name: str


@dataclass
class Hallway:
    """An event with topics and zones: coffee bar <-> buffet are neighbours, the lounge is apart."""

    organizer: str
    event: dict
    topics: dict[str, int]
    zones: dict[str, dict]

    def person(
        self,
        srv: Server,
        name: str,
        interests: list[str],
        *,
        zone: str | None = "coffee",
        visible: bool = True,
        vouched: bool = True,
        **profile,
    ) -> Person:
        """A joined attendee with a profile, checked in at `zone` (None: not checked in). `vouched`: signed in
        once by a personal link too, so they count in attendees' figures; else only the join code's account."""
        joined = join(srv, self.event["join_code"], name)
        token = joined["tokens"]["access_token"]
        if vouched:
            vouch(srv, joined["attendee"]["id"])
        update_me(srv, token, interests=interests, visible=visible, **profile)
        if zone is not None:
            response = check_in(srv, token, token=self.zones[zone]["checkin_url"])
            assert response.status_code == 201, response.text
        return Person(id=joined["attendee"]["id"], token=token, name=name)


HALLWAY_TOPICS = {
    "Observability": ["o11y"],
    "Kubernetes": ["k8s"],
    "eBPF": [],
    "Rust": [],
    "FinOps": [],
    "Security": [],
}


def hallway(srv: Server, **event_fields) -> Hallway:
    organizer = organizer_token(srv)
    event = create_event(srv, organizer, **event_fields)
    topics = add_topics(srv, organizer, event["id"], HALLWAY_TOPICS)
    coffee = add_zone(srv, organizer, event["id"], "Coffee bar", "coffee")
    buffet = add_zone(srv, organizer, event["id"], "Buffet", "buffet", neighbour_ids=[coffee["id"]])
    lounge = add_zone(srv, organizer, event["id"], "Lounge", "lounge")
    return Hallway(organizer, event, topics, {"coffee": coffee, "buffet": buffet, "lounge": lounge})


# Organizer set-up ---------------------------------------------------------------------------------

DATA = Path(__file__).parent / "data"


def upload(
    srv: Server, token: str, path: str, content: bytes, content_type: str, *, params=None, headers=None
) -> httpx.Response:
    """POST a file as the request body, the way the organizer's screens send an import."""
    with srv.client(token) as client:
        return client.post(
            path, content=content, params=params, headers={"Content-Type": content_type} | (headers or {})
        )


# Push ---------------------------------------------------------------------------------------------


def subscribe(srv: Server, token: str, subscription: dict, *, key: str | None = None) -> httpx.Response:
    """POST a browser's PushSubscription JSON, as the app does after PushManager.subscribe()."""
    with srv.client(token) as client:
        return client.post(
            "/api/me/push-subscriptions", json=subscription, headers={"Idempotency-Key": key or new_key()}
        )


def add_break(
    srv: Server, organizer: str, event_id: int, *, started_minutes_ago: float = 1, minutes_left: float = 10
) -> dict:
    """A break under way now (or, with a negative start, one to come)."""
    now = datetime.now(UTC)
    body = {
        "label": "Coffee break",
        "starts_at": (now - timedelta(minutes=started_minutes_ago)).isoformat(),
        "ends_at": (now + timedelta(minutes=minutes_left)).isoformat(),
    }
    with srv.client(organizer) as client:
        response = client.post(f"/api/events/{event_id}/breaks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def nudge_tick(srv: Server, settings=None, **options):
    """One tick of the nudge scheduler against the test server's database, on its own thread as in the
    service: the tick runs an event loop of its own, and Playwright's may be running on this one."""
    from api.push import scheduler

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(scheduler.tick, srv.engine, settings or srv.settings, **options).result()
