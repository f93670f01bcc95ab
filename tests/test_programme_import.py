"""Programme import: pretalx/frab schedule JSON and XML, and our CSV, onto the event's agenda."""

import copy
import json

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from api.agenda.models import AgendaBreak, Talk, TalkSpeaker, TalkTopic
from api.attendees.models import Attendee
from api.events.models import Topic
from tests import factories
from tests.factories import DATA

SCHEDULE_JSON = (DATA / "schedule-pretalx.json").read_bytes()
SCHEDULE_XML = (DATA / "schedule-frab.xml").read_bytes()
PROGRAMME_CSV = (DATA / "programme.csv").read_bytes()
JSON, XML, CSV = "application/json", "application/xml", "text/csv"
PARIS_JUNE = {
    "timezone": "Europe/Paris",
    "starts_at": "2027-06-10T08:00:00+02:00",
    "ends_at": "2027-06-11T19:00:00+02:00",
}
PARIS_MARCH = {
    "timezone": "Europe/Paris",
    "starts_at": "2027-03-18T08:00:00+01:00",
    "ends_at": "2027-03-18T18:00:00+01:00",
}


@pytest.fixture
def rhone(srv):
    """The event of the sample schedules, with one topic and one speaker already there."""
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token, **PARIS_JUNE)
    topics = factories.add_topics(srv, token, event["id"], {"Observability": ["Observabilité", "o11y"]})
    samir = factories.join(srv, event["join_code"], "Samir Haddad")
    return {"token": token, "event": event, "topics": topics, "samir": samir["attendee"]["id"]}


def import_programme(srv, token, event_id, content: bytes, content_type: str):
    return factories.upload(srv, token, f"/api/events/{event_id}/programme/import", content, content_type)


def agenda(srv, token, event_id) -> dict:
    with srv.client(token) as client:
        response = client.get(f"/api/events/{event_id}/agenda")
        topics = {t["id"]: t["name"] for t in client.get(f"/api/events/{event_id}/topics").json()}
    assert response.status_code == 200, response.text
    body = response.json()
    return {
        "talks": {
            t["title"]: {
                "room": t["room"],
                "starts_at": t["starts_at"],
                "ends_at": t["ends_at"],
                "abstract": t["abstract"],
                "topics": sorted(topics[i] for i in t["topic_ids"]),
                "speakers": sorted(s["display_name"] for s in t["speakers"]),
            }
            for t in body["talks"]
        },
        "breaks": [(b["label"], b["starts_at"], b["ends_at"]) for b in body["breaks"]],
    }


def counts(db: Session, event_id: int) -> dict:
    db.expire_all()
    talk_ids = select(Talk.id).where(Talk.event_id == event_id)
    return {
        "talks": db.exec(select(func.count()).select_from(Talk).where(Talk.event_id == event_id)).one(),
        "titles": sorted(db.exec(select(Talk.title).where(Talk.event_id == event_id))),
        "breaks": db.exec(select(func.count()).select_from(AgendaBreak).where(AgendaBreak.event_id == event_id)).one(),
        "topics": db.exec(select(func.count()).select_from(Topic).where(Topic.event_id == event_id)).one(),
        "attendees": db.exec(select(func.count()).select_from(Attendee).where(Attendee.event_id == event_id)).one(),
        "talk_topics": db.exec(
            select(func.count()).select_from(TalkTopic).where(TalkTopic.talk_id.in_(talk_ids))
        ).one(),
        "talk_speakers": db.exec(
            select(func.count()).select_from(TalkSpeaker).where(TalkSpeaker.talk_id.in_(talk_ids))
        ).one(),
    }


