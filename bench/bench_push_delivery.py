"""Benchmark Web Push delivery against the real test receiver.

Delivers N encrypted, VAPID-signed pushes to N subscriptions with `deliver()`, checks that every
one arrived decrypted and intact, and, as the in-run baseline, POSTs N unencrypted bodies of the
same size to the same receiver at the same concurrency through the same client layout. The
receiver runs in its own process so that its verifying and decrypting does not share the
sender's GIL.

    cd /work/main && .venv/bin/python -m bench.bench_push_delivery [--count N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from api.push.webpush import (
    PushMessage,
    _ClientLanes,
    deliver,
    load_or_create_vapid_keys,
    make_topic,
)
from tests.push_receiver import SINK_PATH, PushReceiver

SUBJECT = "mailto:bench@couloir.example"
AES128GCM_OVERHEAD = 86 + 1 + 16  # header with sender key, padding delimiter, tag


def payload(i: int) -> dict[str, Any]:
    """A realistic contact-request notification."""
    return {
        "kind": "contact_request",
        "id": f"cr_{i:08d}",
        "title": "Ada Lovelace wants to connect",
        "body": "Met at the coffee stand after the keynote on analytical engines.",
        "url": f"/contacts/requests/cr_{i:08d}",
        "event": "pycon-2026",
    }


def serve(conn: Connection, application_server_key: str, count: int) -> None:
    """Receiver process: hands out subscriptions, then reports what arrived."""
    with PushReceiver(application_server_key=application_server_key) as receiver:
        conn.send((receiver.origin, [receiver.new_subscription() for _ in range(count)]))
        conn.recv()  # the sender is done
        received = [(push.endpoint, push.payload) for push in receiver.received]
        conn.send((received, receiver.rejections, receiver.sink_posts))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile_ms(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


async def measure(label: str, count: int, run: Callable[[], Awaitable[list[float]]]) -> float:
    """Run, print throughput, latency and sender CPU; return the wall time."""
    cpu, started = cpu_seconds(), time.perf_counter()
    latencies = await run()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(
        f"{label:<30} {count / seconds:6.0f} msg/s   p50 {percentile_ms(latencies, 50):6.1f} ms"
        f"   p95 {percentile_ms(latencies, 95):6.1f} ms   {seconds:5.2f} s"
        f"   sender CPU {cpu / count * 1e6:5.0f} us/msg"
    )
    return seconds


async def plain_posts(url: str, body: bytes, count: int, concurrency: int) -> list[float]:
    """Unencrypted, unsigned POSTs with the same bound and clients as deliver()."""
    slots = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    async with _ClientLanes.open(concurrency) as lanes:

        async def one() -> None:
            async with slots:
                started = time.perf_counter()
                with lanes.lease() as client:
                    response = await client.post(
                        url, content=body, headers={"Content-Type": "application/octet-stream"}
                    )
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        async with asyncio.TaskGroup() as group:
            for _ in range(count):
                group.create_task(one())
    return latencies


async def bench(
    origin: str, subscriptions: list[dict[str, Any]], keys_dir: Path, concurrency: int
) -> list[PushMessage]:
    keys = load_or_create_vapid_keys(keys_dir)
    messages = [
        PushMessage(
            endpoint=sub["endpoint"],
            p256dh=sub["keys"]["p256dh"],
            auth=sub["keys"]["auth"],
            payload=payload(i),
            ttl=3600,
            topic=make_topic(f"contact-request:{i}"),
            ref=i,
        )
        for i, sub in enumerate(subscriptions)
    ]
    count = len(messages)
    body_size = len(messages[0].plaintext) + AES128GCM_OVERHEAD
    print(f"{count} messages, {len(messages[0].plaintext)} B JSON -> {body_size} B body, concurrency {concurrency}")

    async def pushes() -> list[float]:
        outcomes = await deliver(messages, keys=keys, subject=SUBJECT, concurrency=concurrency)
        failed = [o for o in outcomes if o.status != "delivered"]
        if failed:
            raise SystemExit(f"{len(failed)} pushes not delivered, e.g. {failed[0]}")
        return [o.elapsed for o in outcomes]

    push_seconds = await measure("web push (aes128gcm + VAPID)", count, pushes)
    plain_seconds = await measure(
        "baseline: plain POST",
        count,
        lambda: plain_posts(origin + SINK_PATH, b"\0" * body_size, count, concurrency),
    )
    print(f"web push runs at {plain_seconds / push_seconds:.0%} of plain-POST throughput")
    return messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as keys_dir:
        application_server_key = load_or_create_vapid_keys(Path(keys_dir)).public_key
        ours, theirs = multiprocessing.Pipe()
        receiver = multiprocessing.Process(target=serve, args=(theirs, application_server_key, args.count))
        receiver.start()
        try:
            started = time.perf_counter()
            origin, subscriptions = ours.recv()
            print(f"receiver made {args.count} subscriptions in {time.perf_counter() - started:.2f} s")
            messages = asyncio.run(bench(origin, subscriptions, Path(keys_dir), args.concurrency))
            ours.send("done")
            received, rejections, sink_posts = ours.recv()
        finally:
            receiver.join(timeout=10)

    sent = {m.endpoint: m.payload for m in messages}
    if rejections or sink_posts != args.count or dict(received) != sent:
        raise SystemExit(f"receiver disagrees: {len(received)} pushes, {rejections[:3]}")
    print(f"receiver: all {len(received)} pushes verified and decrypted to the sent payload")


if __name__ == "__main__":
    main()
