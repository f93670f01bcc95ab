"""Organizers set up events, zones, topics and the agenda."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from api.events.models import Event, Zone
from tests import factories


def test_organizer_creates_and_edits_an_event(srv):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token, ticket_price_cents=150_000, currency="EUR", languages=["fr"])
    assert len(event["join_code"]) == 8
    assert event["join_url"].endswith(f"/join/{event['join_code']}")
    assert event["languages"] == ["fr"]
    with srv.client(token) as client:
        updated = client.patch(
            f"/api/events/{event['id']}",
            json={"subject": "observability", "currency": None, "ticket_price_cents": None},
        )
        assert updated.status_code == 200, updated.text
        assert updated.json()["subject"] == "observability"
        assert updated.json()["ticket_price_cents"] is None
        assert [e["id"] for e in client.get("/api/events").json()] == [event["id"]]


def test_event_input_is_validated(srv, db):
    token = factories.organizer_token(srv)
    now = datetime.now(UTC)
    base = {
        "name": "X",
        "slug": "x-conf",
        "subject": "s",
        "timezone": "Europe/Paris",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    bad = [
        base | {"timezone": "Mars/Olympus"},
        base | {"ends_at": (now - timedelta(hours=1)).isoformat()},
        base | {"starts_at": "2026-11-26T10:00:00"},  # no time zone
        base | {"slug": "Not A Slug"},
        base | {"ticket_price_cents": 1000},  # no currency
        base | {"languages": ["de"]},
        base | {"join_code": "CHOSEN"},  # not settable
    ]
    with srv.client(token) as client:
        for body in bad:
            response = client.post("/api/events", json=body)
            assert response.status_code == 422, body
            assert response.json()["error"] == "InvalidInput"
        event = factories.create_event(srv, token)
        assert client.patch(f"/api/events/{event['id']}", json={"name": None}).status_code == 422
        assert client.post("/api/events", json=base | {"slug": event["slug"]}).status_code == 409
    assert db.exec(select(Event)).all().__len__() == 1


def test_organizers_change_the_languages_and_the_presence_retention(srv, db):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token, languages=["fr", "en"])
    url = f"/api/events/{event['id']}"
    with srv.client(token) as client:
        changed = client.patch(url, json={"languages": ["en", "fr"], "presence_retention_days": 30})
        assert changed.status_code == 200
        assert changed.json()["languages"] == ["en", "fr"] and changed.json()["presence_retention_days"] == 30
        for bad in [
            {"languages": []},
            {"languages": ["en", "en"]},
            {"languages": ["de"]},
            {"languages": None},
            {"presence_retention_days": -1},
            {"presence_retention_days": 366},
            {"presence_retention_days": None},
            {"languages": ["fr"], "presence_retention_days": 400},
        ]:
            refused = client.patch(url, json=bad)
            assert refused.status_code == 422, bad
        assert client.get(url).json()["languages"] == ["en", "fr"]
    stored = db.get(Event, event["id"])
    assert (stored.languages, stored.presence_retention_days) == (["en", "fr"], 30)


def test_an_end_before_the_start_is_refused_by_its_field(srv):
    """Whether the schema or the stored start refuses it, the refusal names ends_at, so the console labels it."""
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token)
    starts = datetime.fromisoformat(event["starts_at"])
    before = (starts - timedelta(hours=1)).isoformat()
    body = {"name": "X", "slug": "x-conf", "subject": "s", "timezone": "UTC", "starts_at": starts.isoformat()}
    slot = {"label": "Coffee", "starts_at": starts.isoformat()}
    with srv.client(token) as client:
        refusals = [
            client.post("/api/events", json=body | {"ends_at": before}),
            client.patch(f"/api/events/{event['id']}", json={"ends_at": before}),
            client.post(f"/api/events/{event['id']}/breaks", json=slot | {"ends_at": before}),
        ]
    for refused in refusals:
        assert refused.status_code == 422
        (problem,) = refused.json()["detail"]
        assert problem["loc"] == ["body", "ends_at"] and "ends_at must be after starts_at" in problem["msg"]


def test_regenerating_the_join_code_stops_the_old_one(srv):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token)
    with srv.client(token) as client:
        new = client.post(f"/api/events/{event['id']}/join-code").json()["join_code"]
    assert new != event["join_code"]
    with srv.client() as client:
        assert client.post("/api/join", json={"join_code": event["join_code"], "display_name": "A"}).status_code == 404
    factories.join(srv, new)


def test_zones_have_neighbours_and_rotatable_tokens(srv, db):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token)
    coffee = factories.add_zone(srv, token, event["id"], "Coffee bar", "coffee")
    buffet = factories.add_zone(srv, token, event["id"], "Buffet", "buffet", [coffee["id"]])
    assert buffet["neighbour_ids"] == [coffee["id"]]
    assert buffet["checkin_url"] == f"{srv.base_url}/z/{buffet['checkin_token']}"
    assert len(buffet["code"]) == 4
    with srv.client(token) as client:
        zones = {z["name"]: z for z in client.get(f"/api/events/{event['id']}/zones").json()}
        assert zones["Coffee bar"]["neighbour_ids"] == [buffet["id"]]  # symmetric
        rotated = client.post(f"/api/events/{event['id']}/zones/{buffet['id']}/rotate-token").json()
        assert rotated["checkin_token"] != buffet["checkin_token"]
        assert (
            client.post(f"/api/events/{event['id']}/zones", json={"name": "buffet", "kind": "buffet"}).status_code
            == 409
        )
        assert client.post(f"/api/events/{event['id']}/zones", json={"name": "X", "kind": "sauna"}).status_code == 422
        assert (
            client.patch(
                f"/api/events/{event['id']}/zones/{coffee['id']}", json={"neighbour_ids": [coffee["id"]]}
            ).status_code
            == 422
        )
        assert (
            client.patch(f"/api/events/{event['id']}/zones/{coffee['id']}", json={"neighbour_ids": [99999]}).status_code
            == 422
        )
        assert client.delete(f"/api/events/{event['id']}/zones/{coffee['id']}").status_code == 204
        remaining = client.get(f"/api/events/{event['id']}/zones").json()
    assert [(z["name"], z["neighbour_ids"]) for z in remaining] == [("Buffet", [])]
    assert len(db.exec(select(Zone)).all()) == 1


def test_topics_have_unique_words(srv):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token)
    factories.add_topics(srv, token, event["id"], {"Observability": ["o11y", "Observabilité"]})
    with srv.client(token) as client:
        clash = client.post(f"/api/events/{event['id']}/topics", json={"name": "OBSERVABILITE"})
        assert clash.status_code == 409
        assert "Observability" in clash.json()["detail"]
        topics = client.get(f"/api/events/{event['id']}/topics").json()
    assert topics == [
        {
            "id": topics[0]["id"],
            "name": "Observability",
            "name_fr": None,
            "name_en": None,
            "synonyms": ["o11y", "Observabilité"],
        }
    ]


def test_agenda_with_talks_speakers_and_breaks(srv):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token)
    topics = factories.add_topics(srv, token, event["id"], {"Kubernetes": ["k8s"]})
    speaker = factories.join(srv, event["join_code"], "Léa Dubois")["attendee"]
    now = datetime.now(UTC).replace(microsecond=0)
    with srv.client(token) as client:
        talk = client.post(
            f"/api/events/{event['id']}/talks",
            json={
                "title": "GitOps at 400 clusters",
                "room": "Amphi A",
                "starts_at": now.isoformat(),
                "ends_at": (now + timedelta(minutes=45)).isoformat(),
                "topic_ids": [topics["Kubernetes"]],
                "speaker_ids": [speaker["id"]],
            },
        )
        assert talk.status_code == 201, talk.text
        pause = client.post(
            f"/api/events/{event['id']}/breaks",
            json={
                "label": "Coffee break",
                "starts_at": (now + timedelta(minutes=45)).isoformat(),
                "ends_at": (now + timedelta(minutes=65)).isoformat(),
            },
        )
        assert pause.status_code == 201
        bad_speaker = client.post(
            f"/api/events/{event['id']}/talks",
            json={
                "title": "T",
                "starts_at": now.isoformat(),
                "ends_at": (now + timedelta(minutes=5)).isoformat(),
                "speaker_ids": [123456],
            },
        )
        assert bad_speaker.status_code == 422
        backwards = client.patch(
            f"/api/events/{event['id']}/breaks/{pause.json()['id']}", json={"ends_at": now.isoformat()}
        )
        assert backwards.status_code == 422
    attendee_token = factories.join(srv, event["join_code"], "Hugo")["tokens"]["access_token"]
    with srv.client(attendee_token) as client:
        agenda = client.get(f"/api/events/{event['id']}/agenda").json()
    assert agenda["talks"][0]["speakers"] == [{"id": speaker["id"], "display_name": "Léa Dubois"}]
    assert agenda["talks"][0]["topic_ids"] == [topics["Kubernetes"]]
    assert agenda["breaks"][0]["label"] == "Coffee break"
    assert datetime.fromisoformat(agenda["breaks"][0]["ends_at"]) == now + timedelta(minutes=65)


def test_attendees_see_the_public_event_without_secrets(srv):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token)
    factories.add_zone(srv, token, event["id"], "Coffee bar")
    attendee_token = factories.join(srv, event["join_code"])["tokens"]["access_token"]
    with srv.client(attendee_token) as client:
        public = client.get(f"/api/events/{event['id']}/public")
        assert client.get(f"/api/events/{event['id']}").status_code == 401  # organizer view
        assert client.get(f"/api/events/{event['id']}/zones").status_code == 401
    assert public.status_code == 200
    assert "join_code" not in public.text and "checkin_token" not in public.text
    assert public.json()["zones"][0]["name"] == "Coffee bar"
