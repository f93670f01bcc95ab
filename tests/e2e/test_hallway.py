"""Two attendees meet in the hallway, end to end: one scans a zone poster through the (fake) camera, sees
the other with the reason and the icebreaker, connects; the other accepts; both have the contact, and the
vCard and CSV exports work offline. Then: writes made offline reach the server once, and a pushed nudge shows."""

import json

import pytest
import vobject
from playwright.sync_api import expect
from sqlmodel import Session, select

from api.contacts.models import Contact
from tests.e2e.browser import PHONE, eventually, outbox_items, seed_session, wait_for_service_worker
from tests.e2e.test_quality import assert_accessible
from tests.e2e.test_scan import camera_showing, check_ins_of
from tests.factories import add_zone, check_in, join, suggestions, update_me


@pytest.fixture
def zone(app_server, event) -> dict:
    return add_zone(app_server, event["organizer_token"], event["id"], "Coffee bar")


@pytest.fixture
def bob(app_server, event, zone) -> dict:
    """Already at the coffee bar, visible, into Kubernetes and eBPF."""
    joined = join(app_server, event["join_code"], name="Bob Martin")
    token = joined["tokens"]["access_token"]
    update_me(
        app_server,
        token,
        interests=["Kubernetes", "eBPF"],
        visible=True,
        headline="SRE",
        company="Acme",
        email="bob@example.org",
    )
    assert check_in(app_server, token, token=zone["checkin_url"]).status_code == 201
    return joined


def contacts_of(server, attendee_id: int) -> list[str]:
    with Session(server.engine) as session:
        return list(session.exec(select(Contact.name).where(Contact.owner_id == attendee_id)))


def set_ticket_price(server, event: dict, cents: int, currency: str) -> None:
    with server.client(event["organizer_token"]) as client:
        response = client.patch(f"/api/events/{event['id']}", json={"ticket_price_cents": cents, "currency": currency})
    assert response.status_code == 200, response.text


def person_card(page, name: str):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=name, exact=True))