def test_pretalx_json_builds_the_agenda(srv, db, rhone):
    event_id = rhone["event"]["id"]
    response = import_programme(srv, rhone["token"], event_id, SCHEDULE_JSON, JSON)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["format"] == "schedule-json"
    assert (summary["talks_created"], summary["talks_updated"], summary["talks_unchanged"]) == (6, 0, 0)
    # The coffee break is listed in both rooms: one break of the event.
    assert summary["breaks_created"] == 2
    assert sorted(summary["topics_created"]) == ["Community", "FinOps", "Kubernetes", "eBPF"]
    assert sorted(summary["speakers_created"]) == ["Ama Mensah", "Claire Dubois", "Julia Novak", "Tomás Ferreira"]
    assert summary["speakers_linked"] == 1
    assert summary["warnings"] == [] and summary["talks_not_in_file"] == []

    seen = agenda(srv, rhone["token"], event_id)
    assert len(seen["talks"]) == 6
    # 09:30 in Paris in June is 07:30 UTC; "Observabilité" is a synonym of the existing topic.
    assert seen["talks"]["Tracer une requête à travers 40 services"] == {
        "room": "Salle Jacquard",
        "starts_at": "2027-06-10T07:30:00Z",
        "ends_at": "2027-06-10T08:15:00Z",
        "abstract": "Propagation de contexte, échantillonnage en queue et les trois erreurs qui rendent une trace "
        "illisible.",
        "topics": ["Observability"],
        "speakers": ["Julia Novak", "Tomás Ferreira"],
    }
    workshop = seen["talks"]["Workshop: your first OpenTelemetry Collector pipeline"]
    assert (workshop["starts_at"], workshop["ends_at"], workshop["topics"]) == (
        "2027-06-11T07:30:00Z",
        "2027-06-11T09:00:00Z",
        ["Observability"],
    )
    assert seen["talks"]["eBPF in production without tears"]["speakers"] == ["Samir Haddad"]
    assert seen["breaks"] == [
        ("Coffee break", "2027-06-10T08:15:00Z", "2027-06-10T08:45:00Z"),
        ("Pause café", "2027-06-11T08:15:00Z", "2027-06-11T08:35:00Z"),
    ]
    # The attendee who joined is now a speaker; the others were added as speakers without email.
    db.expire_all()
    assert db.get(Attendee, rhone["samir"]).role == "speaker"
    julia = db.exec(select(Attendee).where(Attendee.event_id == event_id, Attendee.display_name == "Julia Novak")).one()
    assert (julia.role, julia.email) == ("speaker", None)
    assert db.exec(select(Talk.external_id).where(Talk.title == "FinOps for platform teams")).one() == (
        "c7e6d5b4-a3f2-5e1d-9c0b-8a7f6e5d4c16"
    )


def test_frab_xml_gives_the_same_agenda_as_the_json(srv, rhone):
    from_json = rhone
    xml_event = factories.create_event(srv, rhone["token"], **PARIS_JUNE)
    factories.add_topics(srv, rhone["token"], xml_event["id"], {"Observability": ["Observabilité", "o11y"]})
    factories.join(srv, xml_event["join_code"], "Samir Haddad")
    assert import_programme(srv, rhone["token"], from_json["event"]["id"], SCHEDULE_JSON, JSON).status_code == 200
    response = import_programme(srv, rhone["token"], xml_event["id"], SCHEDULE_XML, XML)
    assert response.status_code == 200, response.text
    assert response.json()["format"] == "schedule-xml"
    assert response.json()["speakers_linked"] == 1
    assert agenda(srv, rhone["token"], xml_event["id"]) == agenda(srv, rhone["token"], from_json["event"]["id"])
    # text/xml is the other name of the same format.
    again = import_programme(srv, rhone["token"], xml_event["id"], SCHEDULE_XML, "text/xml; charset=utf-8")
    assert again.status_code == 200 and again.json()["talks_unchanged"] == 6


def test_csv_programme_links_speakers_by_email_and_topics_by_synonym(srv, db):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token, **PARIS_MARCH)
    factories.add_topics(srv, token, event["id"], {"Security": ["Sécurité"], "Observability": ["o11y"]})
    lea = factories.join(srv, event["join_code"], "Léa M.", email="Lea.Martin@example.org")["attendee"]
    response = import_programme(srv, token, event["id"], PROGRAMME_CSV, CSV)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["format"], summary["talks_created"], summary["breaks_created"]) == ("csv", 4, 1)
    assert sorted(summary["topics_created"]) == ["Platform engineering", "Product", "Rust", "SRE", "Supply chain"]
    assert sorted(summary["speakers_created"]) == ["Kenji Watanabe", "Noor Rahman", "Pierre Lefèvre"]
    assert summary["speakers_linked"] == 1

    seen = agenda(srv, token, event["id"])
    # 09:00 in Paris in March is 08:00 UTC.
    assert seen["talks"]["Platform teams, product thinking"] == {
        "room": "Grand Salon",
        "starts_at": "2027-03-18T08:00:00Z",
        "ends_at": "2027-03-18T08:45:00Z",
        "abstract": "What changes when the platform has users, a roadmap and a support rota.",
        "topics": ["Platform engineering", "Product"],
        "speakers": ["Léa M."],
    }
    assert seen["talks"]["Securing the software supply chain"]["topics"] == ["Security", "Supply chain"]
    assert seen["talks"]["Securing the software supply chain"]["speakers"] == ["Noor Rahman", "Pierre Lefèvre"]
    assert seen["talks"]["Runbooks nobody reads"]["topics"] == ["Observability", "SRE"]
    # Named without her email on another line, she is still the same person.
    assert seen["talks"]["Rust at the edge: a year in"]["speakers"] == ["Léa M."]
    assert seen["breaks"] == [("Pause café", "2027-03-18T09:40:00Z", "2027-03-18T10:10:00Z")]
    # The schedule's email matched the attendee; it is not copied onto anyone else.
    db.expire_all()
    assert db.get(Attendee, lea["id"]).role == "speaker"
    assert db.exec(select(func.count()).select_from(Attendee).where(Attendee.email.is_not(None))).one() == 1


