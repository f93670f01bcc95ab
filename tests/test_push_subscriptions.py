"""Push subscriptions, preferences, hallway moments and opened nudges through the API: validation, the
SSRF refusals of production settings, idempotency, and who may touch what."""

from collections.abc import Iterator
from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import select

from api.core.config import Settings
from api.core.db import utcnow
from api.push.models import HallwayMoment, Nudge, PushPreference, PushSubscription
from api.push.routes import endpoint_resolver
from api.push.service import MAX_DEVICES, vapid_keys
from tests import factories as f
from tests.conftest import TEST_LIMITS, Server, start_server
from tests.push_receiver import PushReceiver

ALL_ON = {"enabled": True, "break_nudges": True, "speaker_nearby": True, "contact_requests": True}


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as running:
        yield running


def devices(srv, token: str) -> list[dict]:
    with srv.client(token) as client:
        response = client.get("/api/me/push-subscriptions")
    assert response.status_code == 200, response.text
    return response.json()


def attendee(srv, event: dict, name: str = "Léa") -> f.Person:
    joined = f.join(srv, event["join_code"], name)
    return f.Person(id=joined["attendee"]["id"], token=joined["tokens"]["access_token"], name=name)


@pytest.fixture
def event(srv) -> dict:
    return f.create_event(srv, f.organizer_token(srv))


def test_the_vapid_public_key_is_public_and_is_the_servers(srv):
    with srv.client() as client:
        response = client.get("/api/push/vapid-public-key")
    assert response.status_code == 200
    key = response.json()["public_key"]
    assert key == vapid_keys(srv.settings).public_key
    assert len(key) == 87  # a 65-byte uncompressed P-256 point, URL-safe base64 without padding


@pytest.mark.parametrize("subject", ["ops@couloir.example", "http://couloir.example", "mailto:nobody", "https://a@b"])
def test_a_vapid_subject_push_services_would_refuse_is_refused_at_start(tmp_path, subject):
    with pytest.raises(ValidationError, match="vapid_subject"):
        Settings(data_dir=tmp_path, vapid_subject=subject)
    assert Settings(data_dir=tmp_path, vapid_subject="https://couloir.example/contact").vapid_subject


def test_the_vapid_key_is_made_once_in_the_data_dir_or_given_as_pem(tmp_path):
    made = vapid_keys(Settings(data_dir=tmp_path / "a"))
    assert vapid_keys(Settings(data_dir=tmp_path / "a")) == made  # kept across restarts
    given = vapid_keys(Settings(data_dir=tmp_path / "b", vapid_private_key=made.private_pem))
    assert given.public_key == made.public_key
    assert not (tmp_path / "b").exists()


def test_a_device_subscribes_updates_and_unsubscribes(srv, db, event, receiver):
    me = attendee(srv, event)
    phone, laptop = receiver.new_subscription(), receiver.new_subscription()

    added = f.subscribe(srv, me.token, phone)
    assert added.status_code == 201, added.text
    assert added.json()["push_service"] == "127.0.0.1"
    # The browser re-subscribes the same endpoint with new keys: still one device, with the new keys.
    renewed = {**phone, "keys": receiver.new_subscription()["keys"]}
    assert f.subscribe(srv, me.token, renewed).json()["id"] == added.json()["id"]
    second = f.subscribe(srv, me.token, laptop)
    assert second.status_code == 201

    assert [d["id"] for d in devices(srv, me.token)] == [added.json()["id"], second.json()["id"]]
    stored = db.exec(select(PushSubscription).where(PushSubscription.endpoint == phone["endpoint"])).one()
    assert (stored.p256dh, stored.auth) == (renewed["keys"]["p256dh"], renewed["keys"]["auth"])

    with srv.client(me.token) as client:
        assert client.delete(f"/api/me/push-subscriptions/{added.json()['id']}").status_code == 204
        assert client.delete(f"/api/me/push-subscriptions/{added.json()['id']}").status_code == 404
        gone = client.delete("/api/me/push-subscriptions", params={"endpoint": laptop["endpoint"]})
        assert gone.status_code == 204
        # The end state holds, so unsubscribing an unknown endpoint again is no error.
        assert client.delete("/api/me/push-subscriptions", params={"endpoint": laptop["endpoint"]}).status_code == 204
    assert devices(srv, me.token) == []