def test_two_attendees_meet_connect_and_export_offline(playwright, app_server, event, zone, bob, tmp_path):
    set_ticket_price(app_server, event, 150_000, "EUR")
    alice = join(app_server, event["join_code"], name="Alice Durand")
    alice_token = alice["tokens"]["access_token"]
    update_me(app_server, alice_token, interests=["Kubernetes", "Observability"], language="en")

    browser = camera_showing(playwright, zone["checkin_url"], tmp_path)
    phone = browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url, permissions=["camera"])
    seed_session(phone, alice["tokens"])
    page = phone.new_page()
    page.goto("/scan")
    page.get_by_role("button", name="Turn on the camera").click()
    expect(page.get_by_text("You're at Coffee bar")).to_be_visible()

    # Hidden by default: no names, and the one sentence that says why.
    expect(page.get_by_text("You're hidden: nobody sees you, so you see no names either")).to_be_visible()
    expect(page.get_by_text("Bob Martin")).to_have_count(0)
    page.get_by_label("Visible while checked in").check()

    bob_card = person_card(page, "Bob Martin")
    expect(bob_card).to_be_visible()
    expect(bob_card.get_by_role("list", name="Shared topics")).to_have_text("Kubernetes")
    expected = suggestions(app_server, alice_token)["suggestions"][0]
    expect(bob_card).to_contain_text(expected["reason"])
    expect(bob_card).to_contain_text(expected["icebreaker"])
    assert_accessible(page, "here, with a suggestion")
    bob_card.get_by_role("button", name="Connect with Bob Martin").click()
    # Her first exchange: what Bob would receive, which is her name alone (she gave no other detail).
    choice = bob_card.get_by_role("form", name="What they will receive")
    expect(choice).to_contain_text("they get your name only")
    choice.get_by_role("button", name="Give this and continue").click()
    expect(bob_card.get_by_text("Request sent")).to_be_visible()

    # Bob's phone: the request waits in Contacts, with where it was made; he accepts.
    bob_phone = browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url)
    seed_session(bob_phone, bob["tokens"])
    bob_page = bob_phone.new_page()
    bob_page.goto("/contacts")
    request = person_card(bob_page, "Alice Durand")
    expect(request).to_contain_text("Asked at Coffee bar")
    expect(request).to_contain_text("You both follow Kubernetes")
    assert_accessible(bob_page, "contacts, with a request")
    request.get_by_role("button", name="Accept Alice Durand").click()
    choice = request.get_by_role("form", name="What they will receive")
    choice.get_by_label("Email: bob@example.org").check()
    choice.get_by_label("Company: Acme").check()
    choice.get_by_role("button", name="Give this and continue").click()
    expect(person_card(bob_page, "Alice Durand")).to_contain_text("Met at Coffee bar, DevOps Days Lyon")
    assert contacts_of(app_server, bob["attendee"]["id"]) == ["Alice Durand"]

    # Alice sees Bob in her contacts, with the context and her cost per contact.
    page.get_by_role("link", name="Contacts", exact=True).click()
    contact = person_card(page, "Bob Martin")
    expect(contact).to_contain_text("Met at Coffee bar, DevOps Days Lyon")
    expect(contact).to_contain_text("through a suggestion")
    expect(contact.get_by_role("link", name="bob@example.org")).to_be_visible()
    # My own summary, a small explained line under my contacts, not a figure at the top of the screen.
    summary = page.get_by_text("1 contact made at this event. Your ticket cost €1,500: so far, €1,500 per contact.")
    expect(summary).to_be_visible()
    expect(page.locator("h2#list-title + p")).to_have_class("hint")
    assert_accessible(page, "contacts")

    # Offline, the export is written on the phone from the last sync, and reads back as a vCard.
    exports: list[str] = []
    page.on("request", lambda r: exports.append(r.url) if "/api/contacts/" in r.url else None)
    phone.set_offline(True)
    with page.expect_download() as download:
        page.get_by_role("button", name="All as vCard").click()
    # Offline, the file is named as the server names it: after the event and the format.
    assert download.value.suggested_filename == "couloir-contacts-devops-days-lyon.vcf"
    card = vobject.readOne(download.value.path().read_text(encoding="utf-8"))
    assert card.fn.value == "Bob Martin"
    assert card.email.value == "bob@example.org"
    assert card.org.value == ["Acme"]
    assert card.note.value.startswith("Met at DevOps Days Lyon, Coffee bar, ")
    assert "Topics: Kubernetes." in card.note.value
    # The CSV for Google and Outlook too: the very file the server exports.
    for flavour, button in [("google", "CSV for Google"), ("outlook", "CSV for Outlook")]:
        with page.expect_download() as download:
            page.get_by_role("button", name=button).click()
        assert download.value.suggested_filename == f"couloir-contacts-devops-days-lyon-{flavour}.csv"
        with app_server.client(alice_token) as client:
            served = client.get("/api/contacts/export.csv", params={"flavour": flavour}).content
        assert download.value.path().read_bytes() == served
    assert exports == []

    # The last suggestions stay readable offline, said to be from this phone's copy.
    page.get_by_role("link", name="Here", exact=True).click()
    expect(person_card(page, "Bob Martin")).to_contain_text(expected["icebreaker"])
    expect(page.get_by_text("Last updated at")).to_be_visible()
    page.get_by_role("link", name="Contacts", exact=True).click()

    # A note written offline waits, then reaches the server.
    contact.get_by_text("Note and tags").click()
    contact.get_by_label("Private note").fill("Talk again about k8s upgrades")
    contact.get_by_label("Tags").fill("platform, hiring")
    contact.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Waiting to send: 1")).to_be_visible()
    expect(contact).to_contain_text("Tags: platform, hiring")
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_text("Waiting to send: 1")).to_be_hidden()
    with Session(app_server.engine) as session:
        row = session.exec(select(Contact).where(Contact.owner_id == alice["attendee"]["id"])).one()
        assert (row.note, row.tags) == ("Talk again about k8s upgrades", ["platform", "hiring"])

    # Online, one card comes from the server's export.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Bob Martin's vCard").click()
    card = vobject.readOne(download.value.path().read_text(encoding="utf-8"))
    assert card.fn.value == "Bob Martin"
    assert "Talk again about k8s upgrades" in card.note.value
    assert any(url.endswith("/vcard?version=3.0") for url in exports)

    page.get_by_role("link", name="Scan", exact=True).click()
    page.get_by_role("link", name="My code").click()
    expect(page.get_by_role("img", name="My personal connect QR code")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of my contact card")).to_be_visible()
    assert_accessible(page, "my code")
    browser.close()


def test_offline_check_in_and_connect_code_reach_the_server_once(phone, app_server, event, zone, bob):
    alice = join(app_server, event["join_code"], name="Claire Offline")
    me = alice["attendee"]["id"]
    with app_server.client(bob["tokens"]["access_token"]) as client:
        connect_url = client.post("/api/me/connect-code").json()["url"]
    seed_session(phone, alice["tokens"])
    page = phone.new_page()
    page.goto("/here")
    wait_for_service_worker(page)

    phone.set_offline(True)
    page.get_by_role("link", name="Scan", exact=True).click()
    page.get_by_label("Zone code").fill(zone["code"])
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Your check-in is saved on this phone")).to_be_visible()
    # Bob's code, scanned with the phone's camera app: the link opens the app offline.
    page.goto(connect_url.replace(app_server.base_url, ""))
    expect(page.get_by_text("Scanned codes waiting to be sent: 1")).to_be_visible()
    expect(page.get_by_text("Waiting to send: 2")).to_be_visible()
    assert check_ins_of(app_server, me) == 0 and contacts_of(app_server, me) == []
    keys = {item["kind"]: item["key"] for item in outbox_items(page)}

    # Back online, the first answer is lost on the way: the phone retries with the same key.
    lost: list[str] = []

    def lose_the_answer(route):
        lost.append(route.request.headers["idempotency-key"])
        route.fetch()  # the server does the work...
        route.abort("connectionreset")  # ...but the phone never hears of it

    page.route("**/api/me/check-ins", lose_the_answer, times=1)
    phone.set_offline(False)
    with page.expect_event("requestfailed", lambda r: "/api/me/check-ins" in r.url):
        page.evaluate("window.dispatchEvent(new Event('online'))")
    assert check_ins_of(app_server, me) == 1
    # The next chance to send (here the app starting again; also the network coming back, any request
    # that works, or the backoff timer) replays the same key: the server answers from its record.
    page.reload()
    expect(person_card(page, "Bob Martin")).to_contain_text("by scanning a code")
    expect(page.get_by_text("Waiting to send")).to_be_hidden()
    assert lost == [keys["checkin"]]
    assert check_ins_of(app_server, me) == 1
    assert contacts_of(app_server, me) == ["Bob Martin"]

    page.reload()
    page.get_by_role("link", name="Here", exact=True).click()
    expect(page.get_by_text("You're at Coffee bar")).to_be_visible()
    assert check_ins_of(app_server, me) == 1


def test_a_pushed_nudge_shows_a_notification(browser, app_server, event):
    context = browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url, permissions=["notifications"])
    seed_session(context, join(app_server, event["join_code"], name="Nina Nudge")["tokens"])
    page = context.new_page()
    page.goto("/here")
    wait_for_service_worker(page)
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    # Playwright's sync API hands events over only while it runs: wait through it, not with sleep.
    for _ in range(100):
        if registrations:
            break
        page.wait_for_timeout(50)

    nudge = {
        "kind": "nudge",
        "id": 41,
        "title": "Someone to meet at Coffee bar",
        "body": "You both follow Kubernetes. Open Couloir to see who, and what to say.",
        "url": "/here",
        "tag": "nudge",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": app_server.base_url,
            "registrationId": registrations[0]["registrationId"],
            "data": json.dumps(nudge),
        },
    )
    shown = eventually(
        lambda: page.evaluate(
            """() => navigator.serviceWorker.ready
                .then(r => r.getNotifications())
                .then(all => all.map(n => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })))"""
        )
    )
    assert shown == [
        {"title": nudge["title"], "body": nudge["body"], "tag": "nudge", "data": {"url": "/here", "id": 41}}
    ]

    # A tap on the notification, through the worker's own handler: it finds the open app, focuses it and
    # asks it to show the notification's screen. (Headless Chromium cannot tap a notification: the worker
    # dispatches the click event itself, on the notification it showed.)
    page.get_by_role("link", name="Agenda", exact=True).click()
    expect(page.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    context.service_workers[0].evaluate(TAP_THE_NOTIFICATION)
    expect(page.get_by_role("heading", name="Hello Nina Nudge")).to_be_visible()
    assert page.url.endswith("/here")
    context.close()


# The click event a tap would fire, dispatched on the notification the worker shows.
TAP_THE_NOTIFICATION = """() => self.registration.getNotifications().then(([notification]) => {
    self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
})"""


def test_settings_keep_notification_choices_and_blocks(page, app_server, event, zone, bob):
    carol = join(app_server, event["join_code"], name="Carol Settings")
    # Carol meets Bob at the coffee bar (visible, both there): someone she saw, so someone she may block.
    update_me(app_server, carol["tokens"]["access_token"], visible=True)
    assert check_in(app_server, carol["tokens"]["access_token"], token=zone["checkin_url"]).status_code == 201
    with app_server.client(carol["tokens"]["access_token"]) as client:
        response = client.post(
            "/api/me/blocks", json={"attendee_id": bob["attendee"]["id"]}, headers={"Idempotency-Key": "block-bob-1"}
        )
        assert response.status_code == 201, response.text
    seed_session(page.context, carol["tokens"])
    page.goto("/settings")
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    page.get_by_label("A speaker nearby").uncheck()
    expect(page.get_by_text("Waiting to send")).to_be_hidden()
    with app_server.client(carol["tokens"]["access_token"]) as client:
        eventually(lambda: client.get("/api/me/push-preferences").json()["speaker_nearby"] is False)
    assert_accessible(page, "settings")

    page.get_by_role("button", name="Unblock Bob Martin").click()
    expect(page.get_by_text("You have blocked nobody.")).to_be_visible()
    with app_server.client(carol["tokens"]["access_token"]) as client:
        eventually(lambda: client.get("/api/me/blocks").json() == [])


def test_the_here_screen_asks_with_its_etag_and_keeps_its_people_when_refused(phone, app_server, event, zone, bob):
    alice = join(app_server, event["join_code"], name="Alice Etag")
    update_me(app_server, alice["tokens"]["access_token"], interests=["Kubernetes"], visible=True)
    assert check_in(app_server, alice["tokens"]["access_token"], token=zone["checkin_url"]).status_code == 201
    seed_session(phone, alice["tokens"])
    page = phone.new_page()

    def suggestions_fetch(response) -> bool:
        return "/api/me/suggestions" in response.url

    with page.expect_response(suggestions_fetch) as first:
        page.goto("/here")
    assert first.value.status == 200 and first.value.request.headers.get("if-none-match") is None
    expect(person_card(page, "Bob Martin")).to_be_visible()
    # Back to the app: it asks again with the ETag it holds, and nothing changed.
    with page.expect_response(suggestions_fetch) as again:
        page.evaluate("window.dispatchEvent(new Event('focus'))")
    assert again.value.status == 304
    assert again.value.request.headers["if-none-match"] == first.value.headers["etag"]
    expect(person_card(page, "Bob Martin")).to_be_visible()
    # The service is saturated: refused at once, the people already shown stay.
    page.route(
        "**/api/me/suggestions",
        lambda route: route.fulfill(
            status=503, headers={"Retry-After": "2"}, json={"error": "Overloaded", "detail": "busy"}
        ),
    )
    with page.expect_response(suggestions_fetch) as refused:
        page.evaluate("window.dispatchEvent(new Event('focus'))")
    assert refused.value.status == 503
    expect(person_card(page, "Bob Martin")).to_be_visible()
