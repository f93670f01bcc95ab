"""Contacts are mutual: nothing private is readable before an exchange, by any route."""

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
import vobject
from sqlmodel import select

from api.contacts.models import ConnectCode, Contact, ContactRequest
from api.core.db import utcnow
from tests import factories
from tests.conftest import TEST_LIMITS, start_server, wipe

PRIVATE = {
    "email": "alice.private@example.org",
    "phone": "+33 6 11 22 33 44",
    "website_url": "https://alice.example.org/",
}


def key() -> dict:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
def people(srv):
    organizer = factories.organizer_token(srv)
    event = factories.create_event(
        srv, organizer, name="DevOps Days, Lyon; 2026", ticket_price_cents=150_000, currency="EUR"
    )
    factories.add_topics(srv, organizer, event["id"], {"Observability": ["o11y"], "Kubernetes": ["k8s"]})
    coffee = factories.add_zone(srv, organizer, event["id"], "Coffee bar")
    out = {"event": event, "organizer": organizer, "zone": coffee}
    for name in ("Alice", "Bob", "Carol"):
        joined = factories.join(srv, event["join_code"], name, email=f"{name.lower()}@example.org")
        out[name] = {"id": joined["attendee"]["id"], "token": joined["tokens"]["access_token"]}
        # Visible and at the coffee bar together: each may be shown the others, so may ask them.
        factories.update_me(srv, out[name]["token"], visible=True)
        assert factories.check_in(srv, out[name]["token"], token=coffee["checkin_url"]).status_code == 201
    with srv.client(out["Alice"]["token"]) as client:
        assert (
            client.patch(
                "/api/me", json=PRIVATE | {"interests": ["o11y", "k8s"], "company": "Qonto", "headline": "SRE lead"}
            ).status_code
            == 200
        )
        # Alice chose what her exchanges give (as the app asks at her first one); Bob and Carol have not.
        client.put(
            "/api/me/sharing",
            json={"share_email": True, "share_phone": False, "share_website": True, "share_company": True},
        )
    factories.prove_email(srv, out["Alice"]["id"], PRIVATE["email"])
    with srv.client(out["Bob"]["token"]) as client:
        client.patch("/api/me", json={"interests": ["Observability"], "phone": "+44 20 7946 0000", "language": "en"})
    return out


def request(srv, who, to, message=""):
    with srv.client(who["token"]) as client:
        return client.post(
            "/api/contact-requests", json={"to_attendee_id": to["id"], "message": message}, headers=key()
        )


def all_text_bob_can_read(srv, people) -> str:
    """Everything Bob can fetch: his profile view of Alice, his requests, contacts and exports."""
    event_id = people["event"]["id"]
    with srv.client(people["Bob"]["token"]) as client:
        return "\n".join(
            client.get(url).text
            for url in (
                f"/api/events/{event_id}/attendees/{people['Alice']['id']}",
                "/api/contact-requests",
                "/api/contacts",
                "/api/contacts/export.vcf",
                "/api/contacts/export.csv?flavour=outlook",
            )
        )


def test_nothing_private_before_acceptance_and_what_was_chosen_after(srv, people):
    assert request(srv, people["Bob"], people["Alice"], "Loved your question on tracing").status_code == 201
    before = all_text_bob_can_read(srv, people)
    for value in PRIVATE.values():
        assert value not in before
    with srv.client(people["Alice"]["token"]) as client:
        received = client.get("/api/contact-requests").json()["received"]
        assert [r["sender"]["display_name"] for r in received] == ["Bob"]
        assert received[0]["shared_topics"] == ["Observability"]
        assert "+44" not in client.get("/api/contact-requests").text  # Bob's phone, before acceptance
        client.put(
            "/api/me/sharing",
            json={"share_email": True, "share_phone": False, "share_website": True, "share_company": True},
        )
        accepted = client.post(f"/api/contact-requests/{received[0]['id']}/accept", headers=key())
    assert accepted.status_code == 200
    assert accepted.json()["name"] == "Bob" and accepted.json()["phone"] is None  # Bob shares no phone by default
    after = all_text_bob_can_read(srv, people)
    assert PRIVATE["email"] in after and PRIVATE["website_url"] in after
    assert PRIVATE["phone"] not in after  # Alice chose not to share it


