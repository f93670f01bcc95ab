"""Trust, end to end at a phone's size: the email given on joining is only mailed a link, a first exchange shows
exactly what the other side will receive and gives nothing unticked (offline too), and the deletion screen
says the other side keeps the card that was exchanged."""

from functools import partial

from playwright.sync_api import expect
from sqlmodel import Session, select

from api.attendees.models import Attendee
from api.auth.models import MagicLink
from tests.e2e.browser import PHONE, eventually, seed_session, wait_for_service_worker
from tests.e2e.test_quality import assert_accessible
from tests.factories import add_zone, check_in, join, new_key, prove_email, update_me


def ask(app_server, event: dict, sender: dict, receiver: dict) -> None:
    """`sender` asks `receiver`, having met at the coffee bar (both visible there: they may see each other)."""
    coffee = add_zone(app_server, event["organizer_token"], event["id"], f"Coffee bar {new_key()[:8]}")
    for person in (sender, receiver):
        update_me(app_server, person["tokens"]["access_token"], visible=True)
        assert check_in(app_server, person["tokens"]["access_token"], token=coffee["checkin_url"]).status_code == 201
    with app_server.client(sender["tokens"]["access_token"]) as client:
        response = client.post(
            "/api/contact-requests",
            json={"to_attendee_id": receiver["attendee"]["id"]},
            headers={"Idempotency-Key": new_key()},
        )
    assert response.status_code == 201, response.text


def contact_of(app_server, owner: dict) -> dict:
    with app_server.client(owner["tokens"]["access_token"]) as client:
        [contact] = client.get("/api/contacts").json()["items"]
    return contact


def email_of(app_server, name: str) -> str | None:
    with Session(app_server.engine) as session:
        return session.exec(select(Attendee.email).where(Attendee.display_name == name)).one()


def mailed_proof(app_server, email: str) -> bool:
    with Session(app_server.engine) as session:
        return session.exec(select(MagicLink).where(MagicLink.confirms_email == email)).first() is not None


def test_joining_with_an_email_only_mails_it_a_link(browser, app_server, event):
    for locale, name, labels in [
        ("en-US", "Mia Mail", ("Your name", "Email (optional)", "Join", "Check your mailbox")),
        ("fr-FR", "Jules Courriel", ("Votre nom", "E-mail (facultatif)", "Rejoindre", "Regardez vos e-mails")),
    ]:
        context = browser.new_context(**PHONE, locale=locale, base_url=app_server.base_url)
        page = context.new_page()
        page.goto(f"/join/{event['join_code']}")
        your_name, email, submit, check_mail = labels
        page.get_by_label(your_name).fill(name)
        address = f"{name.split()[0].lower()}@example.org"
        page.get_by_label(email).fill(address)
        assert_accessible(page, f"join with an email ({locale})")
        page.get_by_role("button", name=submit, exact=True).click()
        expect(page.get_by_text(check_mail)).to_be_visible()
        # Not the attendee's until its owner opens the link mailed to it.
        eventually(partial(mailed_proof, app_server, address))
        assert email_of(app_server, name) is None
        context.close()


