"""Walk every route of the OpenAPI schema as someone the object does not belong to (BOLA).

A new route is covered automatically: it must refuse strangers, or be listed below as public or
as readable by the event's own attendees, or this suite fails."""

import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import Session

from api.contacts.models import Contact
from api.push.models import Nudge
from tests import factories
from tests.push_receiver import PushReceiver
from tests.test_profile_card import png
from tests.test_tokens import forge

# Routes anyone may call (sign-in and joining).
PUBLIC = {
    "health",
    "readiness",
    "request_organizer_link",
    "request_attendee_link",
    "redeem_magic_link",
    "refresh",
    "logout",
    "join_event",
    "get_vapid_public_key",
}
# Routes for a signed-in attendee about themselves (no object id from the path).
SELF = {
    "get_my_profile",
    "update_my_profile",
    "delete_my_account",
    "list_my_push_subscriptions",
    "add_push_subscription",
    "remove_push_subscription_by_endpoint",
    "get_my_push_preferences",
    "set_my_push_preferences",
    "check_in",
    "get_my_presence",
    "leave",
    "get_suggestions",
    "block_attendee",
    "list_my_blocks",
    "unblock_attendee",
    "report_attendee",
    "get_my_sharing",
    "set_my_sharing",
    "send_contact_request",
    "list_contact_requests",
    "rotate_my_connect_code",
    "scan_connect_code",
    "list_my_contacts",
    "export_my_contacts_vcard",
    "export_my_contacts_csv",
    "get_my_networking_return",
    "get_my_card_qr",
    "export_my_data",
    "list_my_bookmarks",
    "my_calendar",
    "set_my_photo",
    "remove_my_photo",
    "list_my_rendezvous",
    "propose_rendezvous",
    "list_saved_people",
    # Forgetting someone only ever removes one's own save: it answers 204 whoever is named.
    "forget_saved_person",
}
# Attendee routes on one of the caller's own objects (its id in the path): other attendees get nothing.
OWN = {
    "remove_push_subscription",
    "mark_nudge_opened",
    "get_my_contact",
    "update_my_contact",
    "remove_my_contact",
    "export_my_contact_vcard",
    "accept_contact_request",
    "decline_contact_request",
    "decline_and_block_contact_request",
    "accept_rendezvous",
    "decline_rendezvous",
    "counter_rendezvous",
    "cancel_rendezvous",
    "confirm_rendezvous_met",
    # Saving someone names another attendee: only one the caller may be shown (the visibility rule).
    "save_person",
}
# Attendee routes on an object of the caller's own event (its id in the path), which every attendee of that
# event may use for themselves: another event's attendees get nothing.
EVENT_OBJECT = {"bookmark_talk", "unbookmark_talk"}
# Event routes the event's own attendees may read.
MEMBER = {"get_public_event", "list_topics", "get_agenda", "get_attendee_card", "get_attendee_photo", "get_zone_counts"}
# Organizer routes without an event in the path: they list only the caller's own.
ORGANIZER_SELF = {"create_event", "list_my_events", "get_my_organizer_account"}

SOON = datetime.now(UTC) + timedelta(hours=1)
PNG = png(Image.new("RGB", (40, 40), "teal"))
BODIES = {
    "update_event": {"name": "Renamed"},
    "create_zone": {"name": "Lounge", "kind": "lounge"},
    "update_zone": {"name": "Lounge 2"},
    "create_topic": {"name": "Rust"},
    "update_topic": {"name": "Rust lang"},
    "create_talk": {"title": "T", "starts_at": SOON.isoformat(), "ends_at": (SOON + timedelta(minutes=30)).isoformat()},
    "update_talk": {"title": "T2"},
    "create_break": {
        "label": "B",
        "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(minutes=30)).isoformat(),
    },
    "update_break": {"label": "B2"},
    "set_attendee_role": {"role": "speaker"},
    "import_programme": {
        "schedule": {
            "conference": {
                "days": [
                    {
                        "date": SOON.date().isoformat(),
                        "rooms": {
                            "A": [
                                {
                                    "id": "t1",
                                    "title": "T",
                                    "start": "10:00",
                                    "duration": "00:30",
                                    "persons": [{"public_name": "S"}],
                                }
                            ]
                        },
                    }
                ]
            }
        }
    },
    # A file, not JSON: (Content-Type, body).
    "import_attendees": ("text/csv", "name,email\nAda,ada@example.org\n"),
    "set_my_push_preferences": {
        "enabled": True,
        "break_nudges": True,
        "speaker_nearby": True,
        "contact_requests": True,
    },
    "start_hallway_moment": {"minutes": 10},
    "update_my_contact": {"note": "x"},
    "set_my_photo": ("image/png", PNG),
    "counter_rendezvous": {"zone_id": 1},
}
REFUSED = {401, 403, 404}


@pytest.fixture
def world(srv):
    return build_world(srv)


