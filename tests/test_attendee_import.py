"""Attendee import from a ticketing export: new attendees, each with a personal join link."""

import csv
import io
import re
import time
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from api.attendees.models import Attendee
from api.auth.models import MagicLink
from api.core.db import utcnow
from api.events.models import Event
from tests import factories
from tests.factories import DATA
from tests.test_mail import mailing_server, smtp  # noqa: F401 (fixtures)
from tests.test_posters import decode_png

PRETIX = (DATA / "tickets-pretix.csv").read_bytes()
FRENCH_EXCEL = (DATA / "tickets-fr-excel.csv").read_bytes()


@pytest.fixture
def org(srv):
    token = factories.organizer_token(srv)
    return {"token": token, "event": factories.create_event(srv, token)}


def import_attendees(srv, token, event_id, content: bytes, *, content_type="text/csv", **kwargs):
    return factories.upload(srv, token, f"/api/events/{event_id}/attendees/import", content, content_type, **kwargs)


def attendees(db: Session, event_id: int) -> list[Attendee]:
    db.expire_all()
    return list(db.exec(select(Attendee).where(Attendee.event_id == event_id).order_by(Attendee.id)))


def redeem(srv, join_url: str):
    assert join_url.startswith(f"{srv.base_url}/login#token=")
    with srv.client() as client:
        return client.post("/api/auth/magic-link/redeem", json={"token": join_url.split("#token=", 1)[1]})


def test_pretix_export_creates_attendees_with_join_links(srv, db, org):
    event_id = org["event"]["id"]
    response = import_attendees(srv, org["token"], event_id, PRETIX)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["created"], summary["speakers_completed"], summary["emailed"], summary["skipped"]) == (5, 0, 0, [])
    people = {a.display_name: a for a in attendees(db, event_id)}
    # The attendee's own email, not the buyer's; lower-cased; no email when the ticket has none.
    assert people["Hugo Bernard"].email == "hugo.bernard@acme-logistique.example"
    assert people["Hugo Bernard"].company == "ACME Logistique"
    assert people["Inès Moreau"].email is None
    assert people["Sofia Rossi"].language == "fr"  # the event's first language
    assert {i["display_name"] for i in summary["invitations"]} == set(people)

    # Each link signs its own attendee in, once; it lasts until the event ends.
    invitation = next(i for i in summary["invitations"] if i["display_name"] == "Camille Laurent")
    signed_in = redeem(srv, invitation["join_url"])
    assert signed_in.status_code == 200, signed_in.text
    assert (signed_in.json()["subject_kind"], signed_in.json()["subject_id"]) == ("attendee", invitation["attendee_id"])
    assert redeem(srv, invitation["join_url"]).status_code == 401
    ends_at = db.get(Event, event_id).ends_at
    links = db.exec(select(MagicLink).where(MagicLink.attendee_id.in_([a.id for a in people.values()]))).all()
    assert len(links) == 5 and all(link.expires_at == ends_at for link in links)
    # Stored hashed: the token itself is nowhere in the database.
    token = invitation["join_url"].split("#token=", 1)[1]
    assert all(token not in link.token_hash for link in links)


def test_french_excel_export_with_bom_and_semicolons(srv, db, org):
    response = import_attendees(srv, org["token"], org["event"]["id"], FRENCH_EXCEL)
    assert response.status_code == 200, response.text
    people = {a.display_name: (a.email, a.company) for a in attendees(db, org["event"]["id"])}
    assert people == {
        "Élodie Garnier": ("elodie.garnier@example.fr", "Coopérative Numérique"),
        "Yannick N'Diaye": ("yannick.ndiaye@example.fr", ""),
        "Marie-José da Silva": ("mj.dasilva@example.fr", "Dupont; Fils & Cie"),
    }


