"""A new version is never swapped in mid-action: it waits for the person's "Reload" tap."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_LIMITS, Server, migrate, start_server
from tests.e2e.browser import PHONE, eventually


@pytest.fixture
def build(pwa_dist: Path, tmp_path: Path) -> Path:
    """A copy of the build that the test can deploy a new version into."""
    return shutil.copytree(pwa_dist, tmp_path / "dist")


@pytest.fixture
def own_server(build: Path, tmp_path: Path) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path / 'couloir.db'}"
    migrate(url)
    (tmp_path / "data").mkdir()
    yield from start_server(tmp_path / "data", url, pwa_dir=build, **TEST_LIMITS)


def test_a_new_version_waits_for_the_reload_tap(browser, build, own_server):
    context = browser.new_context(**PHONE, locale="en-US", base_url=own_server.base_url)
    page = context.new_page()
    page.goto("/join")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    # A deploy: the service worker changes. The phone finds it when the app comes back to the foreground.
    sw = build / "sw.js"
    sw.write_text(sw.read_text() + "\n// next version\n")
    page.evaluate("() => { window.beforeUpdate = true; }")
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    expect(page.get_by_text("A new version is available")).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.beforeUpdate"), "the page must not reload by itself"
    assert page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.waiting !== null)")

    page.get_by_role("button", name="Reload").click()
    page.wait_for_function("() => window.beforeUpdate === undefined")
    # wait_for_function treats a promise as truthy: poll the registration from here instead.
    eventually(lambda: page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.waiting === null)"))
    expect(page.get_by_role("heading", name="Join the event")).to_be_visible()
    expect(page.get_by_text("A new version is available")).to_be_hidden()
    context.close()
