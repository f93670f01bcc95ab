"""Lighthouse on the production build served by the real service, on the first screen a phone opens.
Only what a busy machine cannot change is asserted: the accessibility and best-practices audits, no
render-blocking request but the app's own stylesheet, and which scripts load and how many bytes they
weigh. The performance score and its timings depend on the machine's load:
`python -m bench.bench_lighthouse` prints them."""

import gzip
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import PWA_DIST
from tests.e2e.lighthouse import LIGHTHOUSE, failed_audits, run_lighthouse, score
from tests.factories import create_event, organizer_token

# The build's own budget (pwa/scripts/size.mjs): what the first screen may download, gzipped.
INITIAL_JS_BUDGET = 50 * 1024


@pytest.fixture(scope="module")
def report(playwright, app_server) -> dict:  # playwright: skipped without Chromium
    if not LIGHTHOUSE.exists():
        pytest.fail("Lighthouse is not installed: run `npm ci` in pwa/")
    event = create_event(app_server, organizer_token(app_server))
    return run_lighthouse(f"{app_server.base_url}/join/{event['join_code']}")


def test_the_join_screen_is_accessible_and_follows_best_practices(report):
    assert report["configSettings"]["formFactor"] == "mobile"
    for category in ("accessibility", "best-practices"):
        assert score(report, category) == 1, failed_audits(report, category)


def test_only_the_apps_own_stylesheet_blocks_the_first_render(page, app_server):
    # Lighthouse's render-blocking audit errors on this Chromium (a trace it cannot read): the browser's
    # own resource timing tells which requests held the first render.
    page.goto("/join")
    page.wait_for_load_state("load")
    blocking = page.evaluate(
        """() => performance.getEntriesByType("resource")
            .filter(entry => entry.renderBlockingStatus === "blocking").map(entry => entry.name)"""
    )
    stylesheets = [f"/assets/{css.name}" for css in (PWA_DIST / "assets").glob("index-*.css")]
    assert [urlsplit(url).path for url in blocking] == stylesheets
    assert all(url.startswith(app_server.base_url) for url in blocking)


def test_the_join_screen_loads_only_its_initial_scripts_within_budget(report):
    scripts = [
        urlsplit(item["url"]).path
        for item in report["audits"]["network-requests"]["details"]["items"]
        if item.get("resourceType") == "Script"
    ]
    assert scripts, "no script was loaded"
    # Lazily loaded screens (the QR decoder, the organizer console) stay out of the first load.
    assert not [path for path in scripts if "jsQR" in path or "organizer" in path.lower()], scripts
    gzipped = sum(len(gzip.compress((PWA_DIST / path.lstrip("/")).read_bytes(), 9)) for path in set(scripts))
    assert gzipped <= INITIAL_JS_BUDGET, f"{gzipped} bytes gzipped: {scripts}"
