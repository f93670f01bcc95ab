"""The Here screen always says what to do next (issue #21 §3), in the real browser at a phone's size, in
English and French: the next break and how long until it, where people who share my topics are (masked counts),
people I saved for later (private, saved through the offline outbox, back among suggestions when both are
present), "more" beyond the first five; and icebreakers that open on a topic both follow, vary on one screen,
and use the agenda when a talk is on a shared topic."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from api.saved.models import SavedPerson
from tests.e2e.browser import PHONE, eventually, outbox_items, seed_session
from tests.e2e.conftest import TOPICS, at
from tests.e2e.test_quality import assert_accessible
from tests.factories import (
    add_topics,
    add_zone,
    check_in,
    create_event,
    join,
    new_key,
    organizer_token,
    update_me,
    vouch,
)

WORDS = {
    "en": {
        "locale": "en-US",
        "next_break": "Next break in 12 min ({time})",
        "break_now": "Break now, until {time}",
        "more": "More people",
        "save": "Save {name} for later",
        "forget": "Saved: forget {name}",
        "tag": "Saved",
        "saved_title": "Saved for later",
        "waiting_one": "1 more person you saved is not around now.",
        "where": "Where to go",
        "nobody": "Nobody here shares your topics right now",
        "fewer": "fewer than 3",
        "people": "{n} people",
    },
    "fr": {
        "locale": "fr-FR",
        "next_break": "Prochaine pause dans 12 min ({time})",
        "break_now": "C'est la pause, jusqu'à {time}",
        "more": "Plus de personnes",
        "save": "Garder {name} pour plus tard",
        "forget": "Gardé : oublier {name}",
        "tag": "Gardé pour plus tard",
        "saved_title": "Gardés pour plus tard",
        "waiting_one": "1 autre personne que vous avez gardée n'est pas là en ce moment.",
        "where": "Où aller",
        "nobody": "Personne ici ne partage vos sujets",
        "fewer": "moins de 3",
        "people": "{n} personnes",
    },
}


def clock(iso: str) -> str:
    """The moment as the phone shows it: on the event's clock (Europe/Paris), 24 h in both languages."""
    local = datetime.fromisoformat(iso).astimezone(ZoneInfo("Europe/Paris"))
    return f"{local:%H:%M}"


def shown(template: str, **values) -> re.Pattern:
    pattern = re.escape(template).replace(re.escape("{time}"), "{time}").format(**values)
    return re.compile(pattern)


def person(server, event: dict, name: str, interests: list[str], zone: dict | None) -> dict:
    joined = join(server, event["join_code"], name=name)
    vouch(server, joined["attendee"]["id"])  # counted in attendees' figures
    update_me(server, joined["tokens"]["access_token"], interests=interests, visible=True)
    if zone is not None:
        assert check_in(server, joined["tokens"]["access_token"], token=zone["checkin_url"]).status_code == 201
    return joined


def leave(server, joined: dict) -> None:
    with server.client(joined["tokens"]["access_token"]) as client:
        assert client.delete("/api/me/presence", headers={"Idempotency-Key": new_key()}).status_code == 204


def card(page, name: str):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=name, exact=True))


def phone_for(browser, server, lang: str, tokens: dict):
    context = browser.new_context(**PHONE, locale=WORDS[lang]["locale"], base_url=server.base_url)
    seed_session(context, tokens)
    return context