def test_a_first_exchange_shows_what_goes_and_gives_only_what_is_ticked(page, phone, app_server, event):
    bob = join(app_server, event["join_code"], name="Bob Carte", email="bob@example.org")
    update_me(app_server, bob["tokens"]["access_token"], company="Acme", phone="+33 6 12 34 56 78")
    alice = join(app_server, event["join_code"], name="Alice Ask")
    ask(app_server, event, alice, bob)

    seed_session(phone, bob["tokens"])
    page.goto("/contacts")
    request = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Alice Ask"))
    request.get_by_role("button", name="Accept Alice Ask").click()
    choice = request.get_by_role("form", name="What they will receive")
    expect(choice).to_contain_text("Your name: Bob Carte")
    for detail in ("Email: bob@example.org", "Phone: +33 6 12 34 56 78", "Company: Acme"):
        expect(choice.get_by_label(detail)).not_to_be_checked()
    expect(choice).to_contain_text("They keep what you give, as with a paper card")
    assert_accessible(page, "first exchange, the choice")
    choice.get_by_label("Email: bob@example.org").check()
    choice.get_by_role("button", name="Give this and continue").click()
    expect(page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Alice Ask"))).to_contain_text(
        "Met at"
    )

    eventually(lambda: contact_of(app_server, alice)["name"] == "Bob Carte")
    got = contact_of(app_server, alice)
    assert (got["email"], got["phone"], got["company"]) == ("bob@example.org", None, None)

    # Chosen once: My code shows the codes at once, and the deletion screen tells the truth about the card.
    page.goto("/code")
    expect(page.get_by_role("heading", name="Connect with the app")).to_be_visible()
    expect(page.get_by_role("form", name="What they will receive")).to_have_count(0)
    page.goto("/settings")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("keep the card you gave them")).to_be_visible()
    assert_accessible(page, "settings, deleting")


def test_premier_echange_hors_ligne_en_francais(browser, app_server, event):
    claire = join(app_server, event["join_code"], name="Claire Hors-Ligne", email="claire@example.org", language="fr")
    alice = join(app_server, event["join_code"], name="Alice Demande")
    ask(app_server, event, alice, claire)
    phone = browser.new_context(**PHONE, locale="fr-FR", base_url=app_server.base_url)
    seed_session(phone, claire["tokens"])
    page = phone.new_page()

    # My code gives my details to whoever scans it: before the first time, the choice, and no code.
    page.goto("/code")
    choice = page.get_by_role("form", name="Ce que l'autre personne recevra")
    expect(choice).to_contain_text("Votre nom : Claire Hors-Ligne")
    expect(choice.get_by_label("E-mail : claire@example.org")).not_to_be_checked()
    expect(page.get_by_role("heading", name="Échanger avec l'appli")).to_have_count(0)
    assert_accessible(page, "mon code, le choix")

    page.goto("/contacts")
    wait_for_service_worker(page)
    request = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Alice Demande"))
    expect(request).to_be_visible()
    phone.set_offline(True)
    request.get_by_role("button", name="Accepter Alice Demande").click()
    choice = request.get_by_role("form", name="Ce que l'autre personne recevra")
    choice.get_by_label("E-mail : claire@example.org").check()
    choice.get_by_role("button", name="Donner ceci et continuer").click()
    expect(page.get_by_text("En attente d'envoi : 2")).to_be_visible()

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_text("En attente d'envoi")).to_be_hidden()
    eventually(lambda: contact_of(app_server, alice)["name"] == "Claire Hors-Ligne")
    assert contact_of(app_server, alice)["email"] == "claire@example.org"  # the choice went first

    page.goto("/settings")
    page.get_by_role("button", name="Supprimer mon compte").click()
    expect(page.get_by_text("gardent la carte que vous leur avez donnée")).to_be_visible()
    page.get_by_role("button", name="Supprimer définitivement").click()
    expect(page.get_by_text("Votre compte est supprimé.")).to_be_visible()
    kept = contact_of(app_server, alice)
    assert (kept["name"], kept["email"], kept["other_attendee_id"]) == ("Claire Hors-Ligne", "claire@example.org", None)
    phone.close()


def test_an_email_typed_in_settings_waits_for_its_link(page, phone, app_server, event):
    dora = join(app_server, event["join_code"], name="Dora Adresse")
    seed_session(phone, dora["tokens"])
    page.goto("/settings")
    page.get_by_label("Email", exact=True).fill("dora@example.org")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_text("We'll send a link to dora@example.org")).to_be_visible()
    eventually(lambda: mailed_proof(app_server, "dora@example.org"))
    assert email_of(app_server, "Dora Adresse") is None
    prove_email(app_server, dora["attendee"]["id"], "dora@example.org")  # she opens the link
    assert email_of(app_server, "Dora Adresse") == "dora@example.org"