def test_a_retried_subscription_is_replayed_and_a_reused_key_refused(srv, event, receiver):
    me = attendee(srv, event)
    sub = receiver.new_subscription()
    key = f.new_key()
    first, again = f.subscribe(srv, me.token, sub, key=key), f.subscribe(srv, me.token, sub, key=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"

    other = f.subscribe(srv, me.token, receiver.new_subscription(), key=key)
    assert other.status_code == 422 and other.json()["error"] == "IdempotencyKeyReused"
    with srv.client(me.token) as client:
        missing = client.post("/api/me/push-subscriptions", json=receiver.new_subscription())
    assert missing.status_code == 422 and missing.json()["error"] == "MissingIdempotencyKey"
    assert len(devices(srv, me.token)) == 1


def test_devices_are_capped_the_least_recently_renewed_goes(srv, event, receiver):
    me = attendee(srv, event)
    subs = [receiver.new_subscription() for _ in range(MAX_DEVICES + 1)]
    ids = [f.subscribe(srv, me.token, sub).json()["id"] for sub in subs]
    assert [d["id"] for d in devices(srv, me.token)] == ids[1:]


def _bad_bodies(receiver: PushReceiver) -> list[tuple[dict, str]]:
    good = receiver.new_subscription()
    keys = good["keys"]
    return [
        ({"endpoint": good["endpoint"]}, "InvalidInput"),
        ({**good, "extra": 1}, "InvalidInput"),
        ({**good, "keys": {**keys, "extra": "x"}}, "InvalidInput"),
        ({**good, "endpoint": "x" * 2049}, "InvalidInput"),
        ({**good, "endpoint": "ftp://127.0.0.1/push"}, "UnsafePushEndpoint"),
        ({**good, "endpoint": "not a url"}, "UnsafePushEndpoint"),
        ({**good, "keys": {**keys, "p256dh": "!!!"}}, "InvalidSubscriptionKeys"),
        ({**good, "keys": {**keys, "p256dh": keys["p256dh"][:-8]}}, "InvalidSubscriptionKeys"),
        ({**good, "keys": {**keys, "p256dh": "BA" + "A" * 85}}, "InvalidSubscriptionKeys"),  # not on the curve
        ({**good, "keys": {**keys, "auth": keys["auth"][:-4]}}, "InvalidSubscriptionKeys"),
    ]


def test_bad_subscriptions_get_clear_errors_and_change_nothing(srv, db, event, receiver):
    me = attendee(srv, event)
    for body, error in _bad_bodies(receiver):
        response = f.subscribe(srv, me.token, body)
        assert response.status_code == 422, body
        assert response.json()["error"] == error, response.json()
        assert response.json()["detail"]
    assert db.exec(select(PushSubscription)).all() == []


# SSRF: the production default refuses endpoints that lead into our own network ----------------------

ZONE = {
    "fcm.googleapis.com": ["142.250.74.10", "2a00:1450:4001:80b::200a"],
    "internal.example": ["192.168.1.10"],
    "metadata.example": ["169.254.169.254"],
    "rebind.example": ["93.184.215.14", "10.0.0.5"],
}


@pytest.fixture(scope="module")
def production(server: Server, migrated_url: str) -> Iterator[Server]:
    """A server with the production default (no private push endpoints), resolving names from ZONE."""
    servers = start_server(server.settings.data_dir, migrated_url, push_allow_private_endpoints=False, **TEST_LIMITS)
    for running in servers:
        running.app.dependency_overrides[endpoint_resolver] = lambda: lambda host, port: ZONE.get(host, [])
        yield running


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",
        "https://127.0.0.1/push/abc",
        "https://10.1.2.3/push/abc",
        "https://172.16.0.1/push/abc",
        "https://192.168.0.1/push/abc",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/push/abc",
        "https://[fd00::1]/push/abc",
        "https://[::ffff:10.0.0.1]/push/abc",
        "https://localhost/push/abc",
        "https://internal.example/push/abc",
        "https://metadata.example/latest/meta-data",
        "https://rebind.example/push/abc",
        "https://nowhere.example/push/abc",
    ],
)
def test_production_refuses_endpoints_leading_into_our_network(srv, db, production, receiver, endpoint):
    me = attendee(production, f.create_event(production, f.organizer_token(production)))
    response = f.subscribe(production, me.token, {**receiver.new_subscription(), "endpoint": endpoint})
    assert response.status_code == 422
    assert response.json()["error"] == "UnsafePushEndpoint"
    assert response.json()["detail"].startswith("push endpoint")
    assert db.exec(select(PushSubscription)).all() == []


