"""Check-in throughput of this working tree against a baseline revision, side by side, on PostgreSQL.

On a shared 2-core machine one throughput figure moves by tens of percent from one minute to the next, so
two versions measured in separate runs of bench_matching compare the machine's moods as much as the code.
Here both versions serve at once, each its own `couloir serve` on one scratch database (the baseline's
`api/` taken from git into a temporary folder, first on the server's PYTHONPATH), and each round measures
the no-op `GET /api/health` then check-ins (new people, each once) on one, then on the other, in an order
that alternates from round to round. Prints every round's figures, then per version the median ratio
check-in ÷ no-op and CPU per check-in (server and PostgreSQL), the figure that moves least.

Even so, one slot may fare better than the other whatever it runs: run it twice, the second time with --swap,
and read the two together. (The server whose check-ins ran first lost by 11 to 14 points until the groups'
connection stopped planning sequential scans: see `check_in_engine`.)

    .venv/bin/python -m bench.bench_ab --baseline HEAD~1
    .venv/bin/python -m bench.bench_ab --baseline HEAD~1 --swap
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import bench_matching as bm


@dataclass
class Version:
    name: str
    base: str
    ratios: dict[int, list[float]] = field(default_factory=dict)
    cpu: dict[int, list[float]] = field(default_factory=dict)


@contextmanager
def baseline_tree(revision: str) -> Iterator[Path]:
    """The baseline's `api/` package, extracted from git into a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "archive", revision, "api"], cwd=bm.ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        # Compiled before its server starts, as the working tree's is: else compiling it on a loaded machine
        # could outlast the server's start-up deadline.
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True)
        yield Path(folder)


@contextmanager
def server_importing(tree: Path | None, url: str, secret: str, workers: int) -> Iterator[str]:
    """`couloir serve` importing `api` from `tree` (the working tree's when None). Its worker processes start
    with their parent's import path."""
    with ExitStack() as stack:
        before = os.environ.get("PYTHONPATH")
        if tree is not None:
            os.environ["PYTHONPATH"] = str(tree)
        try:
            base = stack.enter_context(bm.api_server(url, secret, workers))
        finally:
            if before is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = before
        yield base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="git revision to compare the working tree with")
    parser.add_argument("--swap", action="store_true", help="start the working tree's server first")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--checkins", type=int, default=3_000, help="check-ins (and no-ops) per measure")
    parser.add_argument("--concurrency", default="16,64", help="comma-separated: keep-alive clients")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="couloir serve --workers")
    args = parser.parse_args()
    concurrencies = [int(clients) for clients in args.concurrency.split(",")]

    rng = random.Random(2026)
    with bm.scratch_database("postgresql") as url, baseline_tree(args.baseline) as tree, ExitStack() as servers:
        bm.migrate(url)
        engine = bm.app_engine(url)
        built = bm.build(engine, rng, 7_000, 5_000, 300)
        needed = 2 * len(concurrencies) * args.rounds * args.checkins
        people = iter(bm.add_absent(engine, rng, built, needed, "ab"))
        engine.dispose()

        secret = secrets.token_urlsafe(48)
        slots = [(f"baseline {args.baseline}", tree), ("working tree", None)]
        versions = [
            Version(name, servers.enter_context(server_importing(path, url, secret, args.workers)))
            for name, path in (reversed(slots) if args.swap else slots)
        ]
        for clients in concurrencies:
            for n in range(args.rounds):
                for version in versions if n % 2 == 0 else reversed(versions):
                    noops = [("GET", "/api/health", None, {})] * args.checkins
                    attendee_ids = [next(people) for _ in range(args.checkins)]
                    checkins = bm.checkin_requests(version.base, secret, built, attendee_ids, rng)
                    if n == 0:
                        asyncio.run(bm.throughput(version.base, noops[:200], clients))  # warm
                    # Listed afresh: a server's groups open their PostgreSQL connection with its first check-in.
                    serving = bm.serving_processes(version.base)
                    noop, _ = bm.throughput_and_cpu(version.base, noops, clients, serving)
                    checkin, cpu = bm.throughput_and_cpu(version.base, checkins, clients, serving)
                    version.ratios.setdefault(clients, []).append(checkin / noop)
                    version.cpu.setdefault(clients, []).append(cpu)
                    print(f"  {clients} clients, round {n + 1}, {version.name}: no-op {noop:,.0f} req/s, "
                          f"check-ins {checkin:,.0f} req/s ({checkin / noop:.0%}), {cpu:.2f} ms CPU per check-in",
                          flush=True)  # fmt: skip
        print("\n| version | clients | check-in ÷ no-op, median (range) | CPU per check-in, median |")
        print("| --- | --- | --- | --- |")
        for clients in concurrencies:
            for version in versions:
                ratios = version.ratios[clients]
                print(f"| {version.name} | {clients} | {bm.rate_range(ratios, '{:.0%}')} | "
                      f"{statistics.median(version.cpu[clients]):.2f} ms |")  # fmt: skip


if __name__ == "__main__":
    main()
