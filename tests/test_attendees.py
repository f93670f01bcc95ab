"""Joining, one's own profile, interests mapped onto topics, and what others may see."""

from datetime import datetime

from sqlmodel import select

from api.attendees.models import Attendee, AttendeeInterest
from tests import factories


def setup_event(srv):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token, languages=["fr", "en"])
    topics = factories.add_topics(
        srv,
        token,
        event["id"],
        {
            "Observability": ["o11y", "observabilité"],
            "Kubernetes": ["k8s"],
            "Sécurité": ["security"],
        },
    )
    return token, event, topics


def test_join_gives_a_private_profile_and_tokens(srv):
    _, event, _ = setup_event(srv)
    joined = factories.join(srv, event["join_code"].lower(), "Zoë Ñúñez", email="Zoe@Example.org", language="en")
    me = joined["attendee"]
    assert me["display_name"] == "Zoë Ñúñez"
    assert me["email"] == "zoe@example.org"
    assert me["language"] == "en"
    assert me["event_id"] == event["id"]
    with srv.client(joined["tokens"]["access_token"]) as client:
        assert client.get("/api/me").json() == me


def test_language_defaults_to_the_events_first(srv):
    _, event, _ = setup_event(srv)
    assert factories.join(srv, event["join_code"])["attendee"]["language"] == "fr"


def test_unknown_join_code_is_refused_clearly(srv):
    with srv.client() as client:
        response = client.post("/api/join", json={"join_code": "NOPE1234", "display_name": "A"})
    assert response.status_code == 404
    assert "join code" in response.json()["detail"]


def test_interests_map_free_text_by_synonym_case_and_accents(srv):
    _, event, topics = setup_event(srv)
    token = factories.join(srv, event["join_code"])["tokens"]["access_token"]
    with srv.client(token) as client:
        response = client.patch(
            "/api/me",
            json={
                "interests": ["O11Y", "  kubernetes ", "securite", "Observabilite"],
                "goals": ["hire", "meet_speakers"],
                "headline": "SRE lead",
                "open_to_chat": False,
            },
        )
    assert response.status_code == 200, response.text
    me = response.json()
    assert sorted(i["name"] for i in me["interests"]) == ["Kubernetes", "Observability", "Sécurité"]
    assert me["goals"] == ["hire", "meet_speakers"]
    assert me["open_to_chat"] is False


def test_unknown_interests_are_named_and_change_nothing(srv, db):
    _, event, _ = setup_event(srv)
    token = factories.join(srv, event["join_code"])["tokens"]["access_token"]
    with srv.client(token) as client:
        client.patch("/api/me", json={"interests": ["k8s"]})
        response = client.patch("/api/me", json={"interests": ["k8s", "Cobol"], "headline": "changed"})
        assert response.status_code == 422
        assert response.json()["detail"]["unknown_interests"] == ["Cobol"]
        me = client.get("/api/me").json()
    assert [i["name"] for i in me["interests"]] == ["Kubernetes"]
    assert me["headline"] == ""


def test_unknown_fields_are_refused_and_change_nothing(srv, db):
    _, event, _ = setup_event(srv)
    joined = factories.join(srv, event["join_code"])
    with srv.client(joined["tokens"]["access_token"]) as client:
        for body in ({"role": "organizer"}, {"event_id": 999}, {"id": 5}, {"headline": "x", "is_admin": True}):
            response = client.patch("/api/me", json=body)
            assert response.status_code == 422, body
            assert response.json()["error"] == "InvalidInput"
    attendee = db.get(Attendee, joined["attendee"]["id"])
    assert (attendee.role, attendee.event_id, attendee.headline) == ("attendee", event["id"], "")


def test_private_details_are_validated(srv):
    _, event, _ = setup_event(srv)
    token = factories.join(srv, event["join_code"])["tokens"]["access_token"]
    with srv.client(token) as client:
        assert client.patch("/api/me", json={"email": "not-an-email"}).status_code == 422
        assert client.patch("/api/me", json={"phone": "call me maybe"}).status_code == 422
        assert client.patch("/api/me", json={"website_url": "javascript:alert(1)"}).status_code == 422
        ok = client.patch("/api/me", json={"phone": "+33 6 12 34 56 78", "website_url": "https://example.org/me"})
        assert ok.status_code == 200
        cleared = client.patch("/api/me", json={"phone": None})
    assert cleared.json()["phone"] is None


