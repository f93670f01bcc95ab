"""Installable, accessible: the checks a store review or Lighthouse would make, on the production build."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, PHONE


def test_the_app_is_installable(playwright, app_server, tmp_path):
    # Installability is not reported in incognito-like contexts: a persistent profile is needed.
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        base_url=app_server.base_url,
        **PHONE,
    )
    page = context.new_page()
    page.goto("/join")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    context.close()


def assert_accessible(page, screen: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{screen}: {results.generate_report()}"


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_main_screens_have_no_accessibility_violations(browser, app_server, event, color_scheme):
    context = browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url, color_scheme=color_scheme)
    page = context.new_page()
    page.goto(f"/join/{event['join_code']}")
    expect(page.get_by_role("heading", name="Join the event")).to_be_visible()
    assert_accessible(page, "join")

    page.get_by_label("Your name").fill("Axe Tester")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("button", name="Kubernetes")).to_be_visible()
    page.get_by_role("button", name="Kubernetes").click()
    assert_accessible(page, "onboarding")
    page.get_by_role("button", name="Continue").click()

    for tab, heading in [
        ("Here", "Hello Axe Tester"),
        ("Agenda", "Agenda"),
        ("Scan", "Scan"),
        ("My code", "My code"),  # from the Scan screen: the other side of an exchange
        ("Contacts", "Contacts"),
        ("Settings", "Settings"),
    ]:
        page.get_by_role("link", name=tab, exact=True).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert_accessible(page, tab)

    page.get_by_role("button", name="Delete my account").click()
    assert_accessible(page, "delete confirmation")

    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page, "login")
    context.close()


def test_join_screen_in_french_is_accessible_too(browser, app_server, event):
    context = browser.new_context(**PHONE, locale="fr-FR", base_url=app_server.base_url)
    page = context.new_page()
    page.goto(f"/join/{event['join_code']}")
    expect(page.get_by_role("heading", name="Rejoindre l'événement")).to_be_visible()
    assert_accessible(page, "join (fr)")
    context.close()
