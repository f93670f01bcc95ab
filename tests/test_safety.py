"""Block (mutual invisibility, at once) and report (to the event's organizers)."""

import pytest
from sqlmodel import select

from api.safety.models import Block, Report
from tests import factories as f
from tests.conftest import TEST_LIMITS, start_server, wipe


def post(srv, token: str, path: str, body: dict):
    with srv.client(token) as client:
        return client.post(path, json=body, headers={"Idempotency-Key": f.new_key()})


def names(result: dict) -> set[str]:
    return {s["attendee"]["display_name"] for s in result["suggestions"]}


def test_block_is_listed_and_can_be_undone(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    other = h.person(srv, "Hugo", ["Observability"])
    blocked = post(srv, me.token, "/api/me/blocks", {"attendee_id": other.id})
    assert blocked.status_code == 201
    assert blocked.json()["attendee"] == {"id": other.id, "display_name": "Hugo"}
    with srv.client(me.token) as client:
        assert [b["attendee"]["id"] for b in client.get("/api/me/blocks").json()] == [other.id]
        undone = client.delete(f"/api/me/blocks/{other.id}", headers={"Idempotency-Key": f.new_key()})
        assert undone.status_code == 204
        assert client.get("/api/me/blocks").json() == []
    assert names(f.suggestions(srv, me.token)) == {"Hugo"}


def test_a_block_hides_both_people_from_each_other_at_once(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    other = h.person(srv, "Hugo", ["Observability"])
    third = h.person(srv, "Inès", ["Observability"])
    assert names(f.suggestions(srv, other.token)) == {"Léa", "Inès"}
    assert post(srv, me.token, "/api/me/blocks", {"attendee_id": other.id}).status_code == 201
    assert names(f.suggestions(srv, me.token)) == {"Inès"}
    assert names(f.suggestions(srv, other.token)) == {"Inès"}
    assert names(f.suggestions(srv, third.token)) == {"Léa", "Hugo"}


def test_the_blocked_person_cannot_lift_the_block(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    other = h.person(srv, "Hugo", ["Observability"])
    post(srv, me.token, "/api/me/blocks", {"attendee_id": other.id})
    with srv.client(other.token) as client:
        assert client.delete(f"/api/me/blocks/{me.id}", headers={"Idempotency-Key": f.new_key()}).status_code == 204
        assert client.get("/api/me/blocks").json() == []
    assert len(db.exec(select(Block)).all()) == 1
    assert f.suggestions(srv, other.token)["suggestions"] == []


@pytest.mark.parametrize("path", ["/api/me/blocks", "/api/me/reports"])
def test_block_and_report_refuse_self_strangers_and_bad_input(srv, db, path):
    h = f.hallway(srv)
    other_event = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    stranger = other_event.person(srv, "Stranger", ["Observability"])
    extra = {"reason": "harassment"} if path.endswith("reports") else {}

    itself = post(srv, me.token, path, {"attendee_id": me.id} | extra)
    assert itself.status_code == 422 and "yourself" in itself.json()["detail"]
    foreign = post(srv, me.token, path, {"attendee_id": stranger.id} | extra)
    assert foreign.status_code == 404 and foreign.json()["error"] == "NotFound"
    missing = post(srv, me.token, path, {"attendee_id": 999_999} | extra)
    assert missing.status_code == 404
    for bad in ({"attendee_id": "someone"} | extra, {"attendee_id": stranger.id, "extra": 1} | extra, {}):
        response = post(srv, me.token, path, bad)
        assert response.status_code == 422 and response.json()["error"] == "InvalidInput"
    if extra:
        bad_reason = post(srv, me.token, path, {"attendee_id": stranger.id, "reason": "because"})
        assert bad_reason.status_code == 422
    assert db.exec(select(Block)).all() == [] and db.exec(select(Report)).all() == []


def test_reports_reach_the_event_organizers_only(srv):
    h = f.hallway(srv)
    other_event = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    other = h.person(srv, "Hugo", ["Observability"])
    filed = post(srv, me.token, "/api/me/reports", {"attendee_id": other.id, "reason": "harassment", "details": "Rude"})
    assert filed.status_code == 201
    body = filed.json()
    assert (body["attendee_id"], body["reason"], body["details"]) == (other.id, "harassment", "Rude")

    with srv.client(h.organizer) as client:
        page = client.get(f"/api/events/{h.event['id']}/reports").json()
    assert page["total"] == 1
    (report,) = page["items"]
    assert report["reported"] == {"id": other.id, "display_name": "Hugo"}
    assert report["reporter"] == {"id": me.id, "display_name": "Léa"}
    assert (report["reason"], report["details"]) == ("harassment", "Rude")

    with srv.client(other_event.organizer) as client:
        assert client.get(f"/api/events/{h.event['id']}/reports").status_code == 404
    with srv.client(me.token) as client:
        assert client.get(f"/api/events/{h.event['id']}/reports").status_code == 401
    with srv.client(other_event.organizer) as client:
        assert client.get(f"/api/events/{other_event.event['id']}/reports").json()["total"] == 0


def test_a_report_outlives_its_author_but_not_their_name(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    other = h.person(srv, "Hugo", ["Observability"])
    post(srv, me.token, "/api/me/reports", {"attendee_id": other.id, "reason": "spam"})
    with srv.client(me.token) as client:
        assert client.delete("/api/me").status_code == 204
    with srv.client(h.organizer) as client:
        (report,) = client.get(f"/api/events/{h.event['id']}/reports").json()["items"]
    assert report["reporter"] is None and report["reported"]["id"] == other.id


@pytest.fixture
def strict_server(migrated_url, tmp_path, server):
    wipe(server.engine)
    yield from start_server(tmp_path, migrated_url, **TEST_LIMITS, report_rate_per_attendee=(2, 3600))


def test_reports_are_rate_limited_per_attendee(strict_server):
    h = f.hallway(strict_server)
    me = h.person(strict_server, "Léa", ["Observability"])
    other = h.person(strict_server, "Hugo", ["Observability"])
    codes = [
        post(strict_server, me.token, "/api/me/reports", {"attendee_id": other.id, "reason": "spam"}).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]


def test_a_block_hides_the_public_card_both_ways(srv):
    hall = f.hallway(srv)
    alice = hall.person(srv, "Alice", ["Rust"])
    bob = hall.person(srv, "Bob", ["Rust"])
    card = f"/api/events/{hall.event['id']}/attendees"
    with srv.client(bob.token) as client:
        assert client.get(f"{card}/{alice.id}").status_code == 200
    with srv.client(alice.token) as client:
        blocked = client.post("/api/me/blocks", json={"attendee_id": bob.id}, headers={"Idempotency-Key": f.new_key()})
        assert blocked.status_code == 201
        assert client.get(f"{card}/{bob.id}").status_code == 404
    with srv.client(bob.token) as client:
        assert client.get(f"{card}/{alice.id}").status_code == 404
    with srv.client(hall.organizer) as client:
        assert client.get(f"{card}/{alice.id}").status_code == 200
