"""The organizers' live picture, through the API on SQLite and PostgreSQL: figures from real check-ins,
contacts and nudges; small counts masked; nothing per person; organizers of the event only."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from api.agenda.models import AgendaBreak
from api.contacts.models import Contact
from api.events.models import Event
from api.presence.models import CheckInRecord
from api.push.models import Nudge
from api.push.service import vapid_keys
from tests import factories as f
from tests.push_receiver import PushReceiver

FEW = "fewer than 3"
# A day long past, so every figure of it is fixed: the event ran 08:00-18:00 UTC.
DAY = date(2026, 3, 12)


def at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(DAY.year, DAY.month, DAY.day, hours, minutes, tzinfo=UTC)


def dashboard(srv, token: str, event_id: int) -> dict:
    with srv.client(token) as client:
        response = client.get(f"/api/events/{event_id}/dashboard")
    assert response.status_code == 200, response.text
    return response.json()


def zone_row(picture: dict, name: str, key: str = "zones") -> dict:
    rows = picture["zones"] if key == "zones" else picture["heatmap"]["rows"]
    [row] = [r for r in rows if r["zone"]["name"] == name]
    return row


def shown_slots(picture: dict, zone: str) -> dict[str, int]:
    """The zone's unmasked heatmap cells of DAY, by the slot's start ("09:15")."""
    row = zone_row(picture, zone, "heatmap")["people"]
    return {f"{8 + k // 4:02}:{k % 4 * 15:02}": n for k, n in enumerate(row) if n != FEW}


def move_event_to_the_past(db, event_id: int) -> None:
    """The event took place on DAY (UTC), so the heatmap and hourly figures cover that day."""
    db.execute(
        update(Event).where(Event.id == event_id).values(starts_at=at("08:00"), ends_at=at("18:00"), timezone="UTC")
    )
    db.commit()


def people(srv, h: f.Hallway, count: int, prefix: str) -> list[f.Person]:
    return [h.person(srv, f"{prefix} {n}", ["Rust"], zone=None) for n in range(count)]


def connect(srv, a: f.Person, b: f.Person) -> None:
    with srv.client(a.token) as client:
        code = client.post("/api/me/connect-code").json()["code"]
    with srv.client(b.token) as client:
        response = client.post("/api/contacts/scan", json={"code": code}, headers={"Idempotency-Key": f.new_key()})
    assert response.status_code == 201, response.text


# Occupancy now and masking --------------------------------------------------------------------------


def test_two_people_in_a_zone_read_fewer_than_3_and_three_read_3(srv):
    h = f.hallway(srv)
    for name in ("Ada", "Grace"):
        h.person(srv, name, ["Rust"], zone="coffee")

    picture = dashboard(srv, h.organizer, h.event["id"])
    assert zone_row(picture, "Coffee bar")["people"] == FEW
    now_slot = _slot_now(picture)
    assert zone_row(picture, "Coffee bar", "heatmap")["people"][now_slot] == FEW

    h.person(srv, "Linus", ["Rust"], zone="coffee")

    picture = dashboard(srv, h.organizer, h.event["id"])
    assert zone_row(picture, "Coffee bar")["people"] == 3
    assert zone_row(picture, "Coffee bar")["top_topics"] == [{"id": h.topics["Rust"], "name": "Rust", "people": 3}]
    assert zone_row(picture, "Coffee bar", "heatmap")["people"][now_slot] == 3
    assert zone_row(picture, "Buffet")["people"] == FEW
    assert picture["huddles"]["now"] == 1
    [huddle] = picture["huddles"]["groups"]
    assert (huddle["zone"]["name"], huddle["topic"]["name"], huddle["people"]) == ("Coffee bar", "Rust", 3)


def _slot_now(picture: dict) -> int:
    now = datetime.fromisoformat(picture["generated_at"])
    slots = [datetime.fromisoformat(s) for s in picture["heatmap"]["slots"]]
    return max(i for i, start in enumerate(slots) if start <= now)


def test_no_figure_names_or_identifies_anyone(srv):
    h = f.hallway(srv)
    crowd = [h.person(srv, f"Unique Name {n}", ["Rust"], zone="coffee") for n in range(4)]
    connect(srv, crowd[0], crowd[1])
    with srv.client(h.organizer) as client:
        body = client.get(f"/api/events/{h.event['id']}/dashboard").text
        export = client.get(f"/api/events/{h.event['id']}/dashboard.csv").text
    for text in (body, export):
        assert "Unique Name" not in text
        assert "attendee" not in text.replace("attendees", "").replace("per_attendee", "")


# The heatmap --------------------------------------------------------------------------------------


def test_the_heatmap_counts_each_stay_in_every_slot_it_touches(srv, db):
    h = f.hallway(srv)
    event_id = h.event["id"]
    stays = {  # who, and their check-ins (zone, time) that day
        "passing": [("coffee", "09:05")],  # 20-minute TTL: 09:05-09:25
        "moving": [("coffee", "09:06"), ("buffet", "09:14")],  # coffee 09:06-09:14, buffet 09:14-09:34
        "breaking": [("coffee", "10:05")],  # in the 10:00-10:30 break: until it ends
    }
    visits = []
    for pattern, check_ins in stays.items():
        visits += [(person.id, check_ins) for person in people(srv, h, 3, pattern)]
    [staying] = people(srv, h, 1, "staying")  # scans the coffee bar twice: one stay, 09:02-09:34
    visits.append((staying.id, [("coffee", "09:02"), ("coffee", "09:14")]))
    move_event_to_the_past(db, event_id)
    db.add(AgendaBreak(event_id=event_id, label="Coffee break", starts_at=at("10:00"), ends_at=at("10:30")))
    for attendee_id, check_ins in visits:
        for zone, hhmm in check_ins:
            db.add(
                CheckInRecord(
                    event_id=event_id, zone_id=h.zones[zone]["id"], attendee_id=attendee_id, checked_in_at=at(hhmm)
                )
            )
    db.commit()

    picture = dashboard(srv, h.organizer, event_id)

    heatmap = picture["heatmap"]
    assert picture["day"] == DAY.isoformat()
    assert heatmap["slot_minutes"] == 15
    assert [datetime.fromisoformat(s) for s in heatmap["slots"]] == [
        at("08:00") + timedelta(minutes=15 * k) for k in range(40)
    ]
    # 09:00: passing 3 + moving 3 + staying 1 (counted once though it scanned twice in that slot).
    assert shown_slots(picture, "Coffee bar") == {"09:00": 7, "09:15": 4, "10:00": 3, "10:15": 3}
    assert shown_slots(picture, "Buffet") == {"09:00": 3, "09:15": 3, "09:30": 3}
    assert shown_slots(picture, "Lounge") == {}
    assert zone_row(picture, "Coffee bar", "heatmap")["people"][6] == FEW  # 09:30: only "staying"


# Contacts and KPIs ---------------------------------------------------------------------------------


def test_contacts_per_hour_and_kpis(srv, db):
    h = f.hallway(srv, ticket_price_cents=60000, currency="EUR")
    a, b, c, d, e, g = people(srv, h, 6, "Person")
    for pair in ((a, b), (a, c), (a, d), (b, c), (e, g)):
        connect(srv, *pair)
    with srv.client(a.token) as client:  # one side removes its copy: the exchange still happened
        [mine] = [x for x in client.get("/api/contacts").json()["items"] if x["name"] == b.name]
        assert client.delete(f"/api/contacts/{mine['id']}").status_code == 204
    move_event_to_the_past(db, h.event["id"])
    met = {
        (a.id, b.id): "09:10",
        (a.id, c.id): "09:40",
        (a.id, d.id): "09:59",
        (b.id, c.id): "11:30",
        (e.id, g.id): "11:45",
    }
    for (x, y), hhmm in met.items():
        db.execute(
            update(Contact)
            .where(Contact.owner_id.in_([x, y]), Contact.other_attendee_id.in_([x, y]))
            .values(met_at=at(hhmm))
        )
    db.commit()

    picture = dashboard(srv, h.organizer, h.event["id"])

    hours = {datetime.fromisoformat(r["hour"]).hour: r["contacts"] for r in picture["contacts_per_hour"]}
    assert list(hours) == list(range(8, 18))
    assert hours[9] == 3 and hours[11] == FEW and hours[10] == FEW
    kpis = picture["kpis"]
    # 6 attendees, all with a contact; 5 exchanges, 9 copies held (a removed one): 1.5 per attendee.
    assert kpis == {
        "attendees": 6,
        "attendees_with_contact": 6,
        "share_with_contact": 1.0,
        "contacts_made": 5,
        "contacts_per_attendee": 1.5,
        "ticket_price_cents": 60000,
        "currency": "EUR",
        "cost_per_contact_cents": 40000,
    }


def test_small_kpis_are_masked(srv):
    h = f.hallway(srv)
    a, b, _, _ = people(srv, h, 4, "Person")
    connect(srv, a, b)
    kpis = dashboard(srv, h.organizer, h.event["id"])["kpis"]
    assert (kpis["attendees"], kpis["attendees_with_contact"], kpis["contacts_made"]) == (4, FEW, FEW)
    assert (kpis["share_with_contact"], kpis["contacts_per_attendee"], kpis["cost_per_contact_cents"]) == (
        None,
        None,
        None,
    )


# Nudges and hallway moments ---------------------------------------------------------------------------


def test_nudges_sent_and_opened_per_break(srv, db):
    h = f.hallway(srv)
    crowd = people(srv, h, 6, "Person")
    pause = f.add_break(srv, h.organizer, h.event["id"], started_minutes_ago=5, minutes_left=10)
    key = f"break:{pause['id']}"
    today = date.today()
    outcomes = [
        ("delivered", True),
        ("delivered", True),
        ("delivered", True),
        ("delivered", False),
        ("failed", False),
        ("dropped", False),
    ]
    for person, (status, opened) in zip(crowd, outcomes, strict=True):
        db.add(
            Nudge(
                attendee_id=person.id,
                event_id=h.event["id"],
                break_key=key,
                reason="match_nearby",
                day=today,
                break_slot=1,
                day_slot=1,
                status=status,
                opened_at=datetime.now(UTC) if opened else None,
            )
        )
    # An earlier break with 2 nudges: masked, and left out of the totals, or 6 - 4 would tell it.
    earlier = f.add_break(srv, h.organizer, h.event["id"], started_minutes_ago=60, minutes_left=-45)
    for person in crowd[:2]:
        db.add(
            Nudge(
                attendee_id=person.id,
                event_id=h.event["id"],
                break_key=f"break:{earlier['id']}",
                reason="match_nearby",
                day=today,
                break_slot=1,
                day_slot=2,
                status="delivered",
            )
        )
    # A contact-request push is not a break nudge.
    db.add(
        Nudge(
            attendee_id=crowd[0].id,
            event_id=h.event["id"],
            break_key="contact-request:1",
            reason="contact_request",
            day=today,
            status="delivered",
        )
    )
    db.commit()

    nudges = dashboard(srv, h.organizer, h.event["id"])["nudges"]

    assert (nudges["sent"], nudges["opened"]) == (4, 3)
    latest, first = nudges["occasions"]
    assert (latest["kind"], latest["id"], latest["label"], latest["sent"], latest["opened"]) == (
        "break",
        pause["id"],
        "Coffee break",
        4,
        3,
    )
    assert (first["id"], first["sent"], first["opened"]) == (earlier["id"], FEW, FEW)


def test_a_hallway_moment_shows_with_the_nudges_it_sent(srv, db):
    h = f.hallway(srv)
    # Two hiring, two looking for a job, all sharing three topics: each has a strong match at hand.
    crowd = [
        h.person(srv, f"Person {n}", ["Observability", "eBPF", "Rust"], zone="coffee", goals=[goal])
        for n, goal in enumerate(["hire", "get_hired", "hire", "get_hired"])
    ]
    with PushReceiver(application_server_key=vapid_keys(srv.settings).public_key) as receiver:
        for person in crowd:
            assert f.subscribe(srv, person.token, receiver.new_subscription()).status_code == 201
        with srv.client(h.organizer) as client:
            response = client.post(
                f"/api/events/{h.event['id']}/hallway-moments", json={"minutes": 10, "label": "Sponsor coffee"}
            )
        assert response.status_code == 201, response.text
        moment = response.json()

        [before] = dashboard(srv, h.organizer, h.event["id"])["nudges"]["occasions"]
        assert (before["kind"], before["id"], before["label"], before["sent"]) == (
            "hallway_moment",
            moment["id"],
            "Sponsor coffee",
            FEW,
        )

        report = f.nudge_tick(srv)

    assert report.delivered == 4
    nudges = dashboard(srv, h.organizer, h.event["id"])["nudges"]
    assert nudges["sent"] == 4
    assert [(o["kind"], o["sent"], o["opened"]) for o in nudges["occasions"]] == [("hallway_moment", 4, FEW)]


# The CSV export ---------------------------------------------------------------------------------------


def test_the_csv_export_parses_and_matches_the_dashboard(srv):
    h = f.hallway(srv, ticket_price_cents=45000, currency="EUR")
    crowd = [h.person(srv, f"Person {n}", ["Rust"], zone="coffee") for n in range(4)]
    for pair in ((crowd[0], crowd[1]), (crowd[0], crowd[2]), (crowd[1], crowd[2])):
        connect(srv, *pair)
    h.person(srv, "=HYPERLINK()", ["Rust"], zone="lounge")

    with srv.client(h.organizer) as client:
        response = client.get(f"/api/events/{h.event['id']}/dashboard.csv")
        zone = client.post(f"/api/events/{h.event['id']}/zones", json={"name": "=cmd", "kind": "lounge"})
        assert zone.status_code == 201, zone.text
        with_formula = client.get(f"/api/events/{h.event['id']}/dashboard.csv").text
    picture = dashboard(srv, h.organizer, h.event["id"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="')
    assert response.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    figures = {(r["figure"], r["zone"]): r["value"] for r in rows}
    kpis = picture["kpis"]
    for name in (
        "attendees",
        "attendees_with_contact",
        "share_with_contact",
        "contacts_made",
        "contacts_per_attendee",
        "ticket_price_cents",
        "currency",
        "cost_per_contact_cents",
    ):
        assert figures[(name, "")] == str(kpis[name]), name
    assert figures[("attendees", "")] == "5"
    assert figures[("contacts_made", "")] == "3"
    assert figures[("nudges_sent", "")] == FEW
    assert figures[("huddles_now", "")] == "1"
    assert figures[("people_now", "Coffee bar")] == "4"
    assert figures[("people_now", "Lounge")] == FEW
    assert figures[("peak_people_today", "Coffee bar")] == "4"
    assert figures[("peak_people_today", "Buffet")] == FEW
    # A zone named like a formula stays text in a spreadsheet.
    assert "'=cmd" in with_formula


# Who may see it -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["dashboard", "dashboard.csv"])
def test_only_the_events_organizers_reach_it(srv, path):
    h = f.hallway(srv)
    attendee = h.person(srv, "Ada", ["Rust"], zone="coffee")
    other_organizer = f.organizer_token(srv)
    other_event = f.create_event(srv, other_organizer)
    stranger = f.join(srv, other_event["join_code"], "Stranger")["tokens"]["access_token"]
    url = f"/api/events/{h.event['id']}/{path}"
    # Attendees hold no organizer's token at all; another event's organizer is told there is no such event.
    refused = {
        "no token": (None, 401),
        "attendee of the event": (attendee.token, 401),
        "another event's organizer": (other_organizer, 404),
        "another event's attendee": (stranger, 401),
    }
    for who, (token, status) in refused.items():
        with srv.client(token) as client:
            response = client.get(url)
        assert (response.status_code, set(response.json())) == (status, {"error", "detail"}), who
    with srv.client(h.organizer) as client:
        assert client.get(url).status_code == 200


# The demo ---------------------------------------------------------------------------------------------


def test_the_demo_event_shows_its_crowd_now_and_over_the_day(srv, db):
    from api.demo import CROWD_ZONES, DEMO_EXCHANGES, ORGANIZER_EMAIL, build_demo

    build_demo(db, srv.settings)
    db.commit()
    records, contacts = len(db.exec(select(CheckInRecord)).all()), len(db.exec(select(Contact)).all())
    build_demo(db, srv.settings)  # the demo's history and exchanges are rewritten, not added to
    db.commit()
    assert len(db.exec(select(CheckInRecord)).all()) == records
    assert len(db.exec(select(Contact)).all()) == contacts == 2 * DEMO_EXCHANGES
    organizer = f.organizer_token(srv, ORGANIZER_EMAIL)
    event_id = db.exec(select(Event.id)).one()

    picture = dashboard(srv, organizer, event_id)

    coffee = CROWD_ZONES.count(0)
    assert zone_row(picture, "Bar à café / Coffee bar")["people"] == coffee
    row = zone_row(picture, "Bar à café / Coffee bar", "heatmap")["people"]
    assert row[_slot_now(picture)] == coffee
    earlier = [n for n in row[: _slot_now(picture) - 1] if n != FEW]
    # The figures cover the venue's day: from midnight there until the demo's fourth break (~3:40), its
    # earlier breaks, their check-ins and exchanges were the day before, and nothing shows before now.
    slots = [datetime.fromisoformat(s) for s in picture["heatmap"]["slots"]]
    shown_until = slots[_slot_now(picture) - 1]
    breaks = db.exec(select(AgendaBreak).where(AgendaBreak.event_id == event_id, AgendaBreak.ends_at <= shown_until))
    assert bool(earlier) == any(b.ends_at > slots[0] for b in breaks), "the day's earlier breaks show"
    assert len(db.exec(select(CheckInRecord)).all()) > len(CROWD_ZONES), "the earlier breaks have their check-ins"
    # The day's exchanges give the networking figures something to show.
    kpis = picture["kpis"]
    assert kpis["contacts_made"] == DEMO_EXCHANGES and kpis["cost_per_contact_cents"] > 0
    # Each hour of the venue's day shows its exchanges, or "fewer than 3" (so, just after the venue's midnight,
    # the one or two exchanges made since show as few, not as a count).
    met = db.exec(select(Contact.met_at).where(Contact.owner_id < Contact.other_attendee_id)).all()  # one a pair
    assert len(met) == DEMO_EXCHANGES
    for shown in picture["contacts_per_hour"]:
        start = datetime.fromisoformat(shown["hour"])
        exchanges = sum(start <= t < start + timedelta(hours=1) for t in met)
        assert shown["contacts"] == (exchanges if exchanges >= 3 else FEW), shown


def test_a_daylight_saving_day_has_23_hours_of_slots_on_the_venues_clock(srv, db):
    """Paris springs forward on 29 March 2026: its day runs 23:00 to 22:00 UTC."""
    h = f.hallway(srv)
    crowd = people(srv, h, 3, "Person")
    db.execute(
        update(Event)
        .where(Event.id == h.event["id"])
        .values(
            starts_at=datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
            ends_at=datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
            timezone="Europe/Paris",
        )
    )
    for person in crowd:  # 10:05 in Paris, after the change
        db.add(
            CheckInRecord(
                event_id=h.event["id"],
                zone_id=h.zones["coffee"]["id"],
                attendee_id=person.id,
                checked_in_at=datetime(2026, 3, 29, 8, 5, tzinfo=UTC),
            )
        )
    db.commit()

    picture = dashboard(srv, h.organizer, h.event["id"])

    slots = [datetime.fromisoformat(s) for s in picture["heatmap"]["slots"]]
    assert picture["day"] == "2026-03-29"
    assert slots == [datetime(2026, 3, 28, 23, 0, tzinfo=UTC) + timedelta(minutes=15 * k) for k in range(92)]
    coffee = zone_row(picture, "Coffee bar", "heatmap")["people"]
    assert [k for k, n in enumerate(coffee) if n != FEW] == [36, 37]  # 10:00 and 10:15 in Paris
