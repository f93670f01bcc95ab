"""End to end: the built PWA served by the real service, driven in Debian's Chromium by Playwright at a
phone's size. Skipped only when Chromium is absent (`scripts/install-browser.sh` installs it)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import TEST_LIMITS, Server, migrate, start_server
from tests.e2e.browser import CHROMIUM, PATIENCE_MS, PHONE, launch
from tests.factories import add_topics, create_event, organizer_token

REPO = Path(__file__).resolve().parents[2]
PWA_DIST = REPO / "pwa" / "dist"
TOPICS = {
    "Kubernetes": ["k8s", "kube"],
    "Observability": ["o11y", "observabilité"],
    "FinOps": ["cloud costs"],
    "eBPF": ["bpf"],
}


@pytest.fixture(scope="session")
def pwa_dist() -> Path:
    if not (PWA_DIST / "index.html").exists():
        pytest.fail("pwa/dist is not built: run `npm ci && npm run build` in pwa/")
    return PWA_DIST


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, pwa_dist: Path) -> Iterator[Server]:
    """The real service on SQLite, serving the production build of the app."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'couloir.db'}"
    migrate(url)
    yield from start_server(tmp_path_factory.mktemp("e2e-data"), url, pwa_dir=pwa_dist, **TEST_LIMITS)


# Package scope: Playwright's sync API keeps an event loop running on the main thread while it lives,
# which would break asyncio.run() in the tests that come after the browser ones.
@pytest.fixture(scope="package")
def playwright():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: scripts/install-browser.sh installs it")
    from playwright.sync_api import expect, sync_playwright

    # A wait ends as soon as its condition holds: generous bounds cost nothing on a quiet machine and
    # keep a busy one (CI shares its cores) from failing a test that would have passed a moment later.
    expect.set_options(timeout=PATIENCE_MS)
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright):
    browser = launch(playwright)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser, app_server: Server):
    """A fresh phone (its own storage and service worker) in English."""
    context = browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url)
    yield context
    context.close()


@pytest.fixture
def page(phone):
    """A tab on that phone; the strict Content-Security-Policy must never block anything of ours."""
    page = phone.new_page()
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield page
    assert blocked == []


def at(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def event(app_server: Server) -> dict:
    """A running event with topics, a talk on now, a break starting in 12 minutes and another later."""
    token = organizer_token(app_server)
    event = create_event(app_server, token)
    event["topic_ids"] = add_topics(app_server, token, event["id"], TOPICS)
    event["organizer_token"] = token
    with app_server.client(token) as client:
        for path, body in [
            ("talks", {"title": "eBPF in production", "room": "Salle A", "starts_at": at(-20), "ends_at": at(11.9)}),
            (
                "talks",
                {"title": "FinOps for platform teams", "room": "Salle B", "starts_at": at(45), "ends_at": at(90)},
            ),
            # 12 minutes minus a few seconds: the screen says 12 for the next 55 s.
            ("breaks", {"label": "Coffee", "starts_at": at(11.9), "ends_at": at(44)}),
            ("breaks", {"label": "Lunch", "starts_at": at(90), "ends_at": at(150)}),
        ]:
            response = client.post(f"/api/events/{event['id']}/{path}", json=body)
            assert response.status_code == 201, response.text
    return event
