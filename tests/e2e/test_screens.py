"""What the screens say (issue #21 §6), at a phone's size, in English and French: the agenda opens at now,
shows a talk and bookmarks it offline, the .ics reads back with an independent parser; every time is on the
event's clock in 24 h; zones and topics carry their French names; my cost per contact is a small line of my
own summary; French says "vous" and stays grammatical whatever the name."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import PHONE, eventually, outbox_items, seed_session, wait_for_service_worker
from tests.e2e.test_my_details import exchange
from tests.e2e.test_quality import assert_accessible
from tests.factories import check_in, join, update_me, vouch

PARIS = ZoneInfo("Europe/Paris")
ABSTRACT = "Probes, maps and the verifier: what eBPF changes for an on-call engineer."


def paris_clock(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%H:%M")


def talks_of(app_server, event: dict) -> dict[str, dict]:
    with app_server.client(event["organizer_token"]) as client:
        return {t["title"]: t for t in client.get(f"/api/events/{event['id']}/agenda").json()["talks"]}


def morning(app_server, event: dict, speaker_id: int) -> None:
    """Six talks before the one under way, so a programme opened at its first talk would hide now; the talk
    under way gets an abstract and a speaker."""
    now = datetime.now(UTC)
    with app_server.client(event["organizer_token"]) as client:
        for hour in range(8, 2, -1):
            body = {
                "title": f"Morning talk {9 - hour}",
                "room": "Salle C",
                "starts_at": (now - timedelta(hours=hour)).isoformat(),
                "ends_at": (now - timedelta(hours=hour, minutes=-40)).isoformat(),
            }
            assert client.post(f"/api/events/{event['id']}/talks", json=body).status_code == 201
        current = talks_of(app_server, event)["eBPF in production"]
        response = client.patch(
            f"/api/events/{event['id']}/talks/{current['id']}", json={"abstract": ABSTRACT, "speaker_ids": [speaker_id]}
        )
        assert response.status_code == 200, response.text


def attendee_phone(browser, app_server, locale: str):
    # The phone's own clock is in New York: every time on screen must still be the venue's (Paris).
    return browser.new_context(**PHONE, locale=locale, timezone_id="America/New_York", base_url=app_server.base_url)


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "en-US",
            {
                "title": "Agenda",
                "about": "About this talk",
                "room": "Room: Salle A",
                "with": "with Ana Speaker",
                "bookmark": "Bookmark: eBPF in production",
                "pressed": "Bookmarked",
                "waiting": "Waiting to send: 1",
                "mine": "My talks (1)",
                "addMine": "Add my talks to my calendar",
                "all": "All talks",
            },
        ),
        (
            "fr-FR",
            {
                "title": "Programme",
                "about": "À propos de cette intervention",
                "room": "Salle : Salle A",
                "with": "avec Ana Speaker",
                "bookmark": "Garder : eBPF in production",
                "pressed": "Gardée",
                "waiting": "En attente d'envoi : 1",
                "mine": "Mes interventions (1)",
                "addMine": "Ajouter mes interventions à mon agenda",
                "all": "Toutes les interventions",
            },
        ),
    ],
)
def test_the_agenda_opens_at_now_shows_a_talk_bookmarks_it_offline_and_exports_it(
    browser, app_server, event, locale, words
):
    speaker = join(app_server, event["join_code"], name="Ana Speaker")
    morning(app_server, event, speaker["attendee"]["id"])
    me = join(app_server, event["join_code"], name="Léa Agenda")
    update_me(app_server, me["tokens"]["access_token"], language=locale[:2])
    talk = talks_of(app_server, event)["eBPF in production"]
    phone = attendee_phone(browser, app_server, locale)
    seed_session(phone, me["tokens"])
    page = phone.new_page()
    page.goto("/agenda")
    wait_for_service_worker(page)
    expect(page.get_by_role("heading", name=words["title"], exact=True)).to_be_visible()

    # Opened at the talk under way, not at the first talk of the morning.
    live = page.locator("li[aria-current=time]")
    expect(live).to_contain_text("eBPF in production")
    expect(live).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Morning talk 1")).not_to_be_in_viewport()

    # On the venue's clock, 24 h, whatever the phone's region and time zone.
    starts, ends = (datetime.fromisoformat(talk[k]) for k in ("starts_at", "ends_at"))
    expect(live.locator(".slot-time")).to_contain_text(f"{paris_clock(starts)}–{paris_clock(ends)}")
    assert not re.search(r"\d\s?(AM|PM)", page.locator("main").inner_text())

    # The abstract, room and speakers.
    expect(live).to_contain_text(words["room"])
    expect(live).to_contain_text(words["with"])
    live.get_by_text(words["about"]).click()
    expect(live.get_by_text(ABSTRACT)).to_be_visible()
    assert_accessible(page, f"agenda ({locale})")

    # A bookmark made offline waits in the outbox with its key, and is sent once back online.
    phone.set_offline(True)
    bookmark = live.get_by_role("button", name=words["bookmark"])
    bookmark.click()
    expect(bookmark).to_have_attribute("aria-pressed", "true")
    expect(bookmark).to_have_text(words["pressed"])
    expect(page.get_by_text(words["waiting"])).to_be_visible()
    (item,) = outbox_items(page)
    assert item["kind"] == "bookmark" and item["payload"] == {"talk_id": talk["id"]} and item["key"]
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    with app_server.client(me["tokens"]["access_token"]) as client:
        eventually(lambda: client.get("/api/me/bookmarks").json()["talk_ids"] == [talk["id"]])
    expect(page.get_by_text(words["waiting"])).to_be_hidden()

    # My talks alone, and all of them to the phone's calendar: an RFC 5545 file on the event's clock.
    page.get_by_role("button", name=words["mine"]).click()
    expect(page.get_by_role("heading", name="Morning talk 1")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name=words["addMine"]).click()
    assert re.fullmatch(r"couloir-agenda-devops-days-lyon\.ics", download.value.suggested_filename)
    parsed = icalendar.Calendar.from_ical(download.value.path().read_text(encoding="utf-8"))
    (entry,) = parsed.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "eBPF in production"
    # iCalendar keeps whole seconds.
    assert entry.decoded("DTSTART") == starts.replace(microsecond=0)
    assert entry.decoded("DTEND") == ends.replace(microsecond=0)
    assert ABSTRACT in str(entry["DESCRIPTION"]) and "Ana Speaker" in str(entry["DESCRIPTION"])
    assert str(entry["LOCATION"]).startswith("Salle A")
    assert_accessible(page, f"agenda, my talks ({locale})")
    page.get_by_role("button", name=words["all"]).click()
    expect(page.get_by_role("heading", name="Morning talk 1")).to_have_count(1)
    phone.close()


def name_in_french(app_server, event: dict, zone_id: int) -> None:
    with app_server.client(event["organizer_token"]) as client:
        zone = client.patch(f"/api/events/{event['id']}/zones/{zone_id}", json={"name_fr": "Bar à café"})
        assert zone.status_code == 200, zone.text
        topic = client.patch(
            f"/api/events/{event['id']}/topics/{event['topic_ids']['Observability']}", json={"name_fr": "Observabilité"}
        )
        assert topic.status_code == 200, topic.text


def add_coffee_bar(app_server, event: dict) -> dict:
    with app_server.client(event["organizer_token"]) as client:
        response = client.post(f"/api/events/{event['id']}/zones", json={"name": "Coffee bar", "kind": "coffee"})
    assert response.status_code == 201, response.text
    return response.json()


def present(app_server, event: dict, zone: dict, name: str, **profile) -> dict:
    joined = join(app_server, event["join_code"], name=name)
    token = joined["tokens"]["access_token"]
    vouch(app_server, joined["attendee"]["id"])
    update_me(app_server, token, interests=["Observability"], visible=True, **profile)
    assert check_in(app_server, token, token=zone["checkin_url"]).status_code == 201
    return joined


@pytest.mark.parametrize(
    ("locale", "at", "until", "topic", "zone"),
    [
        ("en-US", "You're at Coffee bar", "Until {time}, or until you leave.", "Observability", "Coffee bar"),
        (
            "fr-FR",
            "Vous êtes ici : Bar à café",
            "Jusqu'à {time}, ou jusqu'à votre départ.",
            "Observabilité",
            "Bar à café",
        ),
    ],
)
def test_here_names_zones_and_topics_in_my_language_on_the_venues_clock(
    browser, app_server, event, locale, at, until, topic, zone
):
    coffee = add_coffee_bar(app_server, event)
    name_in_french(app_server, event, coffee["id"])
    present(app_server, event, coffee, "Bob Martin")
    me = present(app_server, event, coffee, "Alice Durand", language=locale[:2])
    with app_server.client(me["tokens"]["access_token"]) as client:
        expires = datetime.fromisoformat(client.get("/api/me/presence").json()["expires_at"])
    phone = attendee_phone(browser, app_server, locale)
    seed_session(phone, me["tokens"])
    page = phone.new_page()
    page.goto("/here")
    wait_for_service_worker(page)
    expect(page.locator(".zone-card")).to_contain_text(at)
    expect(page.get_by_text(until.format(time=paris_clock(expires)))).to_be_visible()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Bob Martin"))
    expect(card.get_by_role("list").get_by_text(topic, exact=True)).to_be_visible()
    # The reason, written by the server in my language, names the topic the same way.
    expect(card.locator("> p").filter(has_text=topic)).to_have_count(1)
    if locale == "fr-FR":
        expect(card).not_to_contain_text("Observability")
    assert_accessible(page, f"here ({locale})")

    # Offline, the phone's copy says when it was fetched: on the venue's clock too, never the phone's.
    phone.set_offline(True)
    page.reload()
    saved = page.get_by_text(re.compile(r"(Last updated at|Mis à jour à) \d\d:\d\d$"))
    expect(saved).to_be_visible()
    shown = saved.inner_text()[-5:]
    now = datetime.now(UTC)
    assert shown in {paris_clock(now - timedelta(minutes=m)) for m in range(3)}, shown
    phone.close()


def test_french_screens_say_vous_and_stay_grammatical_whatever_the_name(browser, app_server, event):
    event_id = event["id"]
    with app_server.client(event["organizer_token"]) as client:
        assert client.patch(
            f"/api/events/{event_id}", json={"ticket_price_cents": 150_000, "currency": "EUR"}
        ).is_success
    name_in_french(app_server, event, add_coffee_bar(app_server, event)["id"])
    phone = attendee_phone(browser, app_server, "fr-FR")
    page = phone.new_page()
    page.goto(f"/join/{event['join_code']}")
    page.get_by_label("Votre nom").fill("Élodie Vous")
    page.get_by_role("button", name="Rejoindre").click()

    # Onboarding: "vous", and the topics under their French names (searchable by them).
    expect(page.get_by_text("Sujets choisis : 0 sur 30")).to_be_visible()
    expect(page.get_by_text("Qu'êtes-vous venu chercher ?")).to_have_count(0)
    page.get_by_label("Chercher un sujet").fill("observabilité")
    page.get_by_role("button", name="Observabilité").click()
    expect(page.get_by_text("Sujets choisis : 1 sur 30")).to_be_visible()
    assert_accessible(page, "onboarding (fr)")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Bonjour Élodie Vous")).to_be_visible()

    # A contact named with a vowel: no "la vCard de Alice".
    me = page.evaluate(
        """() => new Promise(resolve => {
            const open = indexedDB.open("couloir");
            open.onsuccess = () => {
                const get = open.result.transaction("kv").objectStore("kv").get("session");
                get.onsuccess = () => { open.result.close(); resolve(get.result); };
            };
        })"""
    )
    alice = join(app_server, event["join_code"], name="Alice Durand")
    exchange(app_server, {"tokens": me}, alice)
    page.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("button", name="Télécharger la vCard : Alice Durand")).to_be_visible()
    summary = page.locator("h2#list-title + p")
    expect(summary).to_have_text(
        re.compile(
            r"Contacts obtenus à cet événement : 1\. "
            r"Votre billet a coûté 1\s500\s€ : pour l'instant, 1\s500\s€ par contact\."
        )
    )
    assert_accessible(page, "contacts (fr)")
    phone.close()


def test_an_organizer_names_a_zone_and_a_topic_per_language(browser, app_server, event):
    from tests.factories import organizer_tokens

    tokens = organizer_tokens(app_server)
    with app_server.client(tokens["access_token"]) as client:
        created = client.post(
            "/api/events",
            json={
                "name": "Journées Noms",
                "slug": "journees-noms",
                "subject": "platform engineering",
                "timezone": "Europe/Paris",
                "starts_at": datetime.now(UTC).isoformat(),
                "ends_at": (datetime.now(UTC) + timedelta(hours=8)).isoformat(),
            },
        )
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", base_url=app_server.base_url)
    seed_session(desk, tokens)
    page = desk.new_page()
    page.goto(f"/organizer/events/{event_id}/zones")
    page.get_by_label("Zone name").fill("Coffee bar")
    page.get_by_label("Name on French screens (optional)").fill("Bar à café")
    page.get_by_role("button", name="Add", exact=True).click()
    coffee = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Coffee bar"))
    expect(coffee).to_contain_text("French: Bar à café · English: —")
    assert_accessible(page, "zones with names per language")
    page.goto(f"/organizer/events/{event_id}/topics")
    page.get_by_label("Topic", exact=True).fill("Security")
    page.get_by_label("Name on French screens (optional)").fill("Sécurité")
    page.get_by_role("button", name="Add", exact=True).click()
    security = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Security"))
    expect(security).to_contain_text("French: Sécurité")
    with app_server.client(tokens["access_token"]) as client:
        zones = client.get(f"/api/events/{event_id}/zones").json()
        topics = client.get(f"/api/events/{event_id}/topics").json()
    assert [(z["name"], z["name_fr"], z["name_en"]) for z in zones] == [("Coffee bar", "Bar à café", None)]
    assert [(t["name"], t["name_fr"]) for t in topics] == [("Security", "Sécurité")]
    desk.close()
