"""The attendee's first hour (issue 21 §1, §4, §7), in French and English at a phone's size: one person stays
one attendee when the join link is opened again, organizers tell namesakes apart, the notifications switch
always ends in a clear state, nudges are offered after the first check-in, and the finish (boxes measured in
the page, never read off a screenshot)."""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import Session, select

from api.attendees.models import Attendee
from api.push.models import PushSubscription
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, PATIENCE_MS, PHONE, seed_session, wait_for_service_worker
from tests.e2e.test_quality import assert_accessible
from tests.e2e.test_scan import camera_showing
from tests.factories import add_zone, check_in, create_event, join, organizer_tokens
from tests.push_receiver import PushReceiver

LOCALES = {"en": "en-US", "fr": "fr-FR"}
WORDS = {
    "en": {
        "join": "Join the event",
        "name": "Your name",
        "submit": "Join",
        "already": "You're already in",
        "inAs": "You're in as {name} at {event}.",
        "continue": "Continue",
        "someoneElse": "I'm someone else",
        "hello": "Hello {name}",
        "nameMissing": "Your name: please type it (spaces alone don't count).",
        "findSpeaker": "Find a speaker among the attendees",
        "addSpeaker": "Add {name} as a speaker",
        "addTalk": "Add a talk",
        "talks": "Talks",
        "joined": "joined ",
        "settings": "Settings",
        "switch": "Notifications on this phone",
        "failed": "Notifications could not be turned on on this phone. Try again (with a connection, if offline).",
        "retry": "Try again",
        "denied": "Notifications are blocked for Couloir. Allow them in your browser settings.",
        "unsupported": "This browser cannot receive notifications.",
        "installFirst": "On iPhone, add Couloir to your home screen first",
        "on": "On: this phone gets nudges during breaks.",
        "offer": "Be told when someone to meet is near",
        "turnOn": "Turn on notifications",
        "notNow": "Not now",
        "offline": "Ready to work offline",
        "fewer": "fewer than 3",
        "phone": "Phone",
        "website": "Website or LinkedIn",
        "email": "Email",
        "title": "Title",
        "starts": "Starts",
        "startCamera": "Turn on the camera",
        "codeSaved": "Code saved: you'll be connected as soon as the phone is online.",
        "codeSent": "Code sent: your new contact is in your contacts.",
        "search": "Search topics",
    },
    "fr": {
        "join": "Rejoindre l'événement",
        "name": "Votre nom",
        "submit": "Rejoindre",
        "already": "Vous avez déjà rejoint l'événement",
        "inAs": "Vous participez à « {event} » sous le nom « {name} ».",
        "continue": "Continuer",
        "someoneElse": "Je suis quelqu'un d'autre",
        "hello": "Bonjour {name}",
        "nameMissing": "Votre nom : veuillez le saisir (des espaces seuls ne suffisent pas).",
        "findSpeaker": "Trouver un intervenant parmi les participants",
        "addSpeaker": "Ajouter {name} comme intervenant",
        "addTalk": "Ajouter une conférence",
        "talks": "Conférences",
        "joined": "inscription : ",
        "settings": "Réglages",
        "switch": "Notifications sur ce téléphone",
        "failed": (
            "Impossible d'activer les notifications sur ce téléphone. "
            "Réessayez (avec du réseau, si vous êtes hors ligne)."
        ),
        "retry": "Réessayer",
        "denied": "Les notifications sont bloquées pour Couloir. Autorisez-les dans les réglages du navigateur.",
        "unsupported": "Ce navigateur ne peut pas recevoir de notifications.",
        "installFirst": "Sur iPhone, ajoutez d'abord Couloir à l'écran d'accueil",
        "on": "Activées : ce téléphone reçoit des signaux pendant les pauses.",
        "offer": "Un signal quand quelqu'un à rencontrer est proche",
        "turnOn": "Activer les notifications",
        "notNow": "Plus tard",
        "offline": "Prêt à fonctionner hors ligne",
        "fewer": "moins de 3",
        "phone": "Téléphone",
        "website": "Site web ou LinkedIn",
        "email": "E-mail",
        "title": "Titre",
        "starts": "Début",
        "startCamera": "Activer la caméra",
        "codeSaved": "Code enregistré : la connexion se fera dès que le téléphone sera en ligne.",
        "codeSent": "Code envoyé : votre nouveau contact est dans vos contacts.",
        "search": "Chercher un sujet",
    },
}
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture(params=["en", "fr"])
def lang(request) -> str:
    return request.param


