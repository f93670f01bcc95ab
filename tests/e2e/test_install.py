"""The install hint, both ways: Chromium's own prompt (Android), and the steps iOS Safari needs."""

from playwright.sync_api import expect

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, seed_session, wait_for_service_worker
from tests.e2e.test_quality import assert_accessible
from tests.factories import join

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_chromium_offers_its_install_prompt(playwright, app_server, event, tmp_path):
    # Chromium fires `beforeinstallprompt` for an installable app after some engagement; the flag skips the
    # wait. A persistent profile: installability is not reported in incognito-like contexts.
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, "--bypass-app-banner-engagement-checks"],
        base_url=app_server.base_url,
        locale="en-US",
        **PHONE,
    )
    seed_session(context, join(app_server, event["join_code"], name="Ivan Install")["tokens"])
    page = context.new_page()
    page.goto("/here")
    wait_for_service_worker(page)
    page.reload()  # controlled by the worker now: Chromium finds the app installable
    hint = page.get_by_role("complementary", name="Install Couloir")
    expect(hint.get_by_role("button", name="Install")).to_be_visible()
    expect(hint).to_contain_text("it opens at once, even offline")
    assert_accessible(page, "here, with the install hint")

    # "Not now" puts it away on Here for good; Settings still offers it.
    hint.get_by_role("button", name="Not now").click()
    expect(hint).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", name="Hello Ivan Install")).to_be_visible()
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(
        page.get_by_role("complementary", name="Install Couloir").get_by_role("button", name="Install")
    ).to_be_visible()
    page.get_by_role("link", name="Here", exact=True).click()
    expect(page.get_by_role("heading", name="Hello Ivan Install")).to_be_visible()
    expect(page.get_by_role("complementary", name="Install Couloir")).to_be_hidden()
    context.close()


def test_ios_safari_gets_the_add_to_home_screen_steps(browser, app_server, event):
    context = browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url, user_agent=IPHONE_SAFARI)
    seed_session(context, join(app_server, event["join_code"], name="Iris Phone")["tokens"])
    page = context.new_page()
    page.goto("/settings")
    hint = page.get_by_role("complementary", name="Install Couloir")
    expect(hint).to_contain_text("In Safari, tap Share, then “Add to Home Screen”.")
    expect(hint.get_by_role("button", name="Install")).to_have_count(0)  # iOS has no prompt to show
    assert_accessible(page, "settings, iOS install steps")
    context.close()


def test_no_hint_without_a_way_to_install(page, app_server, event):
    """A normal (incognito-like) Chromium context never gets `beforeinstallprompt`, and is not iOS."""
    seed_session(page.context, join(app_server, event["join_code"], name="Nico Plain")["tokens"])
    page.goto("/settings")
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    expect(page.get_by_role("complementary", name="Install Couloir")).to_have_count(0)
