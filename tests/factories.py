"""Build test data through the real API (and the real sign-in flow)."""

from datetime import UTC, datetime, timedelta
from itertools import count

from sqlmodel import Session

from api.auth.service import create_magic_link
from tests.conftest import Server

_seq = count(1)


def organizer_token(srv: Server, email: str | None = None) -> str:
    """An organizer signed in the way a real one is: `organizer add`'s link, then redeeming it."""
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
    return response.json()["access_token"]


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
    with srv.client() as client:
        response = client.post("/api/join", json={"join_code": join_code, "display_name": name} | fields)
    assert response.status_code == 201, response.text
    return response.json()
