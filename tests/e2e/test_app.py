"""An attendee's phone, end to end: join, onboard, agenda, offline, sign-in link, language, account."""

import re

from playwright.sync_api import expect
from sqlmodel import Session, select

from api.attendees.models import Attendee, AttendeeInterest
from api.auth.service import create_magic_link
from api.events.models import Topic
from tests.e2e.browser import eventually
from tests.factories import join


def join_and_onboard(page, event: dict, name: str = "Camille Martin") -> None:
    page.goto(f"/join/{event['join_code']}")
    expect(page.get_by_label("Event code")).to_have_value(event["join_code"])
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="What do you like to talk about?")).to_be_visible()
    # Found by a synonym: "k8s" is Kubernetes.
    page.get_by_label("Search topics").fill("k8s")
    page.get_by_role("button", name="Kubernetes").click()
    page.get_by_label("Search topics").fill("")
    page.get_by_role("button", name="Observability").click()
    expect(page.get_by_role("button", name="Kubernetes")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Learn").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=f"Hello {name}")).to_be_visible()


def interests_of(server, name: str) -> set[str]:
    with Session(server.engine) as session:
        rows = session.exec(
            select(Topic.name)
            .join(AttendeeInterest, AttendeeInterest.topic_id == Topic.id)
            .join(Attendee, Attendee.id == AttendeeInterest.attendee_id)
            .where(Attendee.display_name == name)
        )
        return set(rows)


def wait_for_offline_ready(page) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    expect(page.get_by_text("Ready to work offline")).to_be_visible()


def test_join_onboard_and_see_the_agenda(page, event, app_server):
    join_and_onboard(page, event)
    assert interests_of(app_server, "Camille Martin") == {"Kubernetes", "Observability"}

    page.get_by_role("link", name="Agenda").click()
    expect(page.get_by_role("heading", name="Agenda")).to_be_visible()
    expect(page.get_by_text("Next break in 12 min")).to_be_visible()
    expect(page.get_by_text("eBPF in production")).to_be_visible()
    expect(page.get_by_text("Break · Coffee")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="eBPF in production")).to_have_attribute("aria-current", "time")


