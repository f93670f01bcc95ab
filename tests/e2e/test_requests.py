"""Contact requests, end to end: a person asked by a stranger declines and blocks them from the request."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import PHONE, eventually, seed_session
from tests.e2e.test_first_exchange import ask
from tests.e2e.test_quality import assert_accessible
from tests.factories import join, new_key


def blocks_of(app_server, person: dict) -> list[str]:
    with app_server.client(person["tokens"]["access_token"]) as client:
        return [b["attendee"]["display_name"] for b in client.get("/api/me/blocks").json()]


@pytest.mark.parametrize(
    ("locale", "button"), [("en-US", "Decline and block Sam Spam"), ("fr-FR", "Refuser et bloquer Sam Spam")]
)
def test_decline_and_block_from_the_request(browser, app_server, event, locale, button):
    ann = join(app_server, event["join_code"], name="Ann Asked")
    sam = join(app_server, event["join_code"], name="Sam Spam")
    ask(app_server, event, sam, ann)  # a stranger met at the coffee bar: the visibility rule lets him ask
    context = browser.new_context(**PHONE, locale=locale, base_url=app_server.base_url)
    try:
        seed_session(context, ann["tokens"])
        page = context.new_page()
        page.goto("/contacts")
        request = page.get_by_role("listitem").filter(has_text="Sam Spam")
        expect(request.get_by_role("button", name=button)).to_have_text(button.removesuffix(" Sam Spam"))
        assert_accessible(page, f"contact request ({locale})")
        request.get_by_role("button", name=button).click()
        expect(page.get_by_text("Sam Spam")).to_be_hidden()
        assert eventually(lambda: blocks_of(app_server, ann)) == ["Sam Spam"]
        page.reload()  # answered on the server: it does not come back
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_text("Sam Spam")).to_be_hidden()
    finally:
        context.close()
    with app_server.client(sam["tokens"]["access_token"]) as client:  # Sam cannot ask again
        again = client.post(
            "/api/contact-requests",
            json={"to_attendee_id": ann["attendee"]["id"]},
            headers={"Idempotency-Key": new_key()},
        )
    assert again.status_code == 404
