"""The organizer console, end to end: an organizer sets an event up in the app (event, zones, a break),
prints the posters, and an attendee checks in by filming one with the (fake) camera; the zone's count
shows in the console. Also: a bad programme file is refused naming its line and imports nothing, a new
zone QR warns first and the old poster stops working, and an attendee cannot open the console."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import Session, select

from api.agenda.models import Talk
from api.auth.service import create_magic_link
from api.organizers.service import add_organizer
from tests.e2e.browser import PHONE, outbox_items, seed_session
from tests.e2e.test_app import END_SESSION, interests_of, wait_for_offline_ready
from tests.e2e.test_quality import assert_accessible
from tests.e2e.test_scan import camera_showing, check_ins_of
from tests.factories import add_zone, check_in, create_event, join, organizer_tokens

PARIS = ZoneInfo("Europe/Paris")
DESK = {"viewport": {"width": 1280, "height": 800}}
# A refused field shown by its label in the console's language, the server's words only as a detail.
REFUSED_END = "Please check what you entered. Ends (ends_at must be after starts_at)"


def local(minutes: float) -> str:
    """A `datetime-local` value on the venue's clock (Paris), `minutes` from now."""
    return (datetime.now(PARIS) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def organizer(app_server) -> dict:
    return organizer_tokens(app_server)


@pytest.fixture
def desk(browser, app_server, organizer):
    """The organizer's computer, signed in to the console; the app's strict CSP must never block anything."""
    context = browser.new_context(**DESK, locale="en-US", timezone_id="Europe/Paris", base_url=app_server.base_url)
    seed_session(context, organizer)
    blocked: list[str] = []
    context.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield context
    context.close()
    assert blocked == []


def decode_qr(png: bytes, tmp_path) -> str:
    shot = tmp_path / "poster.png"
    shot.write_bytes(png)
    results = zxingcpp.read_barcodes(Image.open(shot))
    assert len(results) == 1, f"{len(results)} QR codes read on the poster"
    return results[0].text


def test_an_organizer_sets_up_an_event_and_an_attendee_checks_in_at_a_printed_poster(
    desk, organizer, playwright, app_server, tmp_path
):
    page = desk.new_page()
    page.goto("/organizer")
    expect(page.get_by_role("heading", name="Your events")).to_be_visible()
    assert_accessible(page, "event list")

    page.get_by_label("Name", exact=True).fill("Journées Couloir")
    expect(page.get_by_label("Short address")).to_have_value("journees-couloir")
    page.get_by_label("Subject").fill("platform engineering")
    page.get_by_label("Time zone of the venue").select_option("Europe/Paris")
    page.get_by_label("Starts").fill(local(-60))
    page.get_by_label("Ends").fill(local(8 * 60))
    page.get_by_role("button", name="Create the event").click()

    # Two zones, the second next to the first.
    expect(page.get_by_role("heading", name="Zones", exact=True)).to_be_visible()
    page.get_by_label("Zone name").fill("Coffee bar")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", name="Coffee bar")).to_be_visible()
    page.get_by_label("Zone name").fill("Buffet")
    page.get_by_label("Kind").select_option("buffet")
    page.get_by_role("checkbox", name="Coffee bar").check()
    page.get_by_role("button", name="Add", exact=True).click()
    buffet = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Buffet"))
    expect(buffet).to_contain_text("next to Coffee bar")
    coffee = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Coffee bar"))
    expect(coffee).to_contain_text("next to Buffet")  # neighbours are mutual
    assert_accessible(page, "zones")

    # A break on now: the hallway's moment.
    page.get_by_role("link", name="Agenda").click()
    breaks = page.get_by_role("region", name="Breaks")
    breaks.get_by_text("Add a break").click()
    breaks.get_by_label("Break name").fill("Coffee")
    breaks.get_by_label("Starts").fill(local(-5))
    breaks.get_by_label("Ends").fill(local(25))
    breaks.get_by_role("button", name="Add the break").click()
    expect(page.get_by_role("heading", name="Coffee", exact=True)).to_be_visible()
    assert_accessible(page, "agenda")

    # Print all: the printable page, one poster per zone, whose QR is the zone's check-in link.
    page.get_by_role("link", name="Posters").click()
    expect(page.get_by_role("img", name="Poster of Coffee bar")).to_be_visible()
    assert_accessible(page, "posters")
    with desk.expect_page() as opened:
        page.get_by_role("link", name="Open the printable page").click()
    printable = opened.value
    expect(printable.get_by_role("img", name="Poster of Buffet")).to_be_visible()
    poster = printable.get_by_role("region", name="Coffee bar")
    assert round(poster.bounding_box()["width"]) == 794  # an A4 sheet: 210 mm at 96 px per inch
    assert_accessible(printable, "print all")
    checkin_url = decode_qr(poster.screenshot(), tmp_path)
    assert checkin_url.startswith(f"{app_server.base_url}/z/")

    # An attendee films that poster; two others are already there, so the count is no longer masked.
    event_id = int(page.url.split("/")[5])
    with app_server.client(organizer["access_token"]) as client:
        join_code = client.get(f"/api/events/{event_id}").json()["join_code"]
    for name in ("Ana", "Ben"):
        there = join(app_server, join_code, name=name)["tokens"]["access_token"]
        assert check_in(app_server, there, token=checkin_url).status_code == 201

    camera = camera_showing(playwright, checkin_url, tmp_path)
    phone = camera.new_context(**PHONE, locale="en-US", base_url=app_server.base_url, permissions=["camera"])
    me = join(app_server, join_code, name="Camille Martin")
    seed_session(phone, me["tokens"])
    attendee = phone.new_page()
    attendee.goto("/scan")
    attendee.get_by_role("button", name="Turn on the camera").click()
    expect(attendee.get_by_text("You're at Coffee bar")).to_be_visible()
    assert check_ins_of(app_server, me["attendee"]["id"]) == 1
    camera.close()

    page.get_by_role("link", name="Zones").click()
    expect(coffee.get_by_test_id("zone-count")).to_have_text("3 people here now")


def talks_of(server, event_id: int) -> list[str]:
    with Session(server.engine) as session:
        return list(session.exec(select(Talk.title).where(Talk.event_id == event_id)))


PROGRAMME = """id,title,abstract,room,start,end,speakers,topics
t1,eBPF in production,,Salle A,{day} 10:00,{day} 10:45,Ana Lopez,eBPF
{second}
"""


def test_a_bad_programme_file_names_its_line_and_imports_nothing(desk, organizer, app_server):
    event = create_event(app_server, organizer["access_token"])
    day = event["starts_at"][:10]
    page = desk.new_page()
    page.goto(f"/organizer/events/{event['id']}/imports")
    expect(page.get_by_role("heading", name="Imports", exact=True)).to_be_visible()

    bad = PROGRAMME.format(day=day, second=f"t2,FinOps,,Salle B,{day} 25:00,{day} 11:45,,FinOps")
    page.get_by_label("File", exact=True).first.set_input_files(
        files=[{"name": "talks.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    expect(page.get_by_label("Format")).to_have_value("csv")  # guessed from the file's name
    page.get_by_role("button", name="Import the programme").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("nothing was imported")
    expect(refusal).to_contain_text("line 3")
    expect(refusal).to_contain_text("field “start”")
    assert talks_of(app_server, event["id"]) == []
    assert_accessible(page, "imports")

    # Fixed, it imports; imported again, it updates rather than adds.
    good = PROGRAMME.format(day=day, second=f"t2,FinOps,,Salle B,{day} 11:00,{day} 11:45,,FinOps")
    for answer in ("Talks: 2 added, 0 updated, 0 unchanged", "Talks: 0 added, 0 updated, 2 unchanged"):
        page.get_by_label("File", exact=True).first.set_input_files(
            files=[{"name": "talks.csv", "mimeType": "text/csv", "buffer": good.encode()}]
        )
        page.get_by_role("button", name="Import the programme").click()
        expect(page.get_by_role("status").filter(has_text="Programme imported")).to_contain_text(answer)
    assert sorted(talks_of(app_server, event["id"])) == ["FinOps", "eBPF in production"]


def test_a_new_zone_qr_warns_first_and_the_old_poster_stops_working(browser, organizer, app_server):
    event = create_event(app_server, organizer["access_token"])
    zone = add_zone(app_server, organizer["access_token"], event["id"], "Coffee bar")
    # On a phone in dark mode this time: the console works at 375 px too.
    narrow = PHONE | {"viewport": {"width": 375, "height": 740}}
    phone = browser.new_context(**narrow, locale="en-US", color_scheme="dark", base_url=app_server.base_url)
    seed_session(phone, organizer)
    page = phone.new_page()
    page.goto(f"/organizer/events/{event['id']}/zones")
    item = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Coffee bar"))
    item.get_by_role("button", name="New QR code").click()
    expect(item.get_by_role("alert")).to_contain_text("Posters already printed for this zone will stop working")
    assert_accessible(page, "zone token warning")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    item.get_by_role("button", name="Yes, invalidate the old posters").click()
    expect(item.get_by_role("button", name="New QR code")).to_be_visible()

    attendee = join(app_server, event["join_code"])["tokens"]["access_token"]
    old = check_in(app_server, attendee, token=zone["checkin_url"])
    assert old.status_code == 404 and old.json()["error"] == "UnknownZone"
    with app_server.client(organizer["access_token"]) as client:
        (rotated,) = client.get(f"/api/events/{event['id']}/zones").json()
    assert rotated["checkin_token"] != zone["checkin_token"]
    assert check_in(app_server, attendee, token=rotated["checkin_url"]).status_code == 201

    item.get_by_role("button", name="Delete").click()
    item.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_text("No zone yet.")).to_be_visible()
    with app_server.client(organizer["access_token"]) as client:
        assert client.get(f"/api/events/{event['id']}/zones").json() == []

    # Every set-up section fits the phone's width and passes axe in dark mode.
    for section in ("Event", "Topics", "Agenda", "Imports", "Posters"):
        page.get_by_role("link", name=section, exact=True).click()
        expect(page.get_by_role("heading", name=section, exact=True, level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, section
        assert_accessible(page, f"{section} at 375 px, dark")
    phone.close()


def test_an_attendee_cannot_open_the_console(phone, app_server, event):
    seed_session(phone, join(app_server, event["join_code"], name="Curious Attendee")["tokens"])
    page = phone.new_page()
    for path in ("/organizer", f"/organizer/events/{event['id']}/zones"):
        page.goto(path)
        expect(page.get_by_role("alert")).to_contain_text("You are signed in as an attendee")
        expect(page.get_by_role("heading", name="Zones")).to_have_count(0)
        expect(page.get_by_text("Coffee bar")).to_have_count(0)


def test_an_organizer_signs_in_by_link_and_out(browser, app_server):
    email = "console@example.org"
    with Session(app_server.engine) as session:
        organizer = add_organizer(session, email)
        session.commit()
        organizer_id = organizer.id
    context = browser.new_context(**DESK, locale="fr-FR", base_url=app_server.base_url)
    page = context.new_page()
    page.goto("/organizer")
    expect(page.get_by_role("heading", name="Connexion organisateur")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="M'envoyer un lien").click()
    expect(page.get_by_text("un lien de connexion est en route")).to_be_visible()
    assert_accessible(page, "organizer sign-in")

    # The emailed link (the console mailer only logs it): redeemed on /login, it opens the console.
    with Session(app_server.engine) as session:
        link = create_magic_link(session, app_server.settings, organizer_id=organizer_id)
        session.commit()
    page.goto(link.removeprefix(app_server.base_url))
    expect(page.get_by_role("heading", name="Vos événements")).to_be_visible()
    assert page.url.endswith("/organizer")
    # An organizer is not sent to the attendee screens, and a poster opened from the camera app queues nothing.
    for path in ("/here", "/z/some-zone-token"):
        page.goto(path)
        expect(page.get_by_role("heading", name="Vos événements")).to_be_visible()
    assert outbox_items(page) == []

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion organisateur")).to_be_visible()

    # Signed in again, then the session ends elsewhere: the console asks for a new link, saying why.
    with Session(app_server.engine) as session:
        link = create_magic_link(session, app_server.settings, organizer_id=organizer_id)
        session.commit()
    page.goto(link.removeprefix(app_server.base_url))
    expect(page.get_by_role("heading", name="Vos événements")).to_be_visible()
    page.evaluate(END_SESSION)
    page.reload()
    expect(page.get_by_role("heading", name="Connexion organisateur")).to_be_visible()
    expect(page.get_by_text("Votre session est terminée.")).to_be_visible()
    context.close()


def test_an_organizer_signing_in_after_an_attendee_never_sends_their_queued_writes(page, phone, event, app_server):
    page.goto(f"/join/{event['join_code']}")
    page.get_by_label("Your name").fill("Dominique Before")
    page.get_by_role("button", name="Join").click()
    page.get_by_role("button", name="eBPF").click()
    wait_for_offline_ready(page)
    phone.set_offline(True)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Waiting to send: 1")).to_be_visible()
    page.evaluate(END_SESSION)  # Dominique's session ends before the write could go
    page.reload()
    phone.set_offline(False)

    # The organizer opens their sign-in link on this browser: Dominique's write and data are dropped.
    tokens = organizer_tokens(app_server)
    with Session(app_server.engine) as session:
        link = create_magic_link(session, app_server.settings, organizer_id=tokens["subject_id"])
        session.commit()
    page.goto(link)
    expect(page.get_by_role("heading", name="Your events")).to_be_visible()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_text("Waiting to send")).to_be_hidden()
    assert outbox_items(page) == []
    assert interests_of(app_server, "Dominique Before") == set()


def test_event_edits_a_new_join_code_after_a_warning_and_topics_with_synonyms(desk, organizer, app_server):
    event = create_event(app_server, organizer["access_token"])
    page = desk.new_page()
    page.goto(f"/organizer/events/{event['id']}/event")
    page.get_by_label("Name", exact=True).fill("DevOps Days Lyon 2026")
    page.get_by_label("Ends").fill("2020-01-01T10:00")  # before it starts: refused, nothing typed is lost
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text(REFUSED_END)
    expect(page.get_by_label("Name", exact=True)).to_have_value("DevOps Days Lyon 2026")
    page.get_by_label("Ends").fill(local(10 * 60))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_role("navigation")).to_contain_text("DevOps Days Lyon 2026")
    assert_accessible(page, "event")

    # Languages (the first leads in invitations and posters) and how long check-ins are kept: they stay.
    page.get_by_label("Languages", exact=True).select_option(label="English, then French")
    page.get_by_label("Check-in history kept (days)").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Languages", exact=True)).to_have_value("en,fr")
    expect(page.get_by_label("Check-in history kept (days)")).to_have_value("30")
    with app_server.client(organizer["access_token"]) as client:
        saved = client.get(f"/api/events/{event['id']}").json()
    assert (saved["languages"], saved["presence_retention_days"]) == (["en", "fr"], 30)

    page.get_by_role("button", name="Regenerate the join code").click()
    expect(page.get_by_role("alert")).to_contain_text("will stop admitting new attendees")
    page.get_by_role("button", name="Yes, new code").click()
    expect(page.get_by_test_id("join-code")).not_to_have_text(event["join_code"])
    new_code = page.get_by_test_id("join-code").inner_text()
    with app_server.client() as client:
        old = client.post("/api/join", json={"join_code": event["join_code"], "display_name": "Late"})
        assert old.status_code == 404
        assert client.post("/api/join", json={"join_code": new_code, "display_name": "Late"}).status_code == 201

    page.get_by_role("link", name="Topics").click()
    page.get_by_label("Topic", exact=True).fill("Kubernetes")
    page.get_by_label("Synonyms (optional)").fill("k8s, kube")
    page.get_by_role("button", name="Add", exact=True).click()
    item = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Kubernetes"))
    expect(item).to_contain_text("Also: k8s, kube")
    item.get_by_role("button", name="Edit").click()
    item.get_by_label("Synonyms (optional)").fill("k8s, kube, K3s")
    item.get_by_role("button", name="Save").click()
    expect(item).to_contain_text("Also: k8s, kube, K3s")
    assert_accessible(page, "topics")
    with app_server.client(organizer["access_token"]) as client:
        (topic,) = client.get(f"/api/events/{event['id']}/topics").json()
    assert topic["synonyms"] == ["k8s", "kube", "K3s"]


def test_attendees_imported_from_a_ticketing_export_get_join_links_for_their_badges(desk, organizer, app_server):
    event = create_event(app_server, organizer["access_token"])
    page = desk.new_page()
    page.goto(f"/organizer/events/{event['id']}/imports")
    tickets = "Attendee name,Attendee email,Company\nAna Lopez,ana@example.org,Acme\nBen Roy,,Initech\n"
    attendees = page.get_by_role("region", name="Import attendees")
    attendees.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "pretix.csv", "mimeType": "text/csv", "buffer": tickets.encode()}]
    )
    attendees.get_by_label("Email each attendee their join link").uncheck()
    attendees.get_by_role("button", name="Import attendees").click()
    expect(attendees.get_by_text("2 attendees invited.")).to_be_visible()
    expect(attendees).to_contain_text("Join links to print on badges: 2")
    with page.expect_download() as download:
        attendees.get_by_role("button", name="Download the join links (CSV: name, email, join_url)").click()
    lines = download.value.path().read_text().splitlines()
    assert lines[0] == "name,email,join_url"
    assert [line.split(",")[:2] for line in lines[1:]] == [["Ana Lopez", "ana@example.org"], ["Ben Roy", ""]]
    assert all(line.split(",")[2].startswith(f"{app_server.base_url}/") for line in lines[1:])


