"""Export my data, erasure that reaches every table, and the presence retention purge."""

from datetime import timedelta

from sqlalchemy import func, select, text
from sqlmodel import Session

from api.contacts.models import Contact
from api.core.db import metadata, utcnow
from api.events.models import Event
from api.personal_data.service import purge_presence_history
from api.presence.models import CheckInRecord, Presence
from tests import factories
from tests.push_receiver import PushReceiver


def met(srv, a, b):
    with srv.client(a.token) as client:
        code = client.post("/api/me/connect-code").json()["code"]
    with srv.client(b.token) as client:
        response = client.post(
            "/api/contacts/scan", json={"code": code}, headers={"Idempotency-Key": factories.new_key()}
        )
        assert response.status_code == 201


def test_export_holds_my_data_and_no_one_elses(srv):
    hall = factories.hallway(srv)
    alice = hall.person(srv, "Alice", ["o11y"], email="alice@example.org", phone="+33 6 00 00 00 01")
    bob = hall.person(srv, "Bob", ["o11y"], phone="+33 6 99 99 99 99")
    met(srv, alice, bob)
    with srv.client(bob.token) as client:
        contact_id = client.get("/api/contacts").json()["items"][0]["id"]
        client.patch(f"/api/contacts/{contact_id}", json={"note": "talk about tracing"})
    with PushReceiver() as receiver:
        assert factories.subscribe(srv, bob.token, receiver.new_subscription()).status_code == 201
    with srv.client(bob.token) as client:
        response = client.get("/api/me/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["profile"]["display_name"] == "Bob" and data["profile"]["phone"] == "+33 6 99 99 99 99"
    assert [i["name"] for i in data["profile"]["interests"]] == ["Observability"]
    assert [c["zone"] for c in data["check_ins"]] == ["Coffee bar"]
    assert data["presence"]["zone"] == "Coffee bar"
    assert data["contacts"][0]["name"] == "Alice" and data["contacts"][0]["note"] == "talk about tracing"
    assert len(data["push_devices"]) == 1
    assert "+33 6 00 00 00 01" not in response.text  # Alice shares no phone by default
    with srv.client() as client:
        assert client.get("/api/me/export").status_code == 401


def attendee_columns():
    for table in metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "attendee" for fk in column.foreign_keys):
                yield table, column


def test_deleting_an_account_leaves_no_row_about_them(srv):
    hall = factories.hallway(srv)
    alice = hall.person(srv, "Alice", ["o11y"], email="alice@example.org")
    bob = hall.person(srv, "Bob", ["o11y"])
    met(srv, alice, bob)
    with srv.client(bob.token) as client:
        client.post(
            "/api/contact-requests", json={"to_attendee_id": alice.id}, headers={"Idempotency-Key": factories.new_key()}
        )
        client.post(
            "/api/me/reports",
            json={"attendee_id": alice.id, "reason": "spam"},
            headers={"Idempotency-Key": factories.new_key()},
        )
    with srv.client(alice.token) as client:
        client.post("/api/me/blocks", json={"attendee_id": bob.id}, headers={"Idempotency-Key": factories.new_key()})
    with PushReceiver() as receiver:
        factories.subscribe(srv, alice.token, receiver.new_subscription())
    columns = list(attendee_columns())
    assert len(columns) > 15
    with Session(srv.engine) as session:
        before = {
            f"{t.name}.{c.name}": session.execute(select(func.count()).select_from(t).where(c == alice.id)).scalar()
            for t, c in columns
        }
    assert sum(before.values()) > 10
    with srv.client(alice.token) as client:
        assert client.delete("/api/me").status_code == 204
    with Session(srv.engine) as session:
        after = {
            f"{t.name}.{c.name}": session.execute(select(func.count()).select_from(t).where(c == alice.id)).scalar()
            for t, c in columns
        }
        kept = session.exec(select(Contact).where(Contact.owner_id == bob.id)).scalars().one()
    assert {k: v for k, v in after.items() if v} == {}
    assert kept.name == "Alice" and kept.other_attendee_id is None


def test_presence_history_is_purged_after_retention(srv):
    hall = factories.hallway(srv)
    alice = hall.person(srv, "Alice", ["o11y"])
    bob = hall.person(srv, "Bob", ["o11y"])
    met(srv, alice, bob)
    now = utcnow()
    with Session(srv.engine) as session:
        assert purge_presence_history(session, now) == 0  # the event is under way
        event = session.get(Event, hall.event["id"])
        event.ends_at = now - timedelta(days=6)
        session.add(event)
        session.commit()
        assert purge_presence_history(session, now) == 0  # within the 7 days of retention
        purged = purge_presence_history(session, now + timedelta(days=1, minutes=1))
        session.commit()
        assert purged == 2
        for model in (CheckInRecord, Presence):
            assert session.execute(select(func.count()).select_from(model)).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM presence_topic")).scalar() == 0
        assert session.execute(select(func.count()).select_from(Contact)).scalar() == 2  # contacts stay
