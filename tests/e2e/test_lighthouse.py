"""Lighthouse (mobile preset: a mid-range phone on slow 4G, simulated) on the production build served by
the real service. One run of the first screen a phone opens; the scores are printed (`pytest -s`)."""

import json
import os
import subprocess

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.conftest import REPO

LIGHTHOUSE = REPO / "pwa" / "node_modules" / ".bin" / "lighthouse"
MINIMUM = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0}


def run_lighthouse(url: str) -> dict:
    chrome_flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    result = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=" + ",".join(MINIMUM),
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            f"--chrome-flags={chrome_flags}",
        ],
        env=os.environ | {"CHROME_PATH": str(CHROMIUM)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def failed_audits(report: dict, category: str) -> list[str]:
    refs = report["categories"][category]["auditRefs"]
    audits = (report["audits"][ref["id"]] for ref in refs if ref["weight"] > 0)
    return [f"{a['id']}: {a['title']} ({a.get('displayValue', '')})" for a in audits if (a["score"] or 0) < 1]


def test_lighthouse_mobile_scores(playwright, app_server, event):  # playwright: skipped without Chromium
    if not LIGHTHOUSE.exists():
        pytest.fail("Lighthouse is not installed: run `npm ci` in pwa/")
    report = run_lighthouse(f"{app_server.base_url}/join/{event['join_code']}")
    assert report["configSettings"]["formFactor"] == "mobile"
    scores = {name: report["categories"][name]["score"] for name in MINIMUM}
    print("\nLighthouse (mobile):", ", ".join(f"{name} {round(score * 100)}" for name, score in scores.items()))
    for name, minimum in MINIMUM.items():
        assert scores[name] >= minimum, f"{name} {scores[name]}: {failed_audits(report, name)}"
