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

from tests.e2e.browser import PHONE, seed_session
from tests.e2e.test_quality import assert_accessible
from tests.e2e.test_scan import camera_showing, check_ins_of
from tests.factories import check_in, join, organizer_tokens

PARIS = ZoneInfo("Europe/Paris")
DESK = {"viewport": {"width": 1280, "height": 800}}


def local(minutes: float) -> str:
    """A `datetime-local` value on the venue's clock (Paris), `minutes` from now."""
    return (datetime.now(PARIS) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def organizer(app_server) -> dict:
    return organizer_tokens(app_server)


@pytest.fixture
def desk(browser, app_server, organizer):
    """The organizer's computer, signed in to the console."""
    context = browser.new_context(**DESK, locale="en-US", timezone_id="Europe/Paris", base_url=app_server.base_url)
    seed_session(context, organizer)
    yield context
    context.close()


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
    expect(attendee.get_by_text("You're at Coffee bar")).to_be_visible(timeout=15_000)
    assert check_ins_of(app_server, me["attendee"]["id"]) == 1
    camera.close()

    page.get_by_role("link", name="Zones").click()
    expect(coffee.get_by_test_id("zone-count")).to_have_text("3 people here now")
