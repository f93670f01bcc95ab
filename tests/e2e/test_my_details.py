"""Settings, end to end: export my data, and choose which of my details a contact exchange shares."""

import json

from playwright.sync_api import expect

from tests.e2e.browser import eventually, seed_session, wait_for_service_worker
from tests.e2e.test_quality import assert_accessible
from tests.factories import join, new_key, update_me


def test_export_my_data_downloads_my_profile_as_json(page, app_server, event):
    joined = join(app_server, event["join_code"], name="Eva Export", email="eva@example.org")
    update_me(app_server, joined["tokens"]["access_token"], headline="Data engineer")
    seed_session(page.context, joined["tokens"])
    page.goto("/settings")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export my data").click()
    assert download.value.suggested_filename == "couloir-my-data.json"
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["profile"]["display_name"] == "Eva Export"
    assert data["profile"]["email"] == "eva@example.org"
    assert data["profile"]["headline"] == "Data engineer"
    assert data["event"]["name"] == event["name"]

    # The server writes the file: offline, the phone says so instead of saving nothing.
    page.context.set_offline(True)
    page.get_by_role("button", name="Export my data").click()
    expect(page.get_by_role("alert")).to_have_text("The export could not be made: check your connection and try again.")
    page.context.set_offline(False)


def exchange(app_server, sender: dict, receiver: dict) -> None:
    """`sender` scans `receiver`'s connect QR (showing it is consent, wherever they stand): both are contacts now."""
    with app_server.client(receiver["tokens"]["access_token"]) as client:
        response = client.post("/api/me/connect-code")
        assert response.status_code == 200, response.text
        code = response.json()["url"]
    with app_server.client(sender["tokens"]["access_token"]) as client:
        response = client.post("/api/contacts/scan", json={"code": code}, headers={"Idempotency-Key": new_key()})
        assert response.status_code == 201, response.text


def test_a_new_contact_sees_exactly_the_details_chosen_offline(page, phone, app_server, event):
    fanny = join(app_server, event["join_code"], name="Fanny Share", email="fanny@example.org")
    update_me(app_server, fanny["tokens"]["access_token"], company="Acme")
    seed_session(phone, fanny["tokens"])
    page.goto("/settings")
    wait_for_service_worker(page)
    expect(page.get_by_role("heading", name="What a contact exchange shares")).to_be_visible()
    # Until she chooses, an exchange gives her name alone: nothing is ticked.
    for detail in ("Email", "Phone", "Website or LinkedIn", "Company"):
        expect(page.get_by_label(f"Share in exchanges: {detail}")).not_to_be_checked()
    assert_accessible(page, "settings, sharing")

    # Not a phone number: refused on the phone, before anything is queued, and the text stays.
    page.get_by_label("Phone", exact=True).fill("call me maybe")
    page.get_by_role("button", name="Save my details").click()
    assert page.get_by_label("Phone", exact=True).evaluate("input => input.validity.patternMismatch")
    expect(page.get_by_text("Saved (sent as soon as the network allows).")).to_be_hidden()
    expect(page.get_by_label("Phone", exact=True)).to_have_value("call me maybe")

    phone.set_offline(True)
    page.get_by_label("Phone", exact=True).fill("+33 6 12 34 56 78")
    page.get_by_label("Website or LinkedIn", exact=True).fill("https://www.linkedin.com/in/fanny")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_text("Saved (sent as soon as the network allows).")).to_be_visible()
    page.get_by_label("Share in exchanges: Phone").check()
    page.get_by_label("Share in exchanges: Website or LinkedIn").check()
    page.get_by_label("Share in exchanges: Company").check()
    page.get_by_label("Share in exchanges: Company").uncheck()
    expect(page.get_by_text("Waiting to send: 5")).to_be_visible()
    expect(page.get_by_label("Share in exchanges: Phone")).to_be_checked()
    expect(page.get_by_label("Share in exchanges: Email")).not_to_be_checked()

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_text("Waiting to send")).to_be_hidden()
    with app_server.client(fanny["tokens"]["access_token"]) as client:
        eventually(
            lambda: (
                client.get("/api/me/sharing").json()
                == {
                    "share_email": False,
                    "share_phone": True,
                    "share_website": True,
                    "share_company": False,
                    "chosen": True,
                }
            )
        )

    gus = join(app_server, event["join_code"], name="Gus New")
    exchange(app_server, gus, fanny)
    with app_server.client(gus["tokens"]["access_token"]) as client:
        [contact] = client.get("/api/contacts").json()["items"]
    assert contact["name"] == "Fanny Share"
    assert (contact["email"], contact["phone"], contact["website_url"], contact["company"]) == (
        None,
        "+33 6 12 34 56 78",
        "https://www.linkedin.com/in/fanny",
        None,
    )