def test_reimport_adds_only_newcomers(srv, db, org):
    event_id = org["event"]["id"]
    sofia = factories.join(srv, org["event"]["join_code"], "Sofia R.", email="Sofia.Rossi@example.net")["attendee"]
    first = import_attendees(srv, org["token"], event_id, PRETIX).json()
    assert first["created"] == 4
    assert [(s["line"], s["reason"]) for s in first["skipped"]] == [(4, "already_in_event")]

    newer = PRETIX + b"ZZ9QR,1,Paid,lin@example.com,2027-04-09 10:00:00,Conference ticket,Lin Wei,lin@example.com,,\n"
    second = import_attendees(srv, org["token"], event_id, newer).json()
    assert second["created"] == 1
    assert [i["display_name"] for i in second["invitations"]] == ["Lin Wei"]
    assert {s["reason"] for s in second["skipped"]} == {"already_in_event"} and len(second["skipped"]) == 5
    assert len(attendees(db, event_id)) == 6
    invitations = MagicLink.attendee_id.is_not(None), MagicLink.attendee_id != sofia["id"]  # hers proved her email
    links = db.exec(select(func.count()).select_from(MagicLink).where(*invitations)).one()
    assert links == 5  # no new link for anyone already there


def test_an_email_repeated_in_the_file_is_one_attendee(srv, db, org):
    content = b"name,email\nAda Lovelace,ada@example.org\nAda L.,ADA@example.org\n"
    summary = import_attendees(srv, org["token"], org["event"]["id"], content).json()
    assert summary["created"] == 1
    assert summary["skipped"] == [
        {"line": 3, "display_name": "Ada L.", "email": "ada@example.org", "reason": "repeated_in_file", "status": None}
    ]


def test_a_speaker_from_the_programme_gets_their_ticket_email(srv, db, org):
    event_id = org["event"]["id"]
    programme = b"id,title,start,end,speakers\nk1,Keynote,2030-01-01 10:00,2030-01-01 11:00,Samir Haddad\n"
    assert (
        factories.upload(
            srv, org["token"], f"/api/events/{event_id}/programme/import", programme, "text/csv"
        ).status_code
        == 200
    )
    summary = import_attendees(srv, org["token"], event_id, PRETIX).json()
    assert (summary["created"], summary["speakers_completed"]) == (4, 1)
    samirs = [a for a in attendees(db, event_id) if a.display_name == "Samir Haddad"]
    assert [(a.role, a.email, a.company) for a in samirs] == [("speaker", "samir@bytefield.example", "Bytefield")]
    link = next(i for i in summary["invitations"] if i["display_name"] == "Samir Haddad")
    assert link["attendee_id"] == samirs[0].id


