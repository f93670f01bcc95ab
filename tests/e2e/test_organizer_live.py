"""The organizer's Live screen, end to end: an attendee checks in by filming a zone's poster with the
(fake) camera, and the organizer's dashboard shows the zone masked ("fewer than 3") until three people
are there, then the count; a hallway moment is started there, after a confirmation. No accessibility
violation, nothing the Content-Security-Policy blocks."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.browser import PHONE, seed_session
from tests.e2e.test_organizer_setup import DESK
from tests.e2e.test_quality import assert_accessible
from tests.e2e.test_scan import camera_showing, check_ins_of
from tests.factories import add_zone, check_in, create_event, join, organizer_tokens


def test_the_live_screen_shows_a_check_in_masked_then_counted_and_starts_a_hallway_moment(
    browser, playwright, app_server, tmp_path
):
    organizer = organizer_tokens(app_server)
    token = organizer["access_token"]
    event = create_event(app_server, token, name="Journées Live")
    coffee = add_zone(app_server, token, event["id"], "Coffee bar")
    add_zone(app_server, token, event["id"], "Buffet", "buffet", neighbour_ids=[coffee["id"]])
    now = datetime.now(UTC)
    with app_server.client(token) as client:
        pause = {
            "label": "Morning break",
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(minutes=15)).isoformat(),
        }
        assert client.post(f"/api/events/{event['id']}/breaks", json=pause).status_code == 201

    # An attendee films the coffee bar's poster.
    camera = camera_showing(playwright, coffee["checkin_url"], tmp_path)
    phone = camera.new_context(**PHONE, locale="en-US", base_url=app_server.base_url, permissions=["camera"])
    me = join(app_server, event["join_code"], name="Camille Martin")
    seed_session(phone, me["tokens"])
    attendee = phone.new_page()
    attendee.goto("/scan")
    attendee.get_by_role("button", name="Turn on the camera").click()
    expect(attendee.get_by_text("You're at Coffee bar")).to_be_visible()
    assert check_ins_of(app_server, me["attendee"]["id"]) == 1
    camera.close()

    desk = browser.new_context(**DESK, locale="en-US", timezone_id="Europe/Paris", base_url=app_server.base_url)
    seed_session(desk, organizer)
    page = desk.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"/organizer/events/{event['id']}/zones")
    page.get_by_role("link", name="Live picture").click()
    expect(page.get_by_role("heading", name="Live picture")).to_be_visible()

    coffee_now = page.get_by_test_id("live-zone").filter(has_text="Coffee bar")
    expect(coffee_now).to_contain_text("Fewer than 3")
    heatmap = page.get_by_role("table")
    expect(heatmap.get_by_role("rowheader", name="Coffee bar")).to_be_visible()
    expect(page.get_by_test_id("occasion").filter(has_text="Morning break")).to_contain_text(
        "Nudges sent: Fewer than 3"
    )
    expect(page.get_by_role("region", name="Rendezvous")).to_contain_text("Proposed")
    expect(page.get_by_role("region", name="Rendezvous").get_by_role("definition").first).to_have_text("Fewer than 3")
    assert_accessible(page, "live picture")

    # Two more arrive: three people are a crowd the dashboard may count.
    for name in ("Ana", "Ben"):
        there = join(app_server, event["join_code"], name=name)["tokens"]["access_token"]
        assert check_in(app_server, there, token=coffee["checkin_url"]).status_code == 201
    page.get_by_role("button", name="Refresh now").click()
    expect(coffee_now).to_contain_text("3")
    expect(coffee_now).not_to_contain_text("Fewer than 3")
    expect(page.get_by_test_id("live-zone").filter(has_text="Buffet")).to_contain_text("Fewer than 3")
    row = heatmap.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Coffee bar"))
    expect(row.get_by_role("cell").filter(has_text="3").first).to_be_attached()
    expect(page.get_by_role("definition").first).to_have_text("3")  # attendees of the event

    # A hallway moment: nothing happens before it is confirmed.
    page.get_by_label("How long").select_option("15")
    page.get_by_role("button", name="Start a hallway moment").click()
    expect(page.get_by_role("alert").filter(has_text="next 15 minutes")).to_be_visible()
    assert_accessible(page, "hallway moment confirmation")
    page.get_by_role("button", name="Yes, start it").click()
    expect(page.get_by_role("status").filter(has_text="Hallway moment under way until")).to_be_visible()
    moment = page.get_by_test_id("occasion").filter(has_text="Hallway moment")
    expect(moment).to_contain_text("Nudges sent: Fewer than 3")

    # The CSV export downloads with its file name.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    assert "people_now,Coffee bar,3" in download.value.path().read_text()
    assert "rendezvous_proposed,,fewer than 3" in download.value.path().read_text()
    assert blocked == []
    desk.close()


def test_the_live_screen_fits_a_phone_in_dark_mode(browser, app_server):
    organizer = organizer_tokens(app_server)
    event = create_event(app_server, organizer["access_token"], name="Journées Live sombres")
    coffee = add_zone(app_server, organizer["access_token"], event["id"], "Coffee bar")
    for name in ("Ana", "Ben", "Chloé"):
        there = join(app_server, event["join_code"], name=name)["tokens"]["access_token"]
        assert check_in(app_server, there, token=coffee["checkin_url"]).status_code == 201
    narrow = PHONE | {"viewport": {"width": 375, "height": 740}}
    phone = browser.new_context(**narrow, locale="fr-FR", color_scheme="dark", base_url=app_server.base_url)
    seed_session(phone, organizer)
    page = phone.new_page()
    page.goto(f"/organizer/events/{event['id']}/live")
    expect(page.get_by_role("heading", name="En direct", level=1)).to_be_visible()
    expect(page.get_by_test_id("live-zone").filter(has_text="Coffee bar")).to_contain_text("3")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the heatmap scrolls on its own
    assert_accessible(page, "live picture at 375 px, dark, in French")
    phone.close()
