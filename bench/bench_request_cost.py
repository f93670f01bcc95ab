"""Where a request's CPU goes: one route called through the whole ASGI app, in-process, one request at a time.

No network, no concurrency, no load driver: what is left is the CPU of the service itself for one request
(middleware, routing, dependencies, validation, the service, the database driver; the database server's own
work is not counted). Prints CPU and wall time per request of the no-op `GET /api/health` (the baseline,
measured in the same run), a check-in, a suggestions call, and a suggestions call asked again with the ETag
of its answer while nothing changed (304), on an event of 300 topics with `--present` people visible in one
zone, on each database. `bench_matching` gives the service calls alone (without
HTTP) and the throughput under concurrent clients.

    .venv/bin/python -m bench.bench_request_cost
    .venv/bin/python -m bench.bench_request_cost --databases postgresql --present 3000 --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import tempfile
import time
import uuid
from pathlib import Path

from api.core.config import Settings
from api.main import create_app
from bench.bench_matching import analyze, app_engine, build, migrate, scratch_database, token_for

WARM = 50  # requests before the clock: connections, statement caches, the rarity cache


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[dict, bytes]:
    """An HTTP request as uvicorn hands it to the app: its ASGI scope, and its body."""
    encoded = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    encoded += [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": encoded, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}, body  # fmt: skip


async def call(app, sent: tuple[dict, bytes], etags: dict[bytes, str] | None = None) -> int:
    """One request through the app; its status. `etags` keeps each caller's last ETag, by Authorization."""
    request_scope, body = sent
    status = 0
    delivered = False

    async def receive() -> dict:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client stays connected

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = dict(message.get("headers", []))
            if etags is not None and b"etag" in headers:
                etags[dict(request_scope["headers"])[b"authorization"]] = headers[b"etag"].decode()

    await app(request_scope, receive, send)
    return status


async def cost(
    app, requests: list[tuple[dict, bytes]], expected: int, etags: dict[bytes, str] | None = None
) -> tuple[float, float]:
    """(CPU ms, wall ms) per request, after the first WARM requests."""
    for sent in requests[:WARM]:
        await call(app, sent, etags)
    measured = requests[WARM:]
    cpu, wall = time.process_time(), time.perf_counter()
    for sent in measured:
        status = await call(app, sent, etags)
        if status != expected:
            raise SystemExit(f"{sent[0]['method']} {sent[0]['path']}: {status}, expected {expected}")
    return (time.process_time() - cpu) * 1000 / len(measured), (time.perf_counter() - wall) * 1000 / len(measured)


def run(kind: str, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    rng = random.Random(2026)
    with scratch_database(kind) as url:
        migrate(url)
        engine = app_engine(url)
        # Registered but absent people check in; the present ones ask for suggestions.
        built = build(engine, rng, args.present + args.requests + WARM, args.present, 300)
        analyze(engine)
        engine.dispose()
        secret = secrets.token_urlsafe(48)
        limit = (10**9, 60)  # one process sends everything: the rate limits are not what is measured
        settings = Settings(environment="production", database_url=url, data_dir=Path(tempfile.mkdtemp()),
                            secret_key=secret, run_scheduler_in_process=False, log_level="WARNING",
                            checkin_rate_per_ip=limit, checkin_rate_per_attendee=limit)  # fmt: skip
        app = create_app(settings)
        count = args.requests + WARM

        tokens: dict[int, str] = {}

        def auth(attendee_id: int) -> dict[str, str]:
            # One token per attendee, as a phone keeps its own: the unchanged re-asks find their ETags by it.
            if attendee_id not in tokens:
                tokens[attendee_id] = token_for(secret, attendee_id, built.event_id)
            return {"Authorization": f"Bearer {tokens[attendee_id]}"}

        noops = [request("GET", "/api/health", {})] * count
        checkins = [
            request("POST", "/api/me/check-ins", auth(a) | {"Idempotency-Key": uuid.uuid4().hex},
                  json.dumps({"token": f"http://couloir.test/z/{rng.choice(built.zone_tokens)}"}).encode())
            for a in built.absent_ids[:count]
        ]  # fmt: skip
        callers = rng.choices(built.present_ids, k=count)
        suggestions = [request("GET", "/api/me/suggestions", auth(a)) for a in callers]

        async def all_four() -> dict[str, tuple[float, float]]:
            figures = {
                "no-op GET /api/health (baseline)": await cost(app, noops, 200),
                "POST /api/me/check-ins": await cost(app, checkins, 201),
            }
            etags: dict[bytes, str] = {}
            figures["GET /api/me/suggestions"] = await cost(app, suggestions, 200, etags)
            # The same callers again, each with the ETag of the answer it got: nothing changed meanwhile.
            again = [request("GET", "/api/me/suggestions", auth(a)) for a in callers]
            for scope, _ in again:
                known = etags[dict(scope["headers"])[b"authorization"]]
                scope["headers"].append((b"if-none-match", known.encode()))
            figures["GET /api/me/suggestions, unchanged (If-None-Match: 304)"] = await cost(app, again, 304)
            return figures

        try:
            return asyncio.run(all_four())
        finally:
            app.runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--present", type=int, default=3000, help="people present and visible in the main zone")
    parser.add_argument("--requests", type=int, default=1500, help="measured requests per route")
    args = parser.parse_args()
    results = {kind: run(kind, args) for kind in args.databases.split(",")}
    print(f"\n{args.present:,} present in one zone; CPU / wall time per request, one at a time, in-process")
    print("| request | " + " | ".join(results) + " |")
    print("| --- | " + " | ".join("---" for _ in results) + " |")
    for label in next(iter(results.values())):
        cells = [f"{r[label][0]:.2f} / {r[label][1]:.2f} ms" for r in results.values()]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