@pytest.fixture
def words(lang) -> dict[str, str]:
    return WORDS[lang]


@pytest.fixture
def context_for(browser, app_server, lang):
    """New phones in the test's language (extra options per phone: permissions, user agent...)."""
    made = []

    def make(**options):
        context = browser.new_context(**PHONE, locale=LOCALES[lang], base_url=app_server.base_url, **options)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def attendees_named(server, event_id: int, name: str) -> int:
    with Session(server.engine) as session:
        return session.exec(
            select(func.count())
            .select_from(Attendee)
            .where(Attendee.event_id == event_id, Attendee.display_name == name)
        ).one()


def box(page, selector: str) -> dict:
    """The element's box as laid out in the page (CSS pixels)."""
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height,"
        " top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }"
    )


def join_in_app(page, event: dict, words: dict, name: str) -> None:
    page.goto(f"/join/{event['join_code']}")
    page.get_by_label(words["name"]).fill(name)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.get_by_label(words["search"])).to_be_visible()


# §1 One person, one attendee ------------------------------------------------------------------------


def test_reopening_the_join_link_signed_in_says_as_whom(context_for, app_server, event, words):
    name = f"Alice Martin {words['submit']}"
    page = context_for().new_page()
    join_in_app(page, event, words, name)
    assert attendees_named(app_server, event["id"], name) == 1

    # The link from the email or badge, tapped again: no empty form, no second attendee.
    page.goto(f"/join/{event['join_code']}")
    expect(page.get_by_role("heading", name=words["already"])).to_be_visible()
    expect(page.get_by_text(words["inAs"].format(name=name, event=event["name"]))).to_be_visible()
    expect(page.get_by_label(words["name"])).to_have_count(0)
    assert_accessible(page, "already in")
    page.get_by_role("button", name=words["continue"]).click()
    expect(page.get_by_role("heading", name=words["hello"].format(name=name))).to_be_visible()
    assert page.url.endswith("/here")
    assert attendees_named(app_server, event["id"], name) == 1

    # Someone else on this phone: signed out, the same link's form, empty, with the code kept.
    page.goto(f"/join/{event['join_code']}")
    page.get_by_role("button", name=words["someoneElse"]).click()
    expect(page.get_by_role("heading", name=words["join"])).to_be_visible()
    expect(page.get_by_label(words["name"])).to_have_value("")
    assert page.url.endswith(f"/join/{event['join_code']}")
    page.get_by_label(words["name"]).fill("Bruno Autre")
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.get_by_label(words["search"])).to_be_visible()
    assert attendees_named(app_server, event["id"], "Bruno Autre") == 1
    assert attendees_named(app_server, event["id"], name) == 1


def test_a_name_of_only_spaces_is_refused_naming_the_field(context_for, app_server, event, words):
    page = context_for().new_page()
    page.goto(f"/join/{event['join_code']}")
    page.get_by_label(words["name"]).fill("   ")
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(words["nameMissing"])
    expect(page.get_by_label(words["name"])).to_be_focused()
    assert attendees_named(app_server, event["id"], "") == 0


def test_namesakes_are_told_apart_in_the_speaker_picker(context_for, app_server, words):
    organizer = organizer_tokens(app_server)
    event = create_event(app_server, organizer["access_token"])
    twins = [join(app_server, event["join_code"], name="Alice Martin")["attendee"] for _ in range(2)]
    other = join(app_server, event["join_code"], name="Alice Moreau")["attendee"]
    desk = context_for()
    seed_session(desk, organizer)
    page = desk.new_page()
    page.goto(f"/organizer/events/{event['id']}/agenda")
    talks = page.get_by_role("region", name=words["talks"])
    talks.get_by_text(words["addTalk"]).click()
    talks.get_by_label(words["findSpeaker"]).fill("alice")
    buttons = talks.get_by_role("button", name=words["addSpeaker"].format(name="Alice Martin"))
    expect(buttons).to_have_count(2)
    said = [
        buttons.nth(i).evaluate("b => document.getElementById(b.getAttribute('aria-describedby')).textContent")
        for i in range(2)
    ]
    assert said[0] != said[1]
    for twin, text in zip(sorted(twins, key=lambda a: a["id"]), said, strict=True):
        assert words["joined"] in text and f"#{twin['id']}" in text
    # A name of its own needs nothing more.
    alone = talks.get_by_role("button", name=words["addSpeaker"].format(name=other["display_name"]))
    expect(alone).to_be_visible()
    assert alone.get_attribute("aria-describedby") is None
    assert_accessible(page, "speaker picker with namesakes")