def test_badges_as_csv(srv, org):
    content = b'name,email\n=HYPERLINK("http://evil.example"),eve@example.org\nBob,\n'
    response = import_attendees(srv, org["token"], org["event"]["id"], content, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("http://evil.example")', "Bob"]
    assert [r["email"] for r in rows] == ["eve@example.org", ""]
    assert all(r["join_url"].startswith(f"{srv.base_url}/login#token=") for r in rows)


BAD = {
    "invalid email": (b"name,email\nAda,ada@example.org\nBob,bob-at-example\n", "line 3", "email"),
    "missing name": (b"name,email,company\nAda,ada@example.org,\n,nobody@example.org,ACME\n", "line 3", "name"),
    "no name column": (b"email,company\nada@example.org,ACME\n", "line 1", None),
    "too long": (b"name\n" + b"A" * 81 + b"\n", "line 2", "name"),
    # PostgreSQL refuses NUL in text (a 500); SQLite stored it, and it went into other people's vCards.
    "NUL in a name": (b"name,email\nAda\x00Lovelace,ada@example.org\n", "line 2", "name"),
    "escape in a company": (b"name,company\nAda,\x1b[31mACME\n", "line 2", "company"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_row_names_the_line_and_imports_nothing(srv, db, org, case):
    content, where, field = BAD[case]
    response = import_attendees(srv, org["token"], org["event"]["id"], content)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "InvalidImportFile"
    assert [(p["where"], p["field"]) for p in response.json()["detail"]["problems"]] == [(where, field)]
    assert attendees(db, org["event"]["id"]) == []
    assert db.exec(select(func.count()).select_from(MagicLink)).one() == 1  # the organizer's own sign-in


def test_only_paid_orders_get_a_join_link(srv, db, org):
    lines = PRETIX.decode().splitlines()
    statuses = ["Paid", "Pending", "Canceled", "Expired", "p"]
    rows = [lines[0]] + [
        line.replace(",Paid,", f",{status},") for line, status in zip(lines[1:], statuses, strict=True)
    ]
    response = import_attendees(srv, org["token"], org["event"]["id"], "\n".join(rows).encode())
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["created"] == 2
    assert {i["display_name"] for i in summary["invitations"]} == {"Camille Laurent", "Inès Moreau"}
    assert [(s["line"], s["display_name"], s["reason"], s["status"]) for s in summary["skipped"]] == [
        (3, "Hugo Bernard", "not_paid", "Pending"),
        (4, "Sofia Rossi", "not_paid", "Canceled"),
        (5, "Samir Haddad", "not_paid", "Expired"),
    ]
    assert {a.display_name for a in attendees(db, org["event"]["id"])} == {"Camille Laurent", "Inès Moreau"}


def test_a_form_upload_or_an_octet_stream_is_imported(srv, db, org):
    url = f"/api/events/{org['event']['id']}/attendees/import"
    with srv.client(org["token"]) as client:
        form = client.post(url, files={"tickets": ("export.csv", PRETIX, "text/csv")})
        assert form.status_code == 200, form.text
        assert form.json()["created"] == 5
        raw = client.post(url, content=FRENCH_EXCEL, headers={"Content-Type": "application/octet-stream"})
        assert raw.status_code == 200, raw.text
        assert raw.json()["created"] > 0
        refused = client.post(url, content=PRETIX, headers={"Content-Type": "text/csv; charset=punycode"})
        assert (refused.status_code, refused.json()["error"]) == (415, "UnsupportedFileType")


def test_other_file_types_are_refused(srv, org):
    response = import_attendees(
        srv, org["token"], org["event"]["id"], b'{"name": "Ada"}', content_type="application/json"
    )
    assert response.status_code == 415


def test_no_import_into_an_event_that_is_over(srv, db, org):
    event = db.get(Event, org["event"]["id"])
    event.starts_at, event.ends_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    db.add(event)
    db.commit()
    response = import_attendees(srv, org["token"], org["event"]["id"], PRETIX)
    assert response.status_code == 409
    assert attendees(db, org["event"]["id"]) == []


def test_send_emails_each_their_link_after_the_response(mailing_server, smtp):  # noqa: F811
    srv, (_, inbox) = mailing_server, smtp
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token, name="Rhône Platform Days")
    response = import_attendees(srv, token, event["id"], PRETIX, params={"send": "true"})
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["created"], summary["emailed"]) == (5, 4)
    # Only the attendee without email is left to print.
    assert [i["display_name"] for i in summary["invitations"]] == ["Inès Moreau"]
    deadline = time.monotonic() + 60
    while len(inbox.messages) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(r[0] for r, _ in inbox.messages) == [
        "camille.laurent@acme-logistique.example",
        "hugo.bernard@acme-logistique.example",
        "samir@bytefield.example",
        "sofia.rossi@example.net",
    ]
    _, message = next(m for m in inbox.messages if m[0] == ["sofia.rossi@example.net"])
    assert str(make_header(decode_header(message["Subject"]))) == "Votre accès au couloir de Rhône Platform Days"
    text, qr = message.get_payload()
    body = text.get_payload(decode=True).decode()
    assert "Bonjour Sofia Rossi" in body and "Hello Sofia Rossi" in body
    join_url = re.search(r"\S+/login#token=[\w-]+", body).group(0)
    # The attached QR is the same personal link, for a badge or a laptop screen.
    assert (qr.get_content_type(), qr.get_filename()) == ("image/png", "couloir-pass.png")
    assert decode_png(qr.get_payload(decode=True)) == join_url
    signed_in = redeem(srv, join_url)
    assert signed_in.status_code == 200 and signed_in.json()["subject_kind"] == "attendee"
