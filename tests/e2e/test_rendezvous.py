"""Rendezvous, end to end on two phones: one proposes from a suggestion, the other accepts while offline and the
answer reaches the server once back online; two phones proposing to each other offline end with one rendezvous."""

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from api.rendezvous.models import Rendezvous
from tests.e2e.browser import PHONE, eventually, seed_session, wait_for_service_worker
from tests.e2e.test_quality import assert_accessible
from tests.factories import add_zone, check_in, join, update_me

WORDS = {
    "en-US": {
        "propose": "Propose a rendezvous to {name}",
        "when": "When",
        "where": "Where",
        "word": "A word (optional)",
        "send": "Propose",
        "proposed": "Proposed.",
        "accept": "Accept",
        "agreed": "Agreed.",
        "title": "Rendezvous",
        "agenda": "/agenda",
    },
    "fr-FR": {
        "propose": "Proposer un rendez-vous : {name}",
        "when": "Quand",
        "where": "Où",
        "word": "Un mot (facultatif)",
        "send": "Proposer",
        "proposed": "Proposition envoyée.",
        "accept": "Accepter",
        "agreed": "C'est convenu.",
        "title": "Rendez-vous",
        "agenda": "/agenda",
    },
}


def met_at_the_coffee_bar(app_server, event, *names: str) -> tuple[dict, list[dict]]:
    """People present and visible at one zone who share a topic: each is the others' suggestion."""
    zone = add_zone(app_server, event["organizer_token"], event["id"], f"Coffee bar {names[0].split()[0]}")
    people = []
    for name in names:
        joined = join(app_server, event["join_code"], name=name)
        token = joined["tokens"]["access_token"]
        update_me(app_server, token, interests=["Kubernetes", "eBPF"], visible=True)
        assert check_in(app_server, token, token=zone["checkin_url"]).status_code == 201
        people.append(joined)
    return zone, people


def rendezvous_of(app_server, event_id: int) -> list[Rendezvous]:
    with Session(app_server.engine) as session:
        return list(session.exec(select(Rendezvous).where(Rendezvous.event_id == event_id)))


@pytest.mark.parametrize(("proposer_locale", "answerer_locale"), [("en-US", "fr-FR"), ("fr-FR", "en-US")])
def test_proposed_from_a_suggestion_and_accepted_offline(browser, app_server, event, proposer_locale, answerer_locale):
    zone, (ann, bob) = met_at_the_coffee_bar(app_server, event, "Ann Rendez", "Bob Vous")
    mine, theirs = WORDS[proposer_locale], WORDS[answerer_locale]
    ann_phone = browser.new_context(**PHONE, locale=proposer_locale, base_url=app_server.base_url)
    bob_phone = browser.new_context(**PHONE, locale=answerer_locale, base_url=app_server.base_url)
    try:
        seed_session(ann_phone, ann["tokens"])
        page = ann_phone.new_page()
        page.goto("/here")
        card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Bob Vous", exact=True))
        card.get_by_role("button", name=mine["propose"].format(name="Bob Vous")).click()
        form = card.get_by_role("form", name=mine["propose"].format(name="Bob Vous"))
        expect(form.get_by_label(mine["when"])).to_contain_text("Coffee")
        form.get_by_label(mine["where"]).select_option(label=zone["name"])
        form.get_by_label(mine["word"]).fill("By the window")
        assert_accessible(page, f"rendezvous proposal ({proposer_locale})")
        form.get_by_role("button", name=mine["send"], exact=True).click()
        expect(card.get_by_role("status")).to_contain_text(mine["proposed"])
        [proposed] = eventually(lambda: rendezvous_of(app_server, event["id"]))
        assert (proposed.state, proposed.message, proposed.zone_id) == ("proposed", "By the window", zone["id"])

        seed_session(bob_phone, bob["tokens"])
        answering = bob_phone.new_page()
        answering.goto("/here")
        wait_for_service_worker(answering)
        item = answering.get_by_role("listitem").filter(has_text="Ann Rendez").filter(has_text="By the window")
        expect(item).to_contain_text(zone["name"])
        assert_accessible(answering, f"rendezvous to answer ({answerer_locale})")
        bob_phone.set_offline(True)
        item.get_by_role("button", name=theirs["accept"], exact=True).click()
        assert rendezvous_of(app_server, event["id"])[0].state == "proposed"  # nothing left the phone
        bob_phone.set_offline(False)
        answering.evaluate("() => window.dispatchEvent(new Event('online'))")
        eventually(lambda: rendezvous_of(app_server, event["id"])[0].state == "accepted")

        page.goto(mine["agenda"])
        agreed = page.get_by_role("region", name=mine["title"]).get_by_role("listitem").filter(has_text="Bob Vous")
        expect(agreed).to_contain_text(mine["agreed"])
        assert_accessible(page, f"agenda with a rendezvous ({proposer_locale})")
    finally:
        ann_phone.close()
        bob_phone.close()
    [row] = rendezvous_of(app_server, event["id"])
    assert row.state == "accepted" and row.sequence == 1  # accepted once, however often the phone retried


def test_two_phones_proposing_to_each_other_offline_end_with_one_rendezvous(browser, app_server, event):
    zone, (cleo, dan) = met_at_the_coffee_bar(app_server, event, "Cleo Cross", "Dan Cross")
    phones = [browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url) for _ in range(2)]
    try:
        pages = []
        for phone, me, other in ((phones[0], cleo, "Dan Cross"), (phones[1], dan, "Cleo Cross")):
            seed_session(phone, me["tokens"])
            page = phone.new_page()
            page.goto("/here")
            wait_for_service_worker(page)
            card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=other, exact=True))
            card.get_by_role("button", name=f"Propose a rendezvous to {other}").click()
            phone.set_offline(True)
            form = card.get_by_role("form", name=f"Propose a rendezvous to {other}")
            form.get_by_label("When").select_option(
                label=form.get_by_label("When").locator("option").nth(1).inner_text()
            )
            form.get_by_label("Where").select_option(label=zone["name"])
            form.get_by_role("button", name="Propose", exact=True).click()
            pages.append(page)
        assert rendezvous_of(app_server, event["id"]) == []
        for phone, page in zip(phones, pages, strict=True):
            phone.set_offline(False)
            page.evaluate("() => window.dispatchEvent(new Event('online'))")
        eventually(lambda: [r.state for r in rendezvous_of(app_server, event["id"])] == ["accepted"])
    finally:
        for phone in phones:
            phone.close()
    [row] = rendezvous_of(app_server, event["id"])
    assert row.zone_id == zone["id"]