def test_production_accepts_a_public_push_service(srv, production, receiver):
    me = attendee(production, f.create_event(production, f.organizer_token(production)))
    endpoint = "https://fcm.googleapis.com/fcm/send/abc:APA91b"
    response = f.subscribe(production, me.token, {**receiver.new_subscription(), "endpoint": endpoint})
    assert response.status_code == 201, response.text
    assert response.json()["push_service"] == "fcm.googleapis.com"


# Preferences ------------------------------------------------------------------------------------------


def test_preferences_default_to_on_and_are_replaced_whole(srv, event):
    me, other = attendee(srv, event), attendee(srv, event, "Ada")
    with srv.client(me.token) as client:
        assert client.get("/api/me/push-preferences").json() == ALL_ON
        quiet = ALL_ON | {"break_nudges": False, "speaker_nearby": False}
        assert client.put("/api/me/push-preferences", json=quiet).json() == quiet
        assert client.get("/api/me/push-preferences").json() == quiet
        off = quiet | {"enabled": False}
        assert client.put("/api/me/push-preferences", json=off).status_code == 200
        assert client.get("/api/me/push-preferences").json() == off
    with srv.client(other.token) as client:
        assert client.get("/api/me/push-preferences").json() == ALL_ON


@pytest.mark.parametrize(
    "body", [{}, {"enabled": False}, ALL_ON | {"enabled": "nope"}, ALL_ON | {"sms": True}, ALL_ON | {"enabled": None}]
)
def test_bad_preferences_get_clear_errors_and_change_nothing(srv, db, event, body):
    me = attendee(srv, event)
    with srv.client(me.token) as client:
        response = client.put("/api/me/push-preferences", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidInput"
    assert db.exec(select(PushPreference)).all() == []


# Hallway moments ----------------------------------------------------------------------------------------


def test_an_organizer_starts_a_hallway_moment_now(srv, db):
    organizer = f.organizer_token(srv)
    mine = f.create_event(srv, organizer)
    before = utcnow()
    with srv.client(organizer) as client:
        body = {"minutes": 15, "label": "Keynote ran short"}
        response = client.post(f"/api/events/{mine['id']}/hallway-moments", json=body)
    assert response.status_code == 201, response.text
    moment = db.exec(select(HallwayMoment)).one()
    assert moment.label == "Keynote ran short" and before <= moment.starts_at <= utcnow()
    assert (moment.ends_at - moment.starts_at).total_seconds() == 15 * 60


@pytest.mark.parametrize(
    "body",
    [{}, {"minutes": 0}, {"minutes": 121}, {"minutes": "ten"}, {"minutes": 10, "label": ""}, {"minutes": 10, "at": 1}],
)
def test_bad_hallway_moments_get_clear_errors_and_change_nothing(srv, db, body):
    organizer = f.organizer_token(srv)
    mine = f.create_event(srv, organizer)
    with srv.client(organizer) as client:
        response = client.post(f"/api/events/{mine['id']}/hallway-moments", json=body)
    assert response.status_code == 422 and response.json()["error"] == "InvalidInput"
    assert db.exec(select(HallwayMoment)).all() == []


def test_no_hallway_moment_when_the_event_is_not_under_way(srv, db):
    organizer = f.organizer_token(srv)
    later = f.create_event(srv, organizer, starts_at="2031-06-01T08:00:00+00:00", ends_at="2031-06-02T18:00:00+00:00")
    with srv.client(organizer) as client:
        response = client.post(f"/api/events/{later['id']}/hallway-moments", json={"minutes": 10})
    assert response.status_code == 409 and response.json()["error"] == "Conflict"
    assert db.exec(select(HallwayMoment)).all() == []


# Who may touch what ---------------------------------------------------------------------------------------


def _nudge_for(db, person: f.Person, event_id: int) -> Nudge:
    nudge = Nudge(
        attendee_id=person.id, event_id=event_id, break_key="break:1", reason="match_nearby", day=date.today(),
        break_slot=1, day_slot=1, status="delivered",
    )  # fmt: skip
    db.add(nudge)
    db.commit()
    return nudge


def test_nudges_are_marked_opened_once_and_only_by_their_attendee(srv, db, event):
    me, neighbour = attendee(srv, event), attendee(srv, event, "Ada")
    stranger = attendee(srv, f.create_event(srv, f.organizer_token(srv)), "Eve")
    nudge = _nudge_for(db, me, event["id"])
    for intruder in (neighbour, stranger):
        with srv.client(intruder.token) as client:
            response = client.post(f"/api/me/nudges/{nudge.id}/opened")
        assert response.status_code == 404 and response.json()["error"] == "NotFound"
    db.refresh(nudge)
    assert nudge.opened_at is None

    with srv.client(me.token) as client:
        assert client.post(f"/api/me/nudges/{nudge.id}/opened").status_code == 204
        db.refresh(nudge)
        first = nudge.opened_at
        assert first is not None
        assert client.post(f"/api/me/nudges/{nudge.id}/opened").status_code == 204
        assert client.post(f"/api/me/nudges/{nudge.id + 1}/opened").status_code == 404
    db.refresh(nudge)
    assert nudge.opened_at == first


def test_another_attendee_cannot_see_or_remove_my_devices(srv, db, event, receiver):
    me, neighbour = attendee(srv, event), attendee(srv, event, "Ada")
    stranger = attendee(srv, f.create_event(srv, f.organizer_token(srv)), "Eve")
    sub = receiver.new_subscription()
    mine = f.subscribe(srv, me.token, sub).json()["id"]
    for intruder in (neighbour, stranger):
        with srv.client(intruder.token) as client:
            refused = client.delete(f"/api/me/push-subscriptions/{mine}")
            assert refused.status_code == 404 and refused.json()["error"] == "NotFound"
            # By endpoint, the intruder can only ever reach their own devices: nothing happens.
            assert client.delete("/api/me/push-subscriptions", params={"endpoint": sub["endpoint"]}).status_code == 204
            assert client.get("/api/me/push-subscriptions").json() == []
    assert [d["id"] for d in devices(srv, me.token)] == [mine]


PUSH_ROUTES = [
    ("GET", "/api/me/push-subscriptions"),
    ("POST", "/api/me/push-subscriptions"),
    ("DELETE", "/api/me/push-subscriptions?endpoint=https://fcm.googleapis.com/x"),
    ("DELETE", "/api/me/push-subscriptions/1"),
    ("GET", "/api/me/push-preferences"),
    ("PUT", "/api/me/push-preferences"),
    ("POST", "/api/me/nudges/1/opened"),
]


@pytest.mark.parametrize(("method", "path"), PUSH_ROUTES)
def test_my_push_routes_refuse_a_missing_or_organizer_token(srv, method, path):
    organizer = f.organizer_token(srv)
    for token in (None, organizer):
        with srv.client(token) as client:
            response = client.request(method, path, json=ALL_ON if method == "PUT" else None)
        assert response.status_code == 401, (method, path, token)
        assert response.json()["error"] == "NotAuthenticated"


def test_only_the_events_organizers_start_a_hallway_moment(srv, db):
    organizer = f.organizer_token(srv)
    mine = f.create_event(srv, organizer)
    member = attendee(srv, mine)
    other_organizer = f.organizer_token(srv)
    for token, status in ((None, 401), (member.token, 401), (other_organizer, 404)):
        with srv.client(token) as client:
            response = client.post(f"/api/events/{mine['id']}/hallway-moments", json={"minutes": 10})
        assert response.status_code == status, response.text
    assert db.exec(select(HallwayMoment)).all() == []