def test_talks_and_breaks_are_added_edited_and_deleted(desk, organizer, app_server):
    event = create_event(app_server, organizer["access_token"], timezone="Europe/Paris")
    with app_server.client(organizer["access_token"]) as client:
        assert client.post(f"/api/events/{event['id']}/topics", json={"name": "eBPF"}).status_code == 201
    ada, grace = (join(app_server, event["join_code"], name)["attendee"] for name in ("Ada Lovelace", "Grace Hopper"))
    page = desk.new_page()
    page.goto(f"/organizer/events/{event['id']}/agenda")

    talks = page.get_by_role("region", name="Talks")
    talks.get_by_text("Add a talk").click()
    talks.get_by_label("Title").fill("eBPF in production")
    talks.get_by_label("Room (optional)").fill("Salle A")
    talks.get_by_label("Starts").fill(local(30))
    talks.get_by_label("Ends").fill(local(75))
    talks.get_by_role("checkbox", name="eBPF").check()
    talks.get_by_label("Find a speaker among the attendees").fill("lov")  # part of the name, case aside
    talks.get_by_role("button", name="Add Ada Lovelace as a speaker").click()
    expect(talks.get_by_role("list", name="Speakers of this talk")).to_have_text("Ada Lovelace Remove")
    talks.get_by_label("Find a speaker among the attendees").fill("nobody")
    expect(talks.get_by_text("No attendee named “nobody”.")).to_be_visible()
    assert_accessible(page, "talk form with a speaker")
    talks.get_by_role("button", name="Add the talk").click()
    talk = talks.get_by_role("listitem").filter(has=page.get_by_role("heading", name="eBPF in production"))
    expect(talk).to_contain_text("Salle A · Ada Lovelace")
    with app_server.client(organizer["access_token"]) as client:
        (added,) = client.get(f"/api/events/{event['id']}/agenda").json()["talks"]
        (ebpf,) = client.get(f"/api/events/{event['id']}/topics").json()
    assert added["topic_ids"] == [ebpf["id"]]
    assert added["speakers"] == [{"id": ada["id"], "display_name": "Ada Lovelace"}]

    # Editing: one speaker removed, two others added; the topics stay as they were.
    talk.get_by_role("button", name="Edit").click()
    talk.get_by_role("button", name="Remove Ada Lovelace").click()
    expect(talk.get_by_text("No speaker yet.")).to_be_visible()
    talk.get_by_label("Find a speaker among the attendees").fill("a")
    talk.get_by_role("button", name="Add Grace Hopper as a speaker").click()
    talk.get_by_role("button", name="Add Ada Lovelace as a speaker").click()
    talk.get_by_role("button", name="Save").click()
    expect(talk).to_contain_text("Salle A · Ada Lovelace, Grace Hopper")
    with app_server.client(organizer["access_token"]) as client:
        (edited,) = client.get(f"/api/events/{event['id']}/agenda").json()["talks"]
    assert {s["id"] for s in edited["speakers"]} == {grace["id"], ada["id"]}
    assert edited["topic_ids"] == [ebpf["id"]]

    breaks = page.get_by_role("region", name="Breaks")
    breaks.get_by_text("Add a break").click()
    breaks.get_by_label("Break name").fill("Coffee")
    break_starts = local(75)
    breaks.get_by_label("Starts").fill(break_starts)
    breaks.get_by_label("Ends").fill(local(60))  # ends before it starts: refused, the form keeps its text
    breaks.get_by_role("button", name="Add the break").click()
    expect(breaks.get_by_role("alert")).to_have_text(REFUSED_END)
    expect(breaks.get_by_label("Break name")).to_have_value("Coffee")
    breaks.get_by_label("Ends").fill(local(90))
    breaks.get_by_role("button", name="Add the break").click()
    coffee = breaks.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Coffee"))
    coffee.get_by_role("button", name="Edit").click()
    coffee.get_by_label("Break name").fill("Coffee & croissants")
    coffee.get_by_role("button", name="Save").click()
    expect(breaks.get_by_role("heading", name="Coffee & croissants")).to_be_visible()
    assert_accessible(page, "agenda with items")

    talk.get_by_role("button", name="Delete").click()
    expect(talk.get_by_role("alert")).to_contain_text("removed from the agenda")
    talk.get_by_role("button", name="Yes, delete").click()
    expect(talks.get_by_text("No talk yet")).to_be_visible()

    with app_server.client(organizer["access_token"]) as client:
        agenda = client.get(f"/api/events/{event['id']}/agenda").json()
    assert agenda["talks"] == []
    (slot,) = agenda["breaks"]
    assert slot["label"] == "Coffee & croissants"
    starts = datetime.fromisoformat(slot["starts_at"]).astimezone(PARIS)
    assert starts.strftime("%Y-%m-%dT%H:%M") == break_starts  # typed on the venue's clock