def test_others_see_a_public_card_only_within_the_event(srv):
    organizer, event, _ = setup_event(srv)
    alice = factories.join(srv, event["join_code"], "Alice", email="alice@example.org")
    bob = factories.join(srv, event["join_code"], "Bob")
    with srv.client(alice["tokens"]["access_token"]) as client:
        client.patch("/api/me", json={"phone": "+33 6 00 00 00 00", "interests": ["k8s"], "company": "Qonto"})
    # Both visible at the coffee bar: the visibility rule lets them see each other.
    coffee = factories.add_zone(srv, organizer, event["id"], "Coffee bar")
    for joined in (alice, bob):
        factories.update_me(srv, joined["tokens"]["access_token"], visible=True)
        assert factories.check_in(srv, joined["tokens"]["access_token"], token=coffee["checkin_url"]).status_code == 201
    with srv.client(bob["tokens"]["access_token"]) as client:
        card = client.get(f"/api/events/{event['id']}/attendees/{alice['attendee']['id']}")
    assert card.status_code == 200
    assert card.json()["company"] == "Qonto"
    assert set(card.json()) == {
        *("id", "display_name", "headline", "company", "ask_me_about", "find_me_hint", "photo_url", "role"),
        "interests",
    }
    assert "alice@example.org" not in card.text and "+33" not in card.text

    other_event = factories.create_event(srv, organizer)
    stranger = factories.join(srv, other_event["join_code"], "Mallory")
    with srv.client(stranger["tokens"]["access_token"]) as client:
        assert client.get(f"/api/events/{event['id']}/attendees/{alice['attendee']['id']}").status_code == 404
        assert client.get(f"/api/events/{other_event['id']}/attendees/{alice['attendee']['id']}").status_code == 404


def test_organizers_list_attendees_by_page_and_set_roles(srv):
    organizer, event, _ = setup_event(srv)
    people = [factories.join(srv, event["join_code"], f"Person {i:02d}")["attendee"] for i in range(5)]
    with srv.client(organizer) as client:
        page = client.get(f"/api/events/{event['id']}/attendees", params={"limit": 2, "offset": 2}).json()
        assert page["total"] == 5 and page["limit"] == 2
        assert [p["display_name"] for p in page["items"]] == ["Person 02", "Person 03"]
        assert "email" not in page["items"][0]
        assert client.get(f"/api/events/{event['id']}/attendees", params={"limit": 1000}).status_code == 422
        role = client.patch(f"/api/events/{event['id']}/attendees/{people[0]['id']}/role", json={"role": "speaker"})
        assert role.json()["role"] == "speaker"


def test_organizers_tell_namesakes_apart_by_when_they_joined(srv):
    organizer, event, _ = setup_event(srv)
    twins = [factories.join(srv, event["join_code"], "Alice Martin")["attendee"] for _ in range(2)]
    with srv.client(organizer) as client:
        items = client.get(f"/api/events/{event['id']}/attendees", params={"q": "alice"}).json()["items"]
    assert [item["id"] for item in items] == [twin["id"] for twin in twins]
    first, second = (datetime.fromisoformat(item["joined_at"]) for item in items)
    assert first.tzinfo is not None and first <= second
    # Attendees see cards, never when someone joined.
    with srv.client(factories.join(srv, event["join_code"], "Bob")["tokens"]["access_token"]) as client:
        assert client.get(f"/api/events/{event['id']}/attendees").status_code == 401


def test_organizers_find_attendees_by_part_of_their_name(srv):
    organizer, event, _ = setup_event(srv)
    for name in ["Ada Lovelace", "Grace Hopper", "Adam Smith", "100%_sure"]:
        factories.join(srv, event["join_code"], name)
    other_event = factories.create_event(srv, organizer)
    factories.join(srv, other_event["join_code"], "Ada Elsewhere")
    url = f"/api/events/{event['id']}/attendees"
    with srv.client(organizer) as client:
        found = client.get(url, params={"q": "ADA"}).json()
        assert [p["display_name"] for p in found["items"]] == ["Ada Lovelace", "Adam Smith"]
        assert found["total"] == 2
        second = client.get(url, params={"q": "ada", "limit": 1, "offset": 1}).json()
        assert [p["display_name"] for p in second["items"]] == ["Adam Smith"] and second["total"] == 2
        assert [p["display_name"] for p in client.get(url, params={"q": "%_"}).json()["items"]] == ["100%_sure"]
        assert client.get(url, params={"q": "nobody"}).json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
        assert client.get(url, params={"q": "x" * 81}).status_code == 422


def test_deleting_my_account_erases_my_rows(srv, db):
    _, event, _ = setup_event(srv)
    joined = factories.join(srv, event["join_code"], email="gone@example.org")
    with srv.client(joined["tokens"]["access_token"]) as client:
        client.patch("/api/me", json={"interests": ["k8s"]})
        assert client.delete("/api/me").status_code == 204
    attendee_id = joined["attendee"]["id"]
    assert db.get(Attendee, attendee_id) is None
    assert db.exec(select(AttendeeInterest).where(AttendeeInterest.attendee_id == attendee_id)).all() == []