# §4 Push nudges that can be turned on --------------------------------------------------------------

# Chromium here has no push service (RECIPES): this stands in for it alone, handing the page a subscription
# made by a real receiver; permission, the app's switch, its outbox and the server are all real.
# The subscription outlives a reload, as the browser's own does.
PUSH_SERVICE = """sub => {
    const made = { endpoint: sub.endpoint, expirationTime: null, toJSON: () => sub, unsubscribe: async () => true };
    PushManager.prototype.subscribe = async function () { localStorage.setItem("push-held", "1"); return made; };
    PushManager.prototype.getSubscription = async function () {
        return localStorage.getItem("push-held") ? made : null;
    };
}"""


def signed_in_phone(context, app_server, event, name: str) -> dict:
    joined = join(app_server, event["join_code"], name=name)
    seed_session(context, joined["tokens"])
    return joined


def open_settings(page, words: dict):
    page.goto("/settings")
    expect(page.get_by_role("heading", name=words["settings"], exact=True)).to_be_visible()
    wait_for_service_worker(page)


def subscriptions_of(server, attendee_id: int) -> list[str]:
    with Session(server.engine) as session:
        return list(session.exec(select(PushSubscription.endpoint).where(PushSubscription.attendee_id == attendee_id)))


def test_the_switch_fails_clearly_when_the_browser_refuses_to_subscribe(context_for, app_server, event, words):
    # A normal headless context: PushManager.subscribe() really rejects (AbortError).
    context = context_for(permissions=["notifications"])
    me = signed_in_phone(context, app_server, event, "Pat Refused")["attendee"]
    page = context.new_page()
    open_settings(page, words)
    switch = page.get_by_role("switch", name=words["switch"])
    switch.check()
    expect(page.get_by_role("status").filter(has_text=words["failed"])).to_be_visible()
    expect(switch).not_to_be_checked()
    expect(switch).to_be_enabled()
    page.get_by_role("button", name=words["retry"]).click()
    expect(page.get_by_role("status").filter(has_text=words["failed"])).to_be_visible()
    expect(page.get_by_role("button", name=words["retry"])).to_be_visible()
    assert subscriptions_of(app_server, me["id"]) == []
    assert_accessible(page, "settings, notifications failed")


def test_the_switch_gives_up_when_subscribing_never_answers(playwright, app_server, event, lang, words, tmp_path):
    # A persistent context: PushManager.subscribe() hangs for good; the switch must not stay greyed.
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        **PHONE,
        locale=LOCALES[lang],
        base_url=app_server.base_url,
        permissions=["notifications"],
    )
    try:
        signed_in_phone(context, app_server, event, "Pat Waiting")
        page = context.new_page()
        open_settings(page, words)
        switch = page.get_by_role("switch", name=words["switch"])
        switch.check()
        expect(switch).to_be_disabled()  # working on it, and saying so
        expect(page.get_by_role("status").filter(has_text=words["failed"])).to_be_visible(timeout=PATIENCE_MS)
        expect(switch).to_be_enabled()
        expect(switch).not_to_be_checked()
        expect(page.get_by_role("button", name=words["retry"])).to_be_visible()
    finally:
        context.close()


def test_the_switch_says_when_the_browser_blocks_notifications(context_for, app_server, event, words):
    context = context_for()  # no permission given: headless Chromium refuses the request
    signed_in_phone(context, app_server, event, "Pat Blocked")
    page = context.new_page()
    open_settings(page, words)
    page.get_by_role("switch", name=words["switch"]).check()
    expect(page.get_by_role("status").filter(has_text=words["denied"])).to_be_visible()
    expect(page.get_by_role("switch", name=words["switch"])).not_to_be_checked()

    # Blocked in the browser's settings: said as soon as the screen opens, the switch out of reach.
    cdp = context.new_cdp_session(page)
    cdp.send(
        "Browser.setPermission",
        {"permission": {"name": "notifications"}, "setting": "denied", "origin": app_server.base_url},
    )
    page.reload()
    expect(page.get_by_role("status").filter(has_text=words["denied"])).to_be_visible()
    expect(page.get_by_role("switch", name=words["switch"])).to_be_disabled()
    assert_accessible(page, "settings, notifications blocked")