def build_world(srv):
    """Event A (ours to attack) with one of everything, and event B whose people attack it."""
    org_a = factories.organizer_token(srv)
    event_a = factories.create_event(srv, org_a)
    zone = factories.add_zone(srv, org_a, event_a["id"], "Coffee bar")
    topic = factories.add_topics(srv, org_a, event_a["id"], {"Go": []})["Go"]
    owner = factories.join(srv, event_a["join_code"], "Owner")
    neighbour = factories.join(srv, event_a["join_code"], "Neighbour")
    with srv.client(owner["tokens"]["access_token"]) as client:  # a photo to read
        assert client.put("/api/me/photo", content=PNG, headers={"Content-Type": "image/png"}).status_code == 200
    with srv.client(org_a) as client:
        talk = client.post(f"/api/events/{event_a['id']}/talks", json=BODIES["create_talk"]).json()
        pause = client.post(f"/api/events/{event_a['id']}/breaks", json=BODIES["create_break"]).json()
    org_b = factories.organizer_token(srv)
    event_b = factories.create_event(srv, org_b)
    stranger = factories.join(srv, event_b["join_code"], "Stranger")
    with PushReceiver() as receiver:
        device = factories.subscribe(srv, owner["tokens"]["access_token"], receiver.new_subscription()).json()
    with Session(srv.engine) as session:
        nudge = Nudge(
            attendee_id=owner["attendee"]["id"],
            event_id=event_a["id"],
            break_key=f"break:{pause['id']}",
            reason="match_nearby",
            day=date.today(),
            break_slot=1,
            day_slot=1,
            status="delivered",
        )
        session.add(nudge)
        contact = Contact(
            owner_id=owner["attendee"]["id"],
            name="Friend",
            event_name=event_a["name"],
            how="qr",
            met_at=datetime.now(UTC),
        )
        session.add(contact)
        session.commit()
        nudge_id, contact_id = nudge.id, contact.id
    friend = factories.join(srv, event_a["join_code"], "Friend")
    # Friend meets Owner at the coffee bar, both visible: someone Friend may be shown, so may ask.
    for person in (owner, friend):
        factories.update_me(srv, person["tokens"]["access_token"], visible=True)
        assert factories.check_in(srv, person["tokens"]["access_token"], token=zone["checkin_url"]).status_code == 201
    with srv.client(friend["tokens"]["access_token"]) as client:
        request_id = client.post(
            "/api/contact-requests",
            json={"to_attendee_id": owner["attendee"]["id"]},
            headers={"Idempotency-Key": factories.new_key()},
        ).json()["id"]
    with srv.client(friend["tokens"]["access_token"]) as client:  # and proposes to meet at the coming break
        rendezvous_id = client.post(
            "/api/me/rendezvous",
            json={"attendee_id": owner["attendee"]["id"], "break_id": pause["id"], "zone_id": zone["id"]},
            headers={"Idempotency-Key": factories.new_key()},
        ).json()["id"]
    ids = {
        "event_id": event_a["id"],
        "zone_id": zone["id"],
        "topic_id": topic,
        "talk_id": talk["id"],
        "break_id": pause["id"],
        "attendee_id": owner["attendee"]["id"],
        "subscription_id": device["id"],
        "nudge_id": nudge_id,
        "contact_id": contact_id,
        "request_id": request_id,
        "rendezvous_id": rendezvous_id,
    }
    return {
        "ids": ids,
        "org_a": org_a,
        "org_b": org_b,
        "stranger": stranger["tokens"]["access_token"],
        "neighbour": neighbour["tokens"]["access_token"],
        "owner": owner,
    }


def operations(srv):
    with srv.client() as client:
        schema = client.get("/api/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            yield method.upper(), path, op["operationId"]


def call(srv, token, method, path, operation_id, ids):
    url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
    body = BODIES.get(operation_id) if method in ("POST", "PATCH", "PUT") else None
    # Every call carries an Idempotency-Key, so a retried-write route is judged on access, not on a missing header.
    headers = {"Idempotency-Key": factories.new_key()}
    with srv.client(token) as client:
        if isinstance(body, tuple):
            content_type, content = body
            return client.request(method, url, content=content, headers=headers | {"Content-Type": content_type})
        return client.request(method, url, json=body, headers=headers)


def expired_token(srv, attendee):
    claims = {
        "iss": srv.settings.jwt_issuer,
        "aud": "couloir:access",
        "sub": f"attendee:{attendee['id']}",
        "typ": "access",
        "iat": int(time.time()) - 7200,
        "exp": int(time.time()) - 3600,
        "jti": "e" * 32,
        "evt": attendee["event_id"],
    }
    return forge({"alg": "HS256", "typ": "JWT"}, claims, srv.settings.signing_key())


def test_every_route_refuses_callers_the_object_is_not_for(srv, world):
    ids = world["ids"]
    checked = 0
    failures = []
    for method, path, operation_id in operations(srv):
        if operation_id in PUBLIC:
            continue
        callers = {"no token": None, "expired": expired_token(srv, world["owner"]["attendee"])}
        if "{event_id}" in path:
            callers |= {"other event's organizer": world["org_b"], "other event's attendee": world["stranger"]}
            if operation_id not in MEMBER:
                callers["same event's attendee"] = world["neighbour"]
        elif operation_id in ORGANIZER_SELF:
            callers["attendee"] = world["neighbour"]
        elif operation_id in OWN:
            callers |= {"same event's attendee": world["neighbour"], "other event's attendee": world["stranger"]}
        elif operation_id in EVENT_OBJECT:
            callers["other event's attendee"] = world["stranger"]
        elif operation_id not in SELF:
            failures.append(f"{operation_id}: unclassified route, add it to a list in this test")
            continue
        for who, token in callers.items():
            response = call(srv, token, method, path, operation_id, ids)
            checked += 1
            if response.status_code not in REFUSED:
                failures.append(f"{method} {path} as {who}: {response.status_code}")
            elif response.json().get("error") is None:
                failures.append(f"{method} {path} as {who}: no error shape")
    assert not failures, "\n".join(failures)
    assert checked > 50


def test_the_walk_is_not_vacuous_the_rightful_callers_get_through(srv, world):
    """Control: with the same URLs and bodies, the event's organizer and attendees succeed."""
    ids = world["ids"]
    ops = [op for op in operations(srv) if "{event_id}" in op[1]]
    ops.sort(key=lambda op: op[0] == "DELETE")  # deletes last, so every object still exists
    for method, path, operation_id in ops:
        token = world["owner"]["tokens"]["access_token"] if operation_id in MEMBER else world["org_a"]
        response = call(srv, token, method, path, operation_id, ids)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
