"""The agenda for attendees: private bookmarks (replayed once), the .ics of my talks (RFC 5545, read back by
an independent parser), and names of zones and topics per language."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlmodel import select

from api.agenda.calendar import CalendarEntry, escape_text, fold, render_calendar
from api.agenda.models import TalkBookmark
from tests import factories as f

START = datetime(2026, 3, 12, 15, 55, tzinfo=UTC)  # 16:55 in Paris
ABSTRACT = "Probes, maps; and the verifier, explained.\nSecond line with a backslash \\ and é accents. " * 3


def add_talk(srv, organizer: str, event_id: int, title: str, *, minutes: int = 0, **fields) -> dict:
    body = {
        "title": title,
        "starts_at": (START + timedelta(minutes=minutes)).isoformat(),
        "ends_at": (START + timedelta(minutes=minutes + 40)).isoformat(),
    } | fields
    with srv.client(organizer) as client:
        response = client.post(f"/api/events/{event_id}/talks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def put(srv, token: str, path: str, key: str | None = None):
    with srv.client(token) as client:
        return client.put(path, headers={"Idempotency-Key": key or f.new_key()})


def delete(srv, token: str, path: str, key: str | None = None):
    with srv.client(token) as client:
        return client.delete(path, headers={"Idempotency-Key": key or f.new_key()})


def bookmarks(srv, token: str) -> list[int]:
    with srv.client(token) as client:
        response = client.get("/api/me/bookmarks")
    assert response.status_code == 200, response.text
    return response.json()["talk_ids"]


def calendar(srv, token: str, **params):
    with srv.client(token) as client:
        return client.get("/api/me/calendar.ics", params=params)


# The calendar module ------------------------------------------------------------------------------


def test_text_is_escaped_and_long_lines_fold_at_75_octets_without_splitting_a_character():
    assert escape_text("a,b;c\\d\r\ne\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join(piece.removeprefix(" ") if i else piece for i, piece in enumerate(pieces)) == line


def test_a_calendar_reads_back_with_an_independent_parser():
    entries = [
        CalendarEntry(
            uid="talk-1-x@example.org",
            starts_at=START,
            ends_at=START + timedelta(minutes=40),
            summary="eBPF, in production; really",
            description=ABSTRACT,
            location="Room A, DevOps Days",
        )
    ]
    text = render_calendar(entries, name="DevOps Days", stamp=START)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    parsed = icalendar.Calendar.from_ical(text)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    (event,) = parsed.walk("VEVENT")
    assert str(event["UID"]) == "talk-1-x@example.org"
    assert str(event["SUMMARY"]) == "eBPF, in production; really"
    assert str(event["DESCRIPTION"]) == ABSTRACT
    assert str(event["LOCATION"]) == "Room A, DevOps Days"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=40)
    assert event.decoded("DTSTAMP") == START


# Bookmarks ----------------------------------------------------------------------------------------


def test_bookmarks_are_mine_in_time_order_and_a_replay_counts_once(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    other = h.person(srv, "Hugo", ["Observability"], zone=None)
    late = add_talk(srv, h.organizer, h.event["id"], "Late talk", minutes=120)
    early = add_talk(srv, h.organizer, h.event["id"], "Early talk")
    key = f.new_key()
    assert put(srv, me.token, f"/api/me/bookmarks/{late['id']}", key).status_code == 204
    replayed = put(srv, me.token, f"/api/me/bookmarks/{late['id']}", key)
    assert replayed.status_code == 204 and replayed.headers["Idempotent-Replayed"] == "true"
    assert put(srv, me.token, f"/api/me/bookmarks/{late['id']}").status_code == 204  # a second tap: still one
    assert put(srv, me.token, f"/api/me/bookmarks/{early['id']}").status_code == 204
    assert bookmarks(srv, me.token) == [early["id"], late["id"]]
    assert bookmarks(srv, other.token) == []
    assert len(db.exec(select(TalkBookmark)).all()) == 2
    assert delete(srv, me.token, f"/api/me/bookmarks/{late['id']}").status_code == 204
    assert bookmarks(srv, me.token) == [early["id"]]
    with srv.client(me.token) as client:
        exported = client.get("/api/me/export").json()
    assert exported["bookmarked_talks"] == [early["id"]]


def test_bookmarks_refuse_another_events_talk_unknown_ids_no_key_and_no_one(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    elsewhere = f.hallway(srv, name="Other event", slug="other-event")
    theirs = add_talk(srv, elsewhere.organizer, elsewhere.event["id"], "Their talk")
    for path in (f"/api/me/bookmarks/{theirs['id']}", "/api/me/bookmarks/999999"):
        refused = put(srv, me.token, path)
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"] == "NotFound"
        assert delete(srv, me.token, path).status_code == 404
    with srv.client(me.token) as client:
        assert client.put(f"/api/me/bookmarks/{theirs['id']}").status_code == 422  # no Idempotency-Key
        assert client.put("/api/me/bookmarks/0", headers={"Idempotency-Key": f.new_key()}).status_code == 422
    with srv.client() as anonymous:
        assert anonymous.get("/api/me/bookmarks").status_code == 401
        assert anonymous.get("/api/me/calendar.ics").status_code == 401
        assert (
            anonymous.put(f"/api/me/bookmarks/{theirs['id']}", headers={"Idempotency-Key": f.new_key()}).status_code
            == 401
        )
    assert db.exec(select(TalkBookmark)).all() == []


# The .ics -----------------------------------------------------------------------------------------


def test_my_calendar_has_my_bookmarked_talks_with_stable_uids_as_text_calendar(srv):
    h = f.hallway(srv, name="Journées DevOps, Paris")
    speaker = h.person(srv, "Ana Lopez", ["eBPF"], zone=None)
    me = h.person(srv, "Léa", ["eBPF"], zone=None)
    with srv.client(me.token) as client:
        client.patch("/api/me", json={"language": "fr"})
    talk = add_talk(
        srv,
        h.organizer,
        h.event["id"],
        "eBPF; in production",
        abstract=ABSTRACT,
        room="Salle A",
        speaker_ids=[speaker.id],
    )
    add_talk(srv, h.organizer, h.event["id"], "Not bookmarked", minutes=60)
    put(srv, me.token, f"/api/me/bookmarks/{talk['id']}")
    first = calendar(srv, me.token)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("text/calendar")
    assert 'filename="couloir-agenda-journees-devops-paris.ics"' in first.headers["content-disposition"]
    parsed = icalendar.Calendar.from_ical(first.text)
    (event,) = parsed.walk("VEVENT")
    assert str(event["SUMMARY"]) == "eBPF; in production"
    assert str(event["DESCRIPTION"]) == "Avec Ana Lopez\n\n" + ABSTRACT.strip()
    assert str(event["LOCATION"]) == "Salle A, Journées DevOps, Paris"
    assert event.decoded("DTSTART") == START
    again = icalendar.Calendar.from_ical(calendar(srv, me.token).text)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(event["UID"])]


def test_one_talks_calendar_and_its_refusals(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["eBPF"], zone=None)
    talk = add_talk(srv, h.organizer, h.event["id"], "Keynote")
    one = icalendar.Calendar.from_ical(calendar(srv, me.token, talk_id=talk["id"]).text)
    assert [str(e["SUMMARY"]) for e in one.walk("VEVENT")] == ["Keynote"]
    assert icalendar.Calendar.from_ical(calendar(srv, me.token).text).walk("VEVENT") == []
    elsewhere = f.hallway(srv, name="Other event", slug="other-event")
    theirs = add_talk(srv, elsewhere.organizer, elsewhere.event["id"], "Their talk")
    refused = calendar(srv, me.token, talk_id=theirs["id"])
    assert refused.status_code == 404 and refused.json()["error"] == "NotFound"
    assert calendar(srv, me.token, talk_id="x").status_code == 422


# Names per language -------------------------------------------------------------------------------


def test_zones_and_topics_carry_optional_names_per_language(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    event_id = h.event["id"]
    with srv.client(h.organizer) as client:
        zone = client.patch(f"/api/events/{event_id}/zones/{h.zones['coffee']['id']}", json={"name_fr": "Bar à café"})
        assert zone.status_code == 200, zone.text
        assert (zone.json()["name_fr"], zone.json()["name_en"]) == ("Bar à café", None)
        topic = client.post(f"/api/events/{event_id}/topics", json={"name": "Security", "name_fr": "Sécurité"})
        assert topic.status_code == 409  # "Security" exists: the default name stays the topic's identity
        topic = client.patch(
            f"/api/events/{event_id}/topics/{h.topics['Observability']}", json={"name_fr": "Observabilité"}
        )
        assert topic.json()["name_fr"] == "Observabilité"
        bad = client.patch(f"/api/events/{event_id}/topics/{h.topics['Rust']}", json={"name_fr": "x" * 101})
        assert bad.status_code == 422 and bad.json()["error"] == "InvalidInput"
        bad = client.patch(f"/api/events/{event_id}/zones/{h.zones['coffee']['id']}", json={"name_de": "Kaffee"})
        assert bad.status_code == 422
    with srv.client(me.token) as client:
        zones = {z["name"]: z for z in client.get(f"/api/events/{event_id}/public").json()["zones"]}
        topics = {t["name"]: t for t in client.get(f"/api/events/{event_id}/topics").json()}
    assert zones["Coffee bar"]["name_fr"] == "Bar à café" and zones["Buffet"]["name_fr"] is None
    assert topics["Observability"]["name_fr"] == "Observabilité"
    with srv.client(h.organizer) as client:
        cleared = client.patch(f"/api/events/{event_id}/zones/{h.zones['coffee']['id']}", json={"name_fr": None})
    assert cleared.json()["name_fr"] is None and cleared.json()["name"] == "Coffee bar"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_new_zone_takes_both_names(srv, language):
    h = f.hallway(srv)
    with srv.client(h.organizer) as client:
        created = client.post(
            f"/api/events/{h.event['id']}/zones",
            json={"name": "Entrance", "kind": "entrance", f"name_{language}": "Accueil"},
        )
    assert created.status_code == 201, created.text
    assert created.json()[f"name_{language}"] == "Accueil"


def test_suggestions_say_topics_and_zones_in_the_callers_language(srv):
    h = f.hallway(srv)
    event_id = h.event["id"]
    with srv.client(h.organizer) as client:
        client.patch(f"/api/events/{event_id}/topics/{h.topics['Observability']}", json={"name_fr": "Observabilité"})
        client.patch(f"/api/events/{event_id}/zones/{h.zones['buffet']['id']}", json={"name_fr": "Le buffet"})
    french = h.person(srv, "Léa", ["Observability"], language="fr")
    english = h.person(srv, "Hugo", ["Observability"], zone="buffet", language="en")
    seen_in_french = f.suggestions(srv, french.token)
    (suggestion,) = seen_in_french["suggestions"]
    assert [t["name"] for t in suggestion["shared_topics"]] == ["Observabilité"]
    assert suggestion["zone"]["name"] == "Le buffet"
    assert "Observabilité" in suggestion["reason"] and "Observability" not in suggestion["reason"]
    (suggestion,) = f.suggestions(srv, english.token)["suggestions"]
    assert [t["name"] for t in suggestion["shared_topics"]] == ["Observability"]
    assert "Observability" in suggestion["reason"]
