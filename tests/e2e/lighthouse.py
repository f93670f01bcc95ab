"""Lighthouse 12 (mobile preset: a mid-range phone on slow 4G, simulated) driving Debian's Chromium.
Shared by the test, which checks what load cannot change, and bench/bench_lighthouse.py, which
prints the timed figures."""

import json
import os
import subprocess
from pathlib import Path

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[2]
LIGHTHOUSE = REPO / "pwa" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")


def run_lighthouse(url: str) -> dict:
    chrome_flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    result = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=" + ",".join(CATEGORIES),
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            f"--chrome-flags={chrome_flags}",
        ],
        env=os.environ | {"CHROME_PATH": str(CHROMIUM)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"Lighthouse failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def score(report: dict, category: str) -> float:
    return report["categories"][category]["score"]


def failed_audits(report: dict, category: str) -> list[str]:
    refs = report["categories"][category]["auditRefs"]
    audits = (report["audits"][ref["id"]] for ref in refs if ref["weight"] > 0)
    return [f"{a['id']}: {a['title']} ({a.get('displayValue', '')})" for a in audits if (a["score"] or 0) < 1]
