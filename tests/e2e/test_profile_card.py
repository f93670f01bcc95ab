"""A card worth walking up to, end to end on a phone: a joiner sets a job title, company, "ask me about", "how to
find me" and a photo in onboarding (English) and in Settings (French); the person next to them sees it all on the
Here screen, the photo without its GPS position."""

import io

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.browser import PHONE, eventually, seed_session, wait_for_service_worker
from tests.e2e.test_hallway import person_card
from tests.e2e.test_quality import assert_accessible
from tests.factories import add_zone, check_in, join, update_me
from tests.test_profile_card import GPS_IFD, photo_with_gps


def photo_file(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def my_profile(app_server, token: str) -> dict:
    with app_server.client(token) as client:
        return client.get("/api/me").json()


def test_a_joiner_fills_in_their_card_and_the_person_nearby_sees_it(page, browser, app_server, event, tmp_path):
    eva = join(app_server, event["join_code"], name="Eva Durand", language="en")
    token = eva["tokens"]["access_token"]
    seed_session(page.context, eva["tokens"])
    page.goto("/onboarding")
    expect(page.get_by_role("heading", name="What do you like to talk about?")).to_be_visible()
    page.get_by_label("Job title").fill("Security engineer")
    page.get_by_label("Company", exact=True).fill("Qonto")
    page.get_by_label("Ask me about…").fill("eBPF in production")
    page.get_by_label("How to find me").fill("Red scarf, by the window")
    page.locator("#photo-file").set_input_files(photo_file(tmp_path, "me.jpg", photo_with_gps((2400, 1800))))
    expect(page.get_by_text("Photo saved.")).to_be_visible()
    expect(page.locator(".photo-picker img.avatar")).to_be_visible()
    assert_accessible(page, "onboarding, with a photo")

    # A photo needs the network: offline it is refused with a word, and the photo kept is still the one shown.
    page.context.set_offline(True)
    page.locator("#photo-file").set_input_files(photo_file(tmp_path, "other.jpg", photo_with_gps()))
    expect(page.get_by_role("alert")).to_have_text(
        "A photo needs a connection: try again once you're online. Your other details are kept on this phone."
    )
    page.context.set_offline(False)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/here")
    profile = eventually(lambda: (p := my_profile(app_server, token))["find_me_hint"] and p)
    assert (profile["headline"], profile["company"]) == ("Security engineer", "Qonto")
    assert profile["ask_me_about"] == "eBPF in production"
    # What the phone sent was shrunk on the phone; what is served is the server's small square, with no GPS.
    with app_server.client(token) as client:
        served = Image.open(io.BytesIO(client.get(profile["photo_url"]).content))
    assert served.size == (256, 256) and not served.getexif().get_ifd(GPS_IFD)

    # Both at the coffee bar, visible: Hugo's phone shows her card with her photo and how to spot her.
    coffee = add_zone(app_server, event["organizer_token"], event["id"], "Coffee bar")
    update_me(app_server, token, visible=True, interests=["Kubernetes"])
    hugo = join(app_server, event["join_code"], name="Hugo Petit", language="en")
    update_me(app_server, hugo["tokens"]["access_token"], visible=True, interests=["Kubernetes"])
    for person in (token, hugo["tokens"]["access_token"]):
        assert check_in(app_server, person, token=coffee["checkin_url"]).status_code == 201
    hugo_phone = browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url)
    seed_session(hugo_phone, hugo["tokens"])
    hugo_page = hugo_phone.new_page()
    hugo_page.goto("/here")
    card = person_card(hugo_page, "Eva Durand")
    expect(card).to_contain_text("Security engineer · Qonto")
    expect(card).to_contain_text("Ask me about: eBPF in production")
    expect(card).to_contain_text("How to find them: Red scarf, by the window")
    photo = card.locator("img.avatar")
    expect(photo).to_be_visible()
    eventually(lambda: photo.evaluate("img => img.complete && img.naturalWidth === 256"))
    assert_accessible(hugo_page, "here, a card with a photo")
    hugo_phone.close()


def test_in_french_settings_edit_the_card_offline_and_refuse_what_is_not_a_photo(browser, app_server, event, tmp_path):
    phone = browser.new_context(**PHONE, locale="fr-FR", base_url=app_server.base_url)
    lucie = join(app_server, event["join_code"], name="Lucie Moreau", language="fr")
    token = lucie["tokens"]["access_token"]
    update_me(app_server, token, headline="Développeuse backend")
    seed_session(phone, lucie["tokens"])
    page = phone.new_page()
    page.goto("/settings")
    wait_for_service_worker(page)
    section = page.get_by_role("region", name="Votre carte")
    expect(section.get_by_label("Intitulé de poste")).to_have_value("Développeuse backend")
    assert_accessible(page, "réglages, votre carte")

    # Not an image, whatever its name says: the server refuses it, and the phone says so in French.
    section.locator("#photo-file").set_input_files(photo_file(tmp_path, "pas-une-photo.png", b"bonjour"))
    expect(section.get_by_role("alert")).to_have_text("Cette image n'a pas pu être lue. Essayez une autre photo.")

    # Offline, the lines wait in the outbox and reach the server once the network is back.
    phone.set_offline(True)
    section.get_by_label("Comment me trouver").fill("Veste en jean, près des stands")
    section.get_by_label("Parlez-moi de…").fill("Recruter des ingés plateforme")
    section.get_by_role("button", name="Enregistrer ma carte").click()
    expect(section.get_by_text("Enregistré (envoyé dès que le réseau le permet).")).to_be_visible()
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    profile = eventually(lambda: (p := my_profile(app_server, token))["find_me_hint"] and p)
    assert profile["find_me_hint"] == "Veste en jean, près des stands"
    assert profile["ask_me_about"] == "Recruter des ingés plateforme"
    assert profile["headline"] == "Développeuse backend"

    section.locator("#photo-file").set_input_files(photo_file(tmp_path, "moi.jpg", photo_with_gps()))
    expect(section.get_by_text("Photo enregistrée.")).to_be_visible()
    section.get_by_role("button", name="Retirer la photo").click()
    expect(section.get_by_text("Photo retirée.")).to_be_visible()
    assert my_profile(app_server, token)["photo_url"] is None
    phone.close()