def test_reimport_updates_instead_of_duplicating(srv, db, rhone):
    token, event_id = rhone["token"], rhone["event"]["id"]
    assert import_programme(srv, token, event_id, SCHEDULE_JSON, JSON).status_code == 200
    first = agenda(srv, token, event_id)
    before = counts(db, event_id)

    again = import_programme(srv, token, event_id, SCHEDULE_JSON, JSON).json()
    assert (again["talks_created"], again["talks_updated"], again["talks_unchanged"]) == (0, 0, 6)
    assert (again["breaks_created"], again["breaks_updated"], again["breaks_unchanged"]) == (0, 0, 2)
    assert again["topics_created"] == [] and again["speakers_created"] == []
    assert again["speakers_linked"] == 5
    assert counts(db, event_id) == before
    assert agenda(srv, token, event_id) == first

    # The tool's next export: a retitled talk, a moved one, a renamed break, a cancelled talk.
    schedule = json.loads(SCHEDULE_JSON)
    day1 = schedule["schedule"]["conference"]["days"][0]["rooms"]
    day2 = schedule["schedule"]["conference"]["days"][1]["rooms"]
    day1["Amphi Lumière"][2]["title"] = "eBPF in production, without tears"
    day1["Salle Jacquard"][2]["date"] = "2027-06-10T11:30:00+02:00"
    day2["Amphi Lumière"][1]["title"] = "Pause café et viennoiseries"
    cancelled = day2["Amphi Lumière"].pop(0)
    with Session(srv.engine) as session:
        cancelled_id = session.exec(select(Talk.id).where(Talk.external_id == cancelled["guid"])).one()
    response = import_programme(srv, token, event_id, json.dumps(schedule).encode(), JSON)
    assert response.status_code == 200, response.text
    third = response.json()
    assert (third["talks_created"], third["talks_updated"], third["talks_unchanged"]) == (0, 2, 3)
    assert (third["breaks_created"], third["breaks_updated"], third["breaks_unchanged"]) == (0, 1, 1)
    assert third["talks_not_in_file"] == [cancelled_id]
    after = counts(db, event_id)
    assert after["talks"] == before["talks"] and after["breaks"] == before["breaks"]
    seen = agenda(srv, token, event_id)
    assert "eBPF in production, without tears" in seen["talks"]
    assert "eBPF in production without tears" not in seen["talks"]
    assert seen["talks"]["FinOps for platform teams"]["starts_at"] == "2027-06-10T09:30:00Z"
    assert ("Pause café et viennoiseries", "2027-06-11T08:15:00Z", "2027-06-11T08:35:00Z") in seen["breaks"]


def test_times_without_offset_are_in_the_events_time_zone(srv, rhone):
    schedule = json.loads(SCHEDULE_JSON)
    day = schedule["schedule"]["conference"]["days"][0]
    talk = day["rooms"]["Amphi Lumière"][0]
    del talk["date"]  # the day's date and the talk's start, 09:30 local
    day["rooms"]["Amphi Lumière"][2]["date"] = "2027-06-10T10:45:00"  # no offset
    response = import_programme(srv, rhone["token"], rhone["event"]["id"], json.dumps(schedule).encode(), JSON)
    assert response.status_code == 200, response.text
    seen = agenda(srv, rhone["token"], rhone["event"]["id"])
    assert seen["talks"]["The hallway is the conference"]["starts_at"] == "2027-06-10T07:30:00Z"
    assert seen["talks"]["eBPF in production without tears"]["starts_at"] == "2027-06-10T08:45:00Z"