def test_visibility_is_chosen_during_onboarding(page, event, app_server):
    page.goto(f"/join/{event['join_code']}")
    page.get_by_label("Your name").fill("Vic Visible")
    page.get_by_role("button", name="Join").click()
    switch = page.get_by_role("switch", name="Visible while checked in")
    expect(switch).not_to_be_checked()  # hidden until one chooses otherwise, and told what it means
    expect(page.get_by_text("You're hidden: nobody sees you, so you see no names either")).to_be_visible()
    switch.check()
    expect(page.get_by_text("People near you see your name and shared topics")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Hello Vic Visible")).to_be_visible()

    def visible_on_server():
        with Session(app_server.engine) as session:
            return session.exec(select(Attendee.visible).where(Attendee.display_name == "Vic Visible")).one()

    eventually(visible_on_server)


def test_shell_and_last_data_work_offline(page, phone, event):
    join_and_onboard(page, event)
    page.get_by_role("link", name="Agenda").click()
    expect(page.get_by_text("eBPF in production")).to_be_visible()
    wait_for_offline_ready(page)

    phone.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Agenda")).to_be_visible()
    expect(page.get_by_text("eBPF in production")).to_be_visible()
    expect(page.get_by_text("Next break in 12 min")).to_be_visible()
    expect(page.get_by_text("Offline: showing what this phone knows")).to_be_visible()
    page.get_by_role("link", name="Here").click()
    expect(page.get_by_role("heading", name="Hello Camille Martin")).to_be_visible()

    # A deep link opened offline still gets the app, not the browser's error page (the join link, signed in,
    # says as whom from what the phone knows).
    page.goto(f"/join/{event['join_code']}")
    expect(page.get_by_role("heading", name="You're already in")).to_be_visible()
    expect(page.get_by_text("You're in as Camille Martin at DevOps Days Lyon.")).to_be_visible()
    phone.set_offline(False)


def test_profile_saved_offline_is_sent_once_back_online(page, phone, event, app_server):
    page.goto(f"/join/{event['join_code']}")
    page.get_by_label("Your name").fill("Dominique Offline")
    page.get_by_role("button", name="Join").click()
    page.get_by_role("button", name="eBPF").click()
    wait_for_offline_ready(page)

    phone.set_offline(True)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Hello Dominique Offline")).to_be_visible()
    expect(page.get_by_text("Waiting to send: 1")).to_be_visible()
    assert interests_of(app_server, "Dominique Offline") == set()

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # what the phone fires on reconnecting
    expect(page.get_by_text("Waiting to send: 1")).to_be_hidden()
    eventually(lambda: interests_of(app_server, "Dominique Offline") == {"eBPF"})


def test_sign_in_link_opens_the_app(page, event, app_server):
    attendee = join(app_server, event["join_code"], name="Sacha Link", language="fr")["attendee"]
    with Session(app_server.engine) as session:
        link = create_magic_link(session, app_server.settings, attendee_id=attendee["id"])
        session.commit()
    page.goto(link)
    # The profile's language wins on a new phone.
    expect(page.get_by_role("heading", name="Bonjour Sacha Link")).to_be_visible()
    assert "token" not in page.url

    page.goto(link)  # a link works once
    expect(page.get_by_role("alert")).to_have_text(re.compile("déjà utilisé"))


def test_language_follows_the_browser_and_can_be_changed(browser, app_server, event):
    context = browser.new_context(locale="fr-FR", base_url=app_server.base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"/join/{event['join_code']}")
    expect(page.get_by_role("heading", name="Rejoindre l'événement")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "fr"
    page.get_by_label("Votre nom").fill("Alex Langue")
    page.get_by_role("button", name="Rejoindre").click()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("link", name="Réglages").click()
    page.get_by_label("English").check()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"

    def language_on_server():
        with Session(app_server.engine) as session:
            attendee = session.exec(select(Attendee).where(Attendee.display_name == "Alex Langue")).one()
        return attendee.language == "en"

    eventually(language_on_server)
    context.close()


def test_delete_my_account_after_confirming(page, event, app_server):
    join_and_onboard(page, event, name="Robin Leaving")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("button", name="Delete for good").click()
    expect(page.get_by_role("heading", name="Join the event")).to_be_visible()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    with Session(app_server.engine) as session:
        assert session.exec(select(Attendee).where(Attendee.display_name == "Robin Leaving")).first() is None
    page.reload()
    expect(page.get_by_role("heading", name="Join the event")).to_be_visible()


def test_sign_out_forgets_this_phone(page, event):
    join_and_onboard(page, event, name="Noa Out")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Join the event")).to_be_visible()
    page.goto("/agenda")
    expect(page.get_by_role("heading", name="Join the event")).to_be_visible()


def test_unknown_join_code_is_explained(page, event):
    page.goto("/join/ZZZZZZZZ")
    page.get_by_label("Your name").fill("Lou")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("alert")).to_have_text("No event has this code. Check it and try again.")


# Signed out elsewhere and the access token expired: both tokens are refused from now on.
END_SESSION = """() => new Promise(resolve => {
    const open = indexedDB.open("couloir");
    open.onsuccess = () => {
        const store = open.result.transaction("kv", "readwrite").objectStore("kv");
        const read = store.get("session");
        read.onsuccess = () => {
            const expired = { access_token: "expired".repeat(4), refresh_token: "revoked".repeat(4) };
            store.put({ ...read.result, ...expired }, "session");
            store.transaction.oncomplete = resolve;
        };
    };
})"""


def test_an_ended_session_leads_to_sign_in(page, event):
    join_and_onboard(page, event, name="Sam Expired")
    page.evaluate(END_SESSION)
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Your session has ended.")).to_be_visible()
    page.goto("/agenda")
    expect(page.get_by_role("heading", name="Join the event")).to_be_visible()


def test_writes_queued_by_someone_else_never_go_out_under_a_new_sign_in(page, phone, event, app_server):
    page.goto(f"/join/{event['join_code']}")
    page.get_by_label("Your name").fill("Dominique Before")
    page.get_by_role("button", name="Join").click()
    page.get_by_role("button", name="eBPF").click()
    wait_for_offline_ready(page)
    phone.set_offline(True)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Waiting to send: 1")).to_be_visible()
    # Dominique's session ends (signed out elsewhere) before the write could go: it stays queued.
    page.evaluate(END_SESSION)
    page.reload()  # the app now holds only the refused tokens
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # Another attendee signs in on this phone.
    other = join(app_server, event["join_code"], name="Alex After", language="en")["attendee"]
    with Session(app_server.engine) as session:
        link = create_magic_link(session, app_server.settings, attendee_id=other["id"])
        session.commit()
    page.goto(link)
    expect(page.get_by_role("heading", name="Hello Alex After")).to_be_visible()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_text("Waiting to send")).to_be_hidden()
    assert interests_of(app_server, "Alex After") == set()
