"""Ranking a break's crowd in memory (api/matching/crowd.py), next to scoring everyone who shares a topic.

Builds, in this process and without a database, the crowd of a 10,000-attendee break: 12 zones (the
coffee bars draw most people, as in bench_break), 300 topics of which a few are followed by many (as in
bench_matching), 8 to 12 interests each, weights as the service gives them (rarity). For callers drawn
from the crowd, ranks their zone then the next one with `Crowd.rank`, then with the reference: score
everyone sharing a topic and sort. Prints the CPU per ranking of each and checks they agree.

    .venv/bin/python -m bench.bench_crowd
    .venv/bin/python -m bench.bench_crowd --attendees 3000 --callers 200
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import Counter, namedtuple
from datetime import timedelta

from api.core.db import utcnow
from api.matching.crowd import Crowd

ZONES = 12
ZONE_WEIGHTS = [6, 4, 3] + [1] * (ZONES - 3)
Row = namedtuple("Row", "zone_id expires_at traits topic_id")
Person = namedtuple("Person", "zone traits topics")


def bonus(attendee_id: int, traits: int) -> float:
    """Stands in for the service's goals, open-to-chat and speaker bonus: up to 4.5, by traits."""
    return (2.0 if traits & 3 else 0.0) + (2.0 if traits & 8 else 0.0) + (0.5 if traits & 4 else 0.0)


def everyone_scored(people: dict[int, Person], zone_ids: list[int], weights: dict[int, float], me: int, limit: int):
    """The reference: everyone sharing a topic, scored and sorted; my zone's best, then the others'."""
    best = []
    for zones in (zone_ids[:1], zone_ids[1:]):
        scored = [
            (-(sum(weights.get(t, 0.0) for t in person.topics) + bonus(a, person.traits)), a)
            for a, person in people.items()
            if person.zone in zones and a != me and weights.keys() & person.topics
        ]
        best += sorted(scored)[: limit - len(best)]
    return [(a, -score) for score, a in best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--topics", type=int, default=300)
    parser.add_argument("--callers", type=int, default=400)
    parser.add_argument("--limit", type=int, default=5)
    args = parser.parse_args()

    rng = random.Random(2026)
    topics = list(range(args.topics))
    popularity = [1 / (rank + 1) ** 0.8 for rank in topics]
    people = {
        a: Person(
            rng.choices(range(ZONES), ZONE_WEIGHTS)[0],
            rng.randrange(16),
            frozenset(rng.choices(topics, popularity, k=rng.randint(8, 12))),
        )
        for a in range(1, args.attendees + 1)
    }
    followers = Counter(t for person in people.values() for t in person.topics)
    crowd, ends = Crowd(), utcnow() + timedelta(minutes=20)
    for a, person in people.items():
        crowd._place(a, [Row(person.zone, ends, person.traits, t) for t in sorted(person.topics)])

    def ask(me: int) -> tuple[list[int], dict[int, float]]:
        person = people[me]
        weights = {t: math.log((1 + args.attendees) / (1 + followers[t])) + 1 for t in person.topics}
        return [person.zone, (person.zone + 1) % ZONES], weights

    callers = rng.sample(sorted(people), args.callers)
    asked = [(me, *ask(me)) for me in callers]
    started = time.process_time()
    ranked = [
        crowd.rank(zone_ids=zones, weights=weights, excluded={me}, bonus=bonus, max_bonus=4.5, limit=args.limit)[0]
        for me, zones, weights in asked
    ]
    crowd_ms = (time.process_time() - started) * 1000 / len(asked)
    started = time.process_time()
    reference = [everyone_scored(people, zones, weights, me, args.limit) for me, zones, weights in asked]
    reference_ms = (time.process_time() - started) * 1000 / len(asked)
    agree = sum(
        [(r.attendee_id, round(r.score, 9)) for r in mine] == [(a, round(s, 9)) for a, s in theirs]
        for mine, theirs in zip(ranked, reference, strict=True)
    )
    busiest = Counter(person.zone for person in people.values()).most_common(1)[0][1]
    print(f"{args.attendees:,} present in {ZONES} zones (the busiest: {busiest:,}), {args.topics} topics, "
          f"{len(asked)} callers, best {args.limit} of their zone then the next")  # fmt: skip
    print("| ranking | CPU per call |")
    print("| --- | --- |")
    print(f"| Crowd.rank | {crowd_ms:.3f} ms |")
    print(f"| scoring everyone who shares a topic, then sorting (reference) | {reference_ms:.3f} ms |")
    print(f"same people, same order: {agree} of {len(asked)}")
    raise SystemExit(0 if agree == len(asked) else 1)


if __name__ == "__main__":
    main()