def saved_rows(server, owner_id: int) -> list[int]:
    with Session(server.engine) as session:
        return list(session.exec(select(SavedPerson.saved_id).where(SavedPerson.owner_id == owner_id)))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_here_screen_says_what_to_do_next_and_pages_past_five(browser, app_server, event, lang):
    w = WORDS[lang]
    coffee = add_zone(app_server, event["organizer_token"], event["id"], "Coffee bar", "coffee")
    lounge = add_zone(app_server, event["organizer_token"], event["id"], "Lounge", "lounge")
    me = join(app_server, event["join_code"], name="Maëlle")
    vouch(app_server, me["attendee"]["id"])
    update_me(app_server, me["tokens"]["access_token"], interests=["Kubernetes", "FinOps"], visible=True, language=lang)
    assert check_in(app_server, me["tokens"]["access_token"], token=coffee["checkin_url"]).status_code == 201
    ann = person(app_server, event, "Ann Lefort", ["Kubernetes"], coffee)
    # Right after a break: nobody else here yet, one other Kubernetes person in the lounge.
    person(app_server, event, "Lou", ["Kubernetes"], lounge)
    context = phone_for(browser, app_server, lang, me["tokens"])
    page = context.new_page()
    page.goto("/")
    with app_server.client(event["organizer_token"]) as client:
        breaks = client.get(f"/api/events/{event['id']}/agenda").json()["breaks"]
    coffee_break = clock(next(b["starts_at"] for b in breaks if b["label"] == "Coffee"))
    expect(page.get_by_text(shown(w["next_break"], time=coffee_break))).to_be_visible()
    expect(card(page, "Ann Lefort")).to_be_visible()
    where = page.get_by_role("region", name=w["where"])
    expect(where).to_contain_text("Coffee bar")
    expect(where).to_contain_text(w["fewer"])

    # Save Ann for later, offline: the save waits in the outbox and reaches the server once, back online.
    context.set_offline(True)
    card(page, "Ann Lefort").get_by_role("button", name=w["save"].format(name="Ann Lefort")).click()
    expect(card(page, "Ann Lefort").get_by_text(w["tag"], exact=True)).to_be_visible()
    assert [item["kind"] for item in outbox_items(page)] == ["save"]
    assert saved_rows(app_server, me["attendee"]["id"]) == []
    context.set_offline(False)
    eventually(lambda: saved_rows(app_server, me["attendee"]["id"]) == [ann["attendee"]["id"]])
    eventually(lambda: outbox_items(page) == [])

    # Ann walks away: she is not shown (the visibility rule), and the screen says a saved person waits.
    leave(app_server, ann)
    page.reload()
    expect(card(page, "Ann Lefort")).to_have_count(0)
    saved_section = page.get_by_role("region", name=w["saved_title"])
    expect(saved_section).to_contain_text(w["waiting_one"])
    expect(page.get_by_text(w["nobody"])).to_be_visible()
    expect(page.get_by_text(shown(w["next_break"], time=coffee_break))).to_be_visible()
    assert_accessible(page, f"here, nobody to meet ({lang})")

    # The break fills the coffee bar: ten people share a topic with me, Ann among them again.
    for i in range(8):
        person(app_server, event, f"Kube {i}", ["Kubernetes"], coffee)
    person(app_server, event, "Fanny Ops", ["FinOps"], coffee)
    assert check_in(app_server, ann["tokens"]["access_token"], token=coffee["checkin_url"]).status_code == 201
    page.reload()
    cards = page.locator("li.person")
    expect(cards).to_have_count(5)
    # Ann, saved, ranks first again and says so.
    expect(cards.first.get_by_role("heading")).to_have_text("Ann Lefort")
    expect(cards.first.get_by_text(w["tag"], exact=True)).to_be_visible()
    expect(where).to_contain_text(w["people"].format(n=10))
    page.get_by_role("button", name=w["more"]).click()
    expect(cards).to_have_count(10)
    expect(page.get_by_role("button", name=w["more"])).to_have_count(0)
    # Ten lines, each said once; the agenda grounds the FinOps one; none opens on the event's subject.
    lines = page.locator("blockquote.icebreaker p:not(.hint)").all_inner_texts()
    assert len(lines) == 10 and len(set(lines)) == 10, lines
    assert not any("platform engineering" in line for line in lines), lines
    expect(card(page, "Fanny Ops").locator("blockquote")).to_contain_text("FinOps for platform teams")
    assert_accessible(page, f"here, ten people to meet ({lang})")

    # Forget her: private, undone on the phone at once and on the server once sent.
    card(page, "Ann Lefort").get_by_role("button", name=w["forget"].format(name="Ann Lefort")).click()
    eventually(lambda: saved_rows(app_server, me["attendee"]["id"]) == [])
    context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_during_a_break_with_every_zone_under_three_the_screen_still_says_what_next(browser, app_server, lang):
    w = WORDS[lang]
    organizer = organizer_token(app_server)
    event = create_event(app_server, organizer)
    add_topics(app_server, organizer, event["id"], TOPICS)
    ends = at(8)
    with app_server.client(organizer) as client:
        body = {"label": "Coffee", "starts_at": at(-2), "ends_at": ends}
        assert client.post(f"/api/events/{event['id']}/breaks", json=body).status_code == 201
    coffee = add_zone(app_server, organizer, event["id"], "Coffee bar", "coffee")
    buffet = add_zone(app_server, organizer, event["id"], "Buffet", "buffet")
    me = join(app_server, event["join_code"], name="Maëlle")
    update_me(app_server, me["tokens"]["access_token"], interests=["eBPF"], visible=True, language=lang)
    assert check_in(app_server, me["tokens"]["access_token"], token=coffee["checkin_url"]).status_code == 201
    person(app_server, event, "Bea", ["eBPF"], buffet)
    context = phone_for(browser, app_server, lang, me["tokens"])
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_text(shown(w["break_now"], time=clock(ends)))).to_be_visible()
    expect(page.get_by_text(w["nobody"])).to_be_visible()
    where = page.get_by_role("region", name=w["where"])
    expect(where).to_contain_text("Buffet")
    expect(where).to_contain_text(w["fewer"])
    expect(page.get_by_text("Bea")).to_have_count(0)  # a masked count never names anyone
    assert_accessible(page, f"here, every zone under three ({lang})")
    context.close()