def test_the_switch_says_when_this_browser_has_no_push(context_for, app_server, event, words):
    for options, said in [({}, words["unsupported"]), ({"user_agent": IPHONE_UA}, words["installFirst"])]:
        context = context_for(**options)
        context.add_init_script("delete window.PushManager")  # as in Firefox for iOS, or Safari before install
        signed_in_phone(context, app_server, event, "Pat Elsewhere")
        page = context.new_page()
        page.goto("/settings")
        expect(page.get_by_role("status").filter(has_text=said)).to_be_visible()
        expect(page.get_by_role("switch", name=words["switch"])).to_have_count(0)
        assert_accessible(page, f"settings, no push ({said})")


def test_the_switch_turns_on_and_the_server_has_this_phone(context_for, app_server, event, words):
    with PushReceiver() as receiver:
        subscription = receiver.new_subscription()
        context = context_for(permissions=["notifications"])
        context.add_init_script(f"({PUSH_SERVICE})({json.dumps(subscription)})")
        joined = signed_in_phone(context, app_server, event, "Pat On")
        page = context.new_page()
        open_settings(page, words)
        switch = page.get_by_role("switch", name=words["switch"])
        switch.check()
        expect(page.get_by_role("status").filter(has_text=words["on"])).to_be_visible()
        expect(switch).to_be_checked()
        assert subscriptions_of(app_server, joined["attendee"]["id"]) == [subscription["endpoint"]]
        with app_server.client(joined["tokens"]["access_token"]) as client:
            assert client.get("/api/me/push-preferences").json()["enabled"] is True
        assert_accessible(page, "settings, notifications on")


def test_nudges_are_offered_after_the_first_check_in(context_for, app_server, event, words):
    zone = add_zone(app_server, event["organizer_token"], event["id"], f"Buffet {words['submit']}")
    with PushReceiver() as receiver:
        subscription = receiver.new_subscription()
        context = context_for(permissions=["notifications"])
        context.add_init_script(f"({PUSH_SERVICE})({json.dumps(subscription)})")
        joined = signed_in_phone(context, app_server, event, "Sam Offered")
        page = context.new_page()
        page.goto("/here")
        expect(page.get_by_role("heading", name=words["hello"].format(name="Sam Offered"))).to_be_visible()
        offer = page.get_by_role("region", name=words["offer"])
        expect(offer).to_have_count(0)  # not before there is anyone to be nudged about

        assert check_in(app_server, joined["tokens"]["access_token"], code=zone["code"]).status_code == 201
        page.reload()
        expect(offer).to_be_visible()
        assert_accessible(page, "here, nudge offer")
        offer.get_by_role("button", name=words["turnOn"]).click()
        expect(offer.get_by_role("status")).to_have_text(words["on"])
        expect(offer.get_by_role("link", name=words["settings"])).to_be_visible()
        assert subscriptions_of(app_server, joined["attendee"]["id"]) == [subscription["endpoint"]]
        assert_accessible(page, "here, nudges on")
        page.reload()
        expect(page.get_by_role("heading", name=words["hello"].format(name="Sam Offered"))).to_be_visible()
        expect(offer).to_have_count(0)  # on now: nothing left to offer

    # Put off on another phone: it stays put off.
    other = context_for(permissions=["notifications"])
    later = signed_in_phone(other, app_server, event, "Sam Later")
    assert check_in(app_server, later["tokens"]["access_token"], code=zone["code"]).status_code == 201
    page = other.new_page()
    page.goto("/here")
    offer = page.get_by_role("region", name=words["offer"])
    offer.get_by_role("button", name=words["notNow"]).click()
    expect(offer).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name=words["hello"].format(name="Sam Later"))).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(offer).to_have_count(0)


# §7 Finish ----------------------------------------------------------------------------------------


