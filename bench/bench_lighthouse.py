"""Lighthouse's performance score and timings for the join screen (the first screen a phone opens).

The production build (pwa/dist) is served by the real service on a scratch SQLite file; each round runs
Lighthouse 12 (mobile preset: simulated slow 4G and a 4x slower CPU) on the join screen, then on a
one-line HTML page served from this process: the baseline, which shows what this machine's load does to
Lighthouse alone. The test suite asserts only what load cannot change (tests/e2e/test_lighthouse.py).

    .venv/bin/python -m bench.bench_lighthouse [--rounds 3]
"""

import argparse
import statistics
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import TEST_LIMITS, migrate, start_server
from tests.e2e.conftest import PWA_DIST
from tests.e2e.lighthouse import run_lighthouse, score
from tests.factories import create_event, organizer_token

METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "speed-index": "SI",
}
BASELINE_PAGE = b"<!doctype html><html lang=en><title>baseline</title><p>Hello, hallway."


class _Baseline(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(BASELINE_PAGE)))
        self.end_headers()
        self.wfile.write(BASELINE_PAGE)

    def log_message(self, *args) -> None:
        pass


def figures(report: dict) -> dict[str, float]:
    out = {"score": score(report, "performance") * 100}
    for audit, name in METRICS.items():
        out[name] = report["audits"][audit]["numericValue"]
    return out


def summary(label: str, rounds: list[dict[str, float]]) -> str:
    parts = [f"performance {statistics.median(r['score'] for r in rounds):.0f}"]
    parts += [f"{name} {statistics.median(r[name] for r in rounds):.0f} ms" for name in METRICS.values()]
    scores = ", ".join(f"{r['score']:.0f}" for r in rounds)
    return f"{label:<22} median of {len(rounds)}: " + ", ".join(parts) + f" (scores: {scores})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not (PWA_DIST / "index.html").exists():
        raise SystemExit("pwa/dist is not built: run `make pwa`")
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'couloir.db'}"
        migrate(url)
        servers = start_server(Path(scratch), url, pwa_dir=PWA_DIST, log_level="WARNING", **TEST_LIMITS)
        app = next(servers)
        baseline = ThreadingHTTPServer(("127.0.0.1", 0), _Baseline)
        threading.Thread(target=baseline.serve_forever, daemon=True).start()
        try:
            event = create_event(app, organizer_token(app))
            join_url = f"{app.base_url}/join/{event['join_code']}"
            baseline_url = f"http://127.0.0.1:{baseline.server_address[1]}/"
            app_rounds, baseline_rounds = [], []
            for round_number in range(1, args.rounds + 1):
                app_rounds.append(figures(run_lighthouse(join_url)))
                baseline_rounds.append(figures(run_lighthouse(baseline_url)))
                print(f"round {round_number}: join screen {app_rounds[-1]}, baseline {baseline_rounds[-1]}")
            print(summary("join screen", app_rounds))
            print(summary("baseline (one line)", baseline_rounds))
        finally:
            baseline.shutdown()
            servers.close()


if __name__ == "__main__":
    main()