def test_a_file_in_another_time_zone_is_flagged(srv):
    token = factories.organizer_token(srv)
    event = factories.create_event(
        srv, token, timezone="Europe/London", starts_at="2027-06-10T07:00:00Z", ends_at="2027-06-11T18:00:00Z"
    )
    response = import_programme(srv, token, event["id"], SCHEDULE_JSON, JSON)
    assert response.status_code == 200, response.text
    assert any("Europe/Paris" in w and "Europe/London" in w for w in response.json()["warnings"])
    # The file's offsets are kept: the same instant whatever the event's zone.
    seen = agenda(srv, token, event["id"])
    assert seen["talks"]["The hallway is the conference"]["starts_at"] == "2027-06-10T07:30:00Z"


def _json_with(change) -> bytes:
    schedule = copy.deepcopy(json.loads(SCHEDULE_JSON))
    # Every valid talk is retitled too: had anything been written, it would show.
    for day in schedule["schedule"]["conference"]["days"]:
        for entries in day["rooms"].values():
            for entry in entries:
                entry["title"] = "Changed " + entry["title"]
    change(schedule)
    return json.dumps(schedule).encode()


def _rooms(schedule, day=0):
    return schedule["schedule"]["conference"]["days"][day]["rooms"]


def _csv_with_line_4(start: str) -> bytes:
    lines = PROGRAMME_CSV.decode().splitlines()
    lines = [line.replace(",Grand Salon,", ",Salle B,") for line in lines]
    lines[3] = lines[3].replace("2027-03-18 10:40,2027-03-18 11:10", f"{start},2027-03-18 11:10")
    return "\n".join(lines).encode()