def test_until_chosen_an_exchange_gives_the_name_alone(srv, people):
    """Bob proved his email and gave a phone but chose nothing: an exchange gives Alice his name (and public
    headline) only. Once he chooses, his next exchanges give what he chose."""
    factories.update_me(srv, people["Bob"]["token"], headline="Platform", website_url="https://bob.example.org/")
    with srv.client(people["Bob"]["token"]) as client:
        unchosen = client.get("/api/me/sharing").json()
    assert unchosen == {
        "share_email": False,
        "share_phone": False,
        "share_website": False,
        "share_company": False,
        "chosen": False,
    }
    connect(srv, people["Bob"], people["Alice"])
    with srv.client(people["Alice"]["token"]) as client:
        [bob] = client.get("/api/contacts").json()["items"]
        card = client.get(f"/api/contacts/{bob['id']}/vcard").text
    assert (bob["name"], bob["headline"]) == ("Bob", "Platform")
    assert (bob["email"], bob["phone"], bob["website_url"], bob["company"]) == (None, None, None, None)
    assert "bob@example.org" not in card and "+44" not in card

    choice = {"share_email": True, "share_phone": False, "share_website": False, "share_company": False}
    with srv.client(people["Bob"]["token"]) as client:
        assert client.put("/api/me/sharing", json=choice).json() == choice | {"chosen": True}
    connect(srv, people["Bob"], people["Carol"])
    with srv.client(people["Carol"]["token"]) as client:
        [bob] = client.get("/api/contacts").json()["items"]
    assert (bob["email"], bob["phone"], bob["website_url"]) == ("bob@example.org", None, None)


def test_declining_is_silent_and_reveals_nothing(srv, people, db):
    request(srv, people["Bob"], people["Alice"])
    with srv.client(people["Alice"]["token"]) as client:
        request_id = client.get("/api/contact-requests").json()["received"][0]["id"]
        assert client.post(f"/api/contact-requests/{request_id}/decline", headers=key()).status_code == 204
        assert client.get("/api/contact-requests").json()["received"] == []
    with srv.client(people["Bob"]["token"]) as client:
        sent = client.get("/api/contact-requests").json()["sent"]
    assert [s["status"] for s in sent] == ["pending"]
    assert all_text_bob_can_read(srv, people).count(PRIVATE["email"]) == 0
    assert db.exec(select(Contact)).all() == []


def test_other_attendees_cannot_answer_or_read_someone_elses_request(srv, people):
    request(srv, people["Bob"], people["Alice"])
    with srv.client(people["Alice"]["token"]) as client:
        request_id = client.get("/api/contact-requests").json()["received"][0]["id"]
    with srv.client(people["Carol"]["token"]) as client:
        assert client.post(f"/api/contact-requests/{request_id}/accept", headers=key()).status_code == 404
        assert client.post(f"/api/contact-requests/{request_id}/decline", headers=key()).status_code == 404
        assert client.get("/api/contact-requests").json() == {"received": [], "sent": []}
    with srv.client(people["Bob"]["token"]) as client:  # the sender cannot accept for her
        assert client.post(f"/api/contact-requests/{request_id}/accept", headers=key()).status_code == 404