def test_typed_inputs_are_as_big_as_the_other_fields(context_for, app_server, event, words):
    context = context_for()
    signed_in_phone(context, app_server, event, "Lee Fields")
    page = context.new_page()
    page.goto("/settings")
    expect(page.get_by_label(words["phone"], exact=True)).to_be_visible()
    email, phone, website = (box(page, f"#detail-{name}") for name in ("email", "phone", "website_url"))
    for field in (phone, website):
        assert field["width"] == pytest.approx(email["width"], abs=0.5)
        assert field["height"] == pytest.approx(email["height"], abs=0.5)
    assert email["height"] >= 44 and email["width"] > 300

    # The organizer's date and time inputs, beside a text field of the same form.
    organizer = organizer_tokens(app_server)
    own = create_event(app_server, organizer["access_token"])
    desk = context_for()
    seed_session(desk, organizer)
    page = desk.new_page()
    page.goto(f"/organizer/events/{own['id']}/agenda")
    page.get_by_role("region", name=words["talks"]).get_by_text(words["addTalk"]).click()
    title, starts = box(page, "#talk-new-title"), box(page, "#talk-new-starts")
    assert starts["height"] == pytest.approx(title["height"], abs=0.5)
    assert starts["width"] == pytest.approx(title["width"], abs=0.5)
    assert starts["height"] >= 44


def test_a_topic_chip_is_one_pill(context_for, event, words):
    page = context_for().new_page()
    join_in_app(page, event, words, "Lee Chips")
    chip = page.get_by_role("button", name="Kubernetes")
    item = chip.locator("xpath=..")
    style = item.evaluate("li => { const s = getComputedStyle(li); return [s.backgroundColor, s.paddingLeft]; }")
    assert style == ["rgba(0, 0, 0, 0)", "0px"]  # no pill drawn around the chip's own pill
    outer, inner = item.bounding_box(), chip.bounding_box()
    assert outer["width"] == pytest.approx(inner["width"], abs=0.5)
    assert outer["height"] == pytest.approx(inner["height"], abs=0.5)


def test_the_offline_ready_toast_leaves_the_title_in_view(context_for, event, words):
    page = context_for().new_page()
    page.goto(f"/join/{event['join_code']}")
    toast = page.get_by_text(words["offline"])
    expect(toast).to_be_visible()
    heading = box(page, "#screen-title")
    assert box(page, ".toasts")["bottom"] <= heading["top"]
    # What covers the title's middle is the title itself.
    x, y = heading["left"] + 20, heading["top"] + heading["height"] / 2
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).id", [x, y]) == "screen-title"


def test_a_masked_count_stays_beside_a_long_zone_name(context_for, app_server, event, words):
    long_name = "Espace détente du deuxième étage, côté jardin d'hiver"
    add_zone(app_server, event["organizer_token"], event["id"], long_name)
    context = context_for()
    signed_in_phone(context, app_server, event, "Lee Counts")
    page = context.new_page()
    page.goto("/here")
    row = page.locator(".counts li").filter(has_text=long_name)
    expect(row).to_contain_text(words["fewer"])
    name, count = row.locator("span").nth(0), row.locator("span").nth(1)
    expect(count).to_have_text(words["fewer"])
    name_box, count_box = name.bounding_box(), count.bounding_box()
    line = float(count.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert count_box["height"] < 1.5 * line  # one line
    assert count_box["x"] >= name_box["x"] + name_box["width"]  # beside the name, not under it
    assert count_box["y"] < name_box["y"] + name_box["height"]


def test_the_favicon_is_served(phone):
    response = phone.request.get("/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/")
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_a_saved_connect_code_says_when_it_is_sent(playwright, app_server, event, lang, words, tmp_path):
    bob = join(app_server, event["join_code"], name="Bob Camera")
    with app_server.client(bob["tokens"]["access_token"]) as client:
        connect_url = client.post("/api/me/connect-code").json()["url"]
    browser = camera_showing(playwright, connect_url, tmp_path)
    try:
        context = browser.new_context(
            **PHONE, locale=LOCALES[lang], base_url=app_server.base_url, permissions=["camera"]
        )
        me = signed_in_phone(context, app_server, event, "Lee Offline")
        with app_server.client(me["tokens"]["access_token"]) as client:
            choice = {"share_email": False, "share_phone": False, "share_website": False, "share_company": False}
            assert client.put("/api/me/sharing", json=choice).status_code == 200
        page = context.new_page()
        page.goto("/scan")
        wait_for_service_worker(page)
        context.set_offline(True)
        page.get_by_role("button", name=words["startCamera"]).click()
        expect(page.get_by_text(words["codeSaved"])).to_be_visible()
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.get_by_text(words["codeSent"])).to_be_visible()
        expect(page.get_by_text(words["codeSaved"])).to_have_count(0)
    finally:
        browser.close()