MALFORMED = {
    "bad JSON": (b'{"schedule": {"conference": ', JSON, "line 1, column", None, "not valid JSON"),
    "not a schedule": (b'{"talks": []}', JSON, "schedule", None, "missing"),
    "missing title": (
        _json_with(lambda s: _rooms(s)["Salle Jacquard"][2].pop("title")),
        JSON,
        'schedule.conference.days[0].rooms["Salle Jacquard"][2]',
        "title",
        "missing",
    ),
    "bad time": (
        _json_with(lambda s: _rooms(s, 1)["Amphi Lumière"][0].update(date="2027-06-11T9h30")),
        JSON,
        'schedule.conference.days[1].rooms["Amphi Lumière"][0]',
        "date",
        "not a date and time",
    ),
    "bad duration": (
        _json_with(lambda s: _rooms(s)["Amphi Lumière"][0].update(duration="45 min")),
        JSON,
        'schedule.conference.days[0].rooms["Amphi Lumière"][0]',
        "duration",
        "not a duration",
    ),
    "unknown room format": (
        _json_with(lambda s: s["schedule"]["conference"]["days"][1].update(rooms=[{"name": "Amphi Lumière"}])),
        JSON,
        "schedule.conference.days[1]",
        "rooms",
        "unknown room format",
    ),
    "repeated id": (
        _json_with(lambda s: _rooms(s)["Salle Jacquard"][0].update(guid=_rooms(s)["Amphi Lumière"][0]["guid"])),
        JSON,
        'schedule.conference.days[0].rooms["Salle Jacquard"][0]',
        "id",
        "already the id of",
    ),
    "XML not well-formed": (SCHEDULE_XML[:-40], XML, "line", None, "not well-formed XML"),
    "XML entity": (
        (
            b'<?xml version="1.0"?><!DOCTYPE schedule [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<schedule><day><room name='A'><event id='1'><title>&b;</title></event></room></day></schedule>"
        ),
        XML,
        "file",
        None,
        "DTD or entities",
    ),
    "XML missing duration": (
        SCHEDULE_XML.replace(b"<duration>00:40</duration>", b"", 1),
        XML,
        'schedule/day[1]/room[@name="Amphi Lumière"]/event[3]',
        "duration",
        "missing",
    ),
    "CSV bad date": (_csv_with_line_4("2027-03-32 10:40"), CSV, "line 4", "start", "not a date and time"),
    "CSV missing column": (b"id,title,start\n1,Talk,2027-03-18 10:00\n", CSV, "line 1", None, "missing column(s): end"),
    "not UTF-8": (
        "id,title,start,end\n1,Café,2027-03-18 10:00,2027-03-18 11:00\n".encode("latin-1"),
        CSV,
        "line 2",
        None,
        "not UTF-8 text",
    ),
    # Python's JSON parser recurses: this deep, it ran out of stack (a RecursionError and a 500).
    "JSON nested too deep": (b'{"schedule":' + b"[" * 200_000, JSON, "file", None, "nested more than"),
    # Past 9999 once the duration is added, and before year 1 once in UTC: OverflowErrors and 500s.
    "JSON in year 9999": (
        _json_with(lambda s: _rooms(s)["Amphi Lumière"][0].update(date="9999-12-31T23:59:00+00:00")),
        JSON,
        'schedule.conference.days[0].rooms["Amphi Lumière"][0]',
        "date",
        "out of range",
    ),
    "JSON in year 1": (
        _json_with(lambda s: _rooms(s)["Amphi Lumière"][0].update(date="0001-01-01T00:00:00+14:00")),
        JSON,
        'schedule.conference.days[0].rooms["Amphi Lumière"][0]',
        "date",
        "out of range",
    ),
    "CSV in year 9999": (_csv_with_line_4("9999-12-31 23:59"), CSV, "line 4", "start", "out of range"),
    # PostgreSQL refuses NUL in text (a 500); SQLite stored it.
    "JSON NUL in a title": (
        _json_with(lambda s: _rooms(s)["Amphi Lumière"][0].update(title="Keynote\u0000")),
        JSON,
        'schedule.conference.days[0].rooms["Amphi Lumière"][0]',
        "title",
        "control characters",
    ),
    "JSON escape in an abstract": (
        _json_with(lambda s: _rooms(s)["Amphi Lumière"][0].update(abstract="Red \u001b[31m text")),
        JSON,
        'schedule.conference.days[0].rooms["Amphi Lumière"][0]',
        "abstract",
        "control characters",
    ),
    "JSON NUL in a speaker": (
        _json_with(lambda s: _rooms(s)["Amphi Lumière"][0].update(persons=[{"public_name": "Ada\u0000"}])),
        JSON,
        'schedule.conference.days[0].rooms["Amphi Lumière"][0]',
        "persons",
        "control characters",
    ),
    "XML control character in a room": (
        SCHEDULE_XML.replace(b'<room name="Amphi Lumi', b'<room name="&#x1B;Amphi Lumi', 1),
        XML,
        "line",
        None,
        "not well-formed XML",
    ),
    "CSV NUL in a room": (
        b"id,title,room,start,end\n1,Talk,Hall\x00A,2027-03-18 10:00,2027-03-18 11:00\n",
        CSV,
        "line 2",
        "room",
        "control characters",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_file_names_the_problem_and_changes_nothing(srv, db, rhone, case):
    token, event_id = rhone["token"], rhone["event"]["id"]
    assert import_programme(srv, token, event_id, SCHEDULE_JSON, JSON).status_code == 200
    before = counts(db, event_id)
    content, content_type, where, field, problem = MALFORMED[case]
    response = import_programme(srv, token, event_id, content, content_type)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "InvalidImportFile"
    assert "nothing was imported" in body["detail"]["message"]
    assert any(
        p["where"].startswith(where) and p["field"] == field and problem in p["problem"]
        for p in body["detail"]["problems"]
    ), body["detail"]["problems"]
    assert counts(db, event_id) == before


def test_every_problem_is_listed_at_once(srv, rhone):
    csv = b"id,title,start,end\n1,,2027-03-18 10:00,2027-03-18 11:00\n2,B,2027-03-18 10:00,2027-03-18 09:00\n"
    response = import_programme(srv, rhone["token"], rhone["event"]["id"], csv, CSV)
    problems = response.json()["detail"]["problems"]
    assert [(p["where"], p["field"]) for p in problems] == [("line 2", "title"), ("line 3", "end")]


@pytest.mark.parametrize("charset", ["punycode", "rot13", "idna", "utf-7", "no-such-charset"])
def test_a_charset_that_is_not_a_text_encoding_is_refused_with_415(srv, rhone, charset):
    token, event_id = rhone["token"], rhone["event"]["id"]
    with srv.client(token) as client:  # one keep-alive connection: a 500 used to reset it
        for content, content_type in [
            (PROGRAMME_CSV, f"text/csv; charset={charset}"),
            (SCHEDULE_JSON, f"application/json; charset={charset}"),
            (b'<?xml version="1.0" encoding="%s"?><schedule/>' % charset.encode(), XML),
        ]:
            url = f"/api/events/{event_id}/programme/import"
            response = client.post(url, content=content, headers={"Content-Type": content_type})
            assert response.status_code == 415, response.text
            assert response.json()["error"] == "UnsupportedFileType"
            assert "charset" in response.json()["detail"]
        assert client.get(f"/api/events/{event_id}/agenda").status_code == 200


def test_a_file_in_a_declared_text_encoding_is_read(srv, rhone):
    latin1 = "id,title,start,end\n1,Café,2027-06-10 10:00,2027-06-10 11:00\n".encode("latin-1")
    # The last one RFC 2231-encoded, as a header may be: it was a 500.
    for charset in ["=iso-8859-1", "=windows-1252", "=latin1", "*=utf-8''latin1"]:
        response = import_programme(srv, rhone["token"], rhone["event"]["id"], latin1, f"text/csv; charset{charset}")
        assert response.status_code == 200, response.text
    assert "Café" in agenda(srv, rhone["token"], rhone["event"]["id"])["talks"]


def test_a_form_upload_or_an_octet_stream_is_read_by_its_name_or_content(srv, rhone):
    token, event_id = rhone["token"], rhone["event"]["id"]
    url = f"/api/events/{event_id}/programme/import"
    with srv.client(token) as client:
        # curl -F file=@schedule.json: curl sends application/octet-stream for .json.
        form = client.post(url, files={"file": ("schedule.json", SCHEDULE_JSON, "application/octet-stream")})
        assert form.status_code == 200, form.text
        talks = form.json()["talks_created"]
        assert (form.json()["format"], talks) == ("schedule-json", 6)
        # The first file part, whatever its field's name, after other fields.
        named = client.post(
            url, data={"note": "June"}, files={"schedule": ("export", SCHEDULE_XML, "application/octet-stream")}
        )
        assert named.status_code == 200, named.text
        assert (named.json()["format"], named.json()["talks_unchanged"]) == ("schedule-xml", talks)
        raw = client.post(url, content=SCHEDULE_JSON, headers={"Content-Type": "application/octet-stream"})
        assert (raw.status_code, raw.json()["format"]) == (200, "schedule-json")
        empty_form = client.post(
            url,
            content=b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--b--\r\n",
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
        assert empty_form.status_code == 422, empty_form.text
        assert "No file in the form" in empty_form.json()["detail"]["message"]


def test_a_form_upload_is_held_to_the_import_cap(srv, rhone):
    content = b"x" * (srv.settings.max_import_bytes + 1)
    with srv.client(rhone["token"]) as client:
        response = client.post(
            f"/api/events/{rhone['event']['id']}/programme/import", files={"file": ("big.csv", content, "text/csv")}
        )
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


def test_other_file_types_are_refused(srv, rhone):
    response = import_programme(srv, rhone["token"], rhone["event"]["id"], b"Talk at 10", "text/plain")
    assert response.status_code == 415
    assert response.json()["error"] == "UnsupportedFileType"


def test_a_programme_larger_than_the_general_body_cap_is_accepted(srv, rhone):
    abstract = "Lorem ipsum dolor sit amet, hallway edition. " * 30
    rows = [
        f't{i},Talk {i},"{abstract}",Room {i % 4},2027-06-10 {8 + i % 10:02d}:00,2027-06-10 {8 + i % 10:02d}:30,,'
        for i in range(250)
    ]
    content = ("id,title,abstract,room,start,end,speakers,topics\n" + "\n".join(rows)).encode()
    assert srv.settings.max_body_bytes < len(content) < srv.settings.max_import_bytes
    response = import_programme(srv, rhone["token"], rhone["event"]["id"], content, CSV)
    assert response.status_code == 200, response.text
    assert response.json()["talks_created"] == 250
    # Only the import routes are allowed past the general cap.
    elsewhere = factories.upload(srv, rhone["token"], f"/api/events/{rhone['event']['id']}/talks", content, CSV)
    assert elsewhere.status_code == 413


def test_the_import_cap_still_holds(srv, rhone):
    content = b"x" * (srv.settings.max_import_bytes + 1)
    response = import_programme(srv, rhone["token"], rhone["event"]["id"], content, CSV)
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"