def test_requests_are_idempotent_and_never_duplicate(srv, people, db):
    headers = key()
    with srv.client(people["Bob"]["token"]) as client:
        body = {"to_attendee_id": people["Alice"]["id"], "message": "hi"}
        first = client.post("/api/contact-requests", json=body, headers=headers)
        again = client.post("/api/contact-requests", json=body, headers=headers)
        other_body = client.post("/api/contact-requests", json=body | {"message": "changed"}, headers=headers)
        no_key = client.post("/api/contact-requests", json=body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert other_body.status_code == 422
    assert no_key.status_code == 422
    assert len(db.exec(select(ContactRequest)).all()) == 1
    # A new key for the same request is not a new request either.
    assert request(srv, people["Bob"], people["Alice"]).json()["id"] == first.json()["id"]
    assert len(db.exec(select(ContactRequest)).all()) == 1


def test_crossed_requests_are_consent_both_ways(srv, people, db):
    request(srv, people["Bob"], people["Alice"])
    crossing = request(srv, people["Alice"], people["Bob"])
    assert crossing.json()["status"] == "accepted"
    assert len(db.exec(select(Contact)).all()) == 2


def test_connect_qr_creates_the_contact_at_once_and_rotates(srv, people, db):
    with srv.client(people["Alice"]["token"]) as client:
        first = client.post("/api/me/connect-code").json()
        second = client.post("/api/me/connect-code").json()
    assert first["url"] == f"{srv.base_url}/c/{first['code']}"
    with srv.client(people["Bob"]["token"]) as client:
        stale = client.post("/api/contacts/scan", json={"code": first["url"]}, headers=key())
        assert stale.status_code == 404  # rotated: the old code is dead
        headers = key()
        scanned = client.post("/api/contacts/scan", json={"code": second["url"]}, headers=headers)
        retried = client.post("/api/contacts/scan", json={"code": second["url"]}, headers=headers)
    assert scanned.status_code == 201 and scanned.json() == retried.json()
    assert scanned.json()["how"] == "qr" and scanned.json()["email"] == PRIVATE["email"]
    assert len(db.exec(select(Contact)).all()) == 2  # one copy each, no duplicate
    with srv.client(people["Alice"]["token"]) as client:
        assert [c["name"] for c in client.get("/api/contacts").json()["items"]] == ["Bob"]
    row = db.exec(select(ConnectCode)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    with srv.client(people["Carol"]["token"]) as client:
        assert client.post("/api/contacts/scan", json={"code": second["code"]}, headers=key()).status_code == 404


def test_own_code_and_other_events_codes_are_refused(srv, people):
    with srv.client(people["Alice"]["token"]) as client:
        code = client.post("/api/me/connect-code").json()["code"]
        assert client.post("/api/contacts/scan", json={"code": code}, headers=key()).status_code == 404
    other_event = factories.create_event(srv, people["organizer"])
    stranger = factories.join(srv, other_event["join_code"], "Mallory")["tokens"]["access_token"]
    with srv.client(stranger) as client:
        assert client.post("/api/contacts/scan", json={"code": code}, headers=key()).status_code == 404
        assert (
            client.post(
                "/api/contact-requests", json={"to_attendee_id": people["Alice"]["id"]}, headers=key()
            ).status_code
            == 404
        )


def connect(srv, a, b):
    with srv.client(a["token"]) as client:
        code = client.post("/api/me/connect-code").json()["code"]
    with srv.client(b["token"]) as client:
        assert client.post("/api/contacts/scan", json={"code": code}, headers=key()).status_code == 201


def test_notes_tags_follow_up_and_removal_are_mine_only(srv, people):
    connect(srv, people["Alice"], people["Bob"])
    with srv.client(people["Bob"]["token"]) as client:
        contact = client.get("/api/contacts").json()["items"][0]
        patched = client.patch(
            f"/api/contacts/{contact['id']}",
            json={"note": "Hiring SREs; send CV", "tags": ["hiring", "lyon"], "follow_up": True},
        )
        assert patched.status_code == 200 and patched.json()["tags"] == ["hiring", "lyon"]
        assert client.patch(f"/api/contacts/{contact['id']}", json={"owner_id": 1}).status_code == 422
        assert client.get("/api/contacts", params={"tag": "hiring"}).json()["total"] == 1
        assert client.get("/api/contacts", params={"tag": "nope"}).json()["total"] == 0
        assert client.get("/api/contacts", params={"follow_up": True}).json()["total"] == 1
    with srv.client(people["Alice"]["token"]) as client:
        alices = client.get("/api/contacts").json()["items"][0]
        assert alices["note"] == "" and alices["tags"] == []
        assert client.get(f"/api/contacts/{contact['id']}").status_code == 404  # Bob's copy is not hers
        assert client.patch(f"/api/contacts/{contact['id']}", json={"note": "x"}).status_code == 404
        assert client.delete(f"/api/contacts/{contact['id']}").status_code == 404
    with srv.client(people["Bob"]["token"]) as client:
        assert client.delete(f"/api/contacts/{contact['id']}").status_code == 204
        assert client.get("/api/contacts").json()["total"] == 0
    with srv.client(people["Alice"]["token"]) as client:
        assert client.get("/api/contacts").json()["total"] == 1


def test_vcard_export_parses_back_field_by_field(srv, people):
    connect(srv, people["Alice"], people["Bob"])
    with srv.client(people["Bob"]["token"]) as client:
        contact = client.get("/api/contacts").json()["items"][0]
        client.patch(f"/api/contacts/{contact['id']}", json={"note": "Café ☕, next steps; call\nback"})
        for version in ("3.0", "4.0"):
            response = client.get("/api/contacts/export.vcf", params={"version": version})
            assert response.headers["content-type"] == "text/vcard; charset=utf-8"
            assert "attachment" in response.headers["content-disposition"]
            assert b"\r\n" in response.content
            card = next(vobject.readComponents(response.content.decode()))
            assert card.fn.value == "Alice"
            assert card.email.value == PRIVATE["email"]
            assert card.org.value == ["Qonto"]
            assert card.title.value == "SRE lead"
            assert card.categories.value == ["DevOps Days, Lyon; 2026"]
            assert "Met at DevOps Days, Lyon; 2026" in card.note.value
            assert "Café ☕, next steps; call\nback" in card.note.value
            assert "Observability" in card.note.value
        single = client.get(f"/api/contacts/{contact['id']}/vcard")
        assert single.status_code == 200 and next(vobject.readComponents(single.text)).fn.value == "Alice"


def test_csv_export_has_the_import_headers(srv, people):
    connect(srv, people["Alice"], people["Bob"])
    with srv.client(people["Bob"]["token"]) as client:
        google = client.get("/api/contacts/export.csv").text
        outlook = client.get("/api/contacts/export.csv", params={"flavour": "outlook"}).text
    rows = list(csv.DictReader(io.StringIO(google)))
    assert rows[0]["First Name"] == "Alice" and rows[0]["E-mail 1 - Value"] == PRIVATE["email"]
    outlook_rows = list(csv.DictReader(io.StringIO(outlook.lstrip("\ufeff"))))
    assert outlook_rows[0]["E-mail Address"] == PRIVATE["email"]


def test_exports_carry_my_tags_and_follow_up_and_are_named_after_the_event_and_format(srv, people):
    connect(srv, people["Alice"], people["Bob"])
    with srv.client(people["Bob"]["token"]) as client:
        contact = client.get("/api/contacts").json()["items"][0]
        client.patch(f"/api/contacts/{contact['id']}", json={"tags": ["prospect", "lyon"], "follow_up": True})
        exports = {
            "vcard 3.0": client.get("/api/contacts/export.vcf"),
            "vcard 4.0": client.get("/api/contacts/export.vcf", params={"version": "4.0"}),
            "google": client.get("/api/contacts/export.csv"),
            "outlook": client.get("/api/contacts/export.csv", params={"flavour": "outlook"}),
            "tagged": client.get("/api/contacts/export.csv", params={"tag": "lyon"}),
        }
    labels = ["DevOps Days, Lyon; 2026", "prospect", "lyon", "Follow up"]
    card = next(vobject.readComponents(exports["vcard 3.0"].text))
    assert card.categories.value == labels
    [google] = csv.DictReader(io.StringIO(exports["google"].text))
    assert google["Labels"] == " ::: ".join(labels)
    [outlook] = csv.DictReader(io.StringIO(exports["outlook"].text.lstrip("\ufeff")))
    assert outlook["Categories"] == "DevOps Days, Lyon, 2026;prospect;lyon;Follow up"
    names = {
        kind: re.search(r'filename="([^"]+)"', response.headers["content-disposition"]).group(1)
        for kind, response in exports.items()
    }
    assert names == {
        "vcard 3.0": "couloir-contacts-devops-days-lyon-2026.vcf",
        "vcard 4.0": "couloir-contacts-devops-days-lyon-2026-vcard4.vcf",
        "google": "couloir-contacts-devops-days-lyon-2026-google.csv",
        "outlook": "couloir-contacts-devops-days-lyon-2026-outlook.csv",
        "tagged": "couloir-contacts-devops-days-lyon-2026-lyon-google.csv",
    }


def test_cost_per_contact(srv, people, db):
    with srv.client(people["Bob"]["token"]) as client:
        zero = client.get("/api/me/networking").json()
    assert zero == {"contacts": 0, "ticket_price_cents": 150_000, "currency": "EUR", "cost_per_contact_cents": None}
    connect(srv, people["Alice"], people["Bob"])
    connect(srv, people["Carol"], people["Bob"])
    with srv.client(people["Bob"]["token"]) as client:
        two = client.get("/api/me/networking").json()
    assert two["contacts"] == 2 and two["cost_per_contact_cents"] == 75_000
    with srv.client(people["organizer"]) as client:
        client.patch(f"/api/events/{people['event']['id']}", json={"ticket_price_cents": None, "currency": None})
    with srv.client(people["Bob"]["token"]) as client:
        assert client.get("/api/me/networking").json()["cost_per_contact_cents"] is None


def test_card_qr_carries_only_shared_details(srv, people):
    with srv.client(people["Alice"]["token"]) as client:
        client.put(
            "/api/me/sharing",
            json={"share_email": True, "share_phone": False, "share_website": False, "share_company": True},
        )
        svg = client.get("/api/me/card-qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text


def test_the_other_side_keeps_what_was_exchanged_after_deletion(srv, people):
    connect(srv, people["Alice"], people["Bob"])
    with srv.client(people["Alice"]["token"]) as client:
        assert client.delete("/api/me").status_code == 204
    with srv.client(people["Bob"]["token"]) as client:
        kept = client.get("/api/contacts").json()["items"]
    assert kept[0]["name"] == "Alice" and kept[0]["email"] == PRIVATE["email"]
    assert kept[0]["other_attendee_id"] is None


def test_contacts_are_no_longer_suggested(srv):
    hall = factories.hallway(srv)
    bob = hall.person(srv, "Bob", ["Observability"])
    alice = hall.person(srv, "Alice", ["o11y", "k8s"])
    assert [s["attendee"]["id"] for s in factories.suggestions(srv, bob.token)["suggestions"]] == [alice.id]
    connect(srv, {"token": alice.token}, {"token": bob.token})
    assert factories.suggestions(srv, bob.token)["suggestions"] == []
    assert factories.suggestions(srv, alice.token)["suggestions"] == []


def test_a_block_hides_requests_and_stops_new_ones(srv, people):
    request(srv, people["Bob"], people["Alice"])
    with srv.client(people["Alice"]["token"]) as client:
        request_id = client.get("/api/contact-requests").json()["received"][0]["id"]
        blocked = client.post("/api/me/blocks", json={"attendee_id": people["Bob"]["id"]}, headers=key())
        assert blocked.status_code in (200, 201), blocked.text
        assert client.get("/api/contact-requests").json()["received"] == []
        assert client.post(f"/api/contact-requests/{request_id}/accept", headers=key()).status_code == 404
        code = client.post("/api/me/connect-code").json()["code"]
    with srv.client(people["Bob"]["token"]) as client:
        assert client.get("/api/contact-requests").json()["sent"] == []
        assert client.post("/api/contacts/scan", json={"code": code}, headers=key()).status_code == 404
    assert request(srv, people["Bob"], people["Alice"]).status_code == 404


def test_a_request_sent_from_a_zone_carries_it(srv):
    hall = factories.hallway(srv)
    bob = hall.person(srv, "Bob", ["Observability"])
    alice = hall.person(srv, "Alice", ["o11y"], zone="buffet")
    request(srv, {"token": bob.token}, {"id": alice.id})
    with srv.client(alice.token) as client:
        received = client.get("/api/contact-requests")
    assert received.status_code == 200
    assert received.json()["received"][0]["zone_name"] == "Coffee bar"


def test_a_request_queues_one_push_for_the_recipient(srv, people, db):
    from api.push.models import Nudge

    request(srv, people["Bob"], people["Alice"])
    request(srv, people["Bob"], people["Alice"])  # asking again queues nothing more
    queued = db.exec(select(Nudge)).all()
    assert [(n.attendee_id, n.reason, n.status) for n in queued] == [
        (people["Alice"]["id"], "contact_request", "pending")
    ]


def test_suggestions_and_huddles_carry_no_private_detail(srv):
    hall = factories.hallway(srv)
    alice = hall.person(srv, "Alice", ["o11y", "k8s"], **PRIVATE)
    hall.person(srv, "Dan", ["o11y"])
    bob = hall.person(srv, "Bob", ["Observability"])
    with srv.client(bob.token) as client:
        seen = (
            client.get("/api/me/suggestions").text
            + client.get(f"/api/events/{hall.event['id']}/attendees/{alice.id}").text
        )
    assert "Alice" in seen
    for value in PRIVATE.values():
        assert value not in seen


def test_bad_contact_input_is_refused_and_stores_nothing(srv, people, db):
    with srv.client(people["Bob"]["token"]) as client:
        to_self = client.post("/api/contact-requests", json={"to_attendee_id": people["Bob"]["id"]}, headers=key())
        too_long = client.post(
            "/api/contact-requests", json={"to_attendee_id": people["Alice"]["id"], "message": "x" * 281}, headers=key()
        )
        unknown = client.post("/api/contact-requests", json={"to_attendee_id": 999_999}, headers=key())
        bad_scan = client.post("/api/contacts/scan", json={"code": "short"}, headers=key())
        bad_sharing = client.put(
            "/api/me/sharing",
            json={"share_email": "maybe", "share_phone": True, "share_website": True, "share_company": True},
        )
        bad_version = client.get("/api/contacts/export.vcf", params={"version": "2.1"})
    assert to_self.status_code == 422 and to_self.json()["error"] == "InvalidInput"
    assert too_long.status_code == 422 and unknown.status_code == 404
    assert bad_scan.status_code == 422 and bad_sharing.status_code == 422 and bad_version.status_code == 422
    assert db.exec(select(ContactRequest)).all() == [] and db.exec(select(Contact)).all() == []
    connect(srv, people["Alice"], people["Bob"])
    with srv.client(people["Bob"]["token"]) as client:
        contact_id = client.get("/api/contacts").json()["items"][0]["id"]
        assert client.patch(f"/api/contacts/{contact_id}", json={"tags": ["a" * 41]}).status_code == 422
        assert client.patch(f"/api/contacts/{contact_id}", json={"tags": ["x", "x"]}).status_code == 422
        assert client.patch(f"/api/contacts/{contact_id}", json={"note": None}).status_code == 422
        assert client.get(f"/api/contacts/{contact_id}").json()["tags"] == []


@pytest.fixture
def capped(migrated_url, tmp_path, server):
    """A server where three requests at most may wait for one person's answer."""
    wipe(server.engine)
    yield from start_server(tmp_path, migrated_url, **(TEST_LIMITS | {"requests_waiting_per_attendee": (3, 3600)}))


def test_strangers_cannot_bury_someone_under_requests(capped):
    """Throwaway accounts asking one person: one request each waits at most, and past a few waiting at once
    the next stranger is told to try later, until the person answers one."""
    hall = factories.hallway(capped)
    # All at the coffee bar and visible, so each may ask Ann (the visibility rule).
    ann = hall.person(capped, "Ann", ["Rust"])
    strangers = [hall.person(capped, f"Spam {n}", ["Rust"]) for n in range(5)]
    sent = [request(capped, {"token": s.token}, {"id": ann.id}).status_code for s in strangers[:4]]
    again = {request(capped, {"token": strangers[0].token}, {"id": ann.id}).json()["id"] for _ in range(3)}
    with capped.client(ann.token) as client:
        received = client.get("/api/contact-requests").json()["received"]
        first = next(r["id"] for r in received if r["sender"]["id"] == strangers[0].id)
        assert client.post(f"/api/contact-requests/{first}/decline", headers=key()).status_code == 204
    assert sent == [201, 201, 201, 429]
    assert len(received) == 3 and again == {first}  # one request per sender, however often they ask
    assert request(capped, {"token": strangers[3].token}, {"id": ann.id}).status_code == 201  # a place freed
    assert request(capped, {"token": strangers[4].token}, {"id": ann.id}).status_code == 429
    # Asking again after a decline is the same request, still declined: it does not come back to Ann.
    assert request(capped, {"token": strangers[0].token}, {"id": ann.id}).json()["id"] == first
    with capped.client(ann.token) as client:
        assert first not in [r["id"] for r in client.get("/api/contact-requests").json()["received"]]
    # The cap is Ann's, not the senders'.
    bob = hall.person(capped, "Bob", ["Rust"])
    assert request(capped, {"token": strangers[4].token}, {"id": bob.id}).status_code == 201


def test_decline_and_block_stops_the_sender_for_good(srv, people, db):
    request(srv, people["Bob"], people["Alice"])
    with srv.client(people["Alice"]["token"]) as client:
        request_id = client.get("/api/contact-requests").json()["received"][0]["id"]
        headers = key()
        answered = client.post(f"/api/contact-requests/{request_id}/decline-and-block", headers=headers)
        replayed = client.post(f"/api/contact-requests/{request_id}/decline-and-block", headers=headers)
        assert client.get("/api/contact-requests").json()["received"] == []
        blocks = client.get("/api/me/blocks").json()
    assert answered.status_code == replayed.status_code == 204
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert [b["attendee"]["id"] for b in blocks] == [people["Bob"]["id"]]
    assert db.get(ContactRequest, request_id).status == "declined"
    with srv.client(people["Bob"]["token"]) as client:
        assert client.get("/api/contact-requests").json()["sent"] == []  # not told: it is simply gone
    assert request(srv, people["Bob"], people["Alice"]).status_code == 404
    with srv.client(people["Carol"]["token"]) as client:  # nobody else may answer it for her
        assert client.post(f"/api/contact-requests/{request_id}/decline-and-block", headers=key()).status_code == 404
