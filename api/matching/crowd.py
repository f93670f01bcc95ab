"""Who is present where, and on which topics: PresenceTopic mirrored in each API process's memory.

Ranking the crowd of a zone in SQL read every shared-topic row of everyone present there on every call
(thousands of rows at a busy coffee bar, most of a break's database time). Here the process reads the
present people's topics once, then, at each call, only the attendees marked in PresenceChange since its
last look (usually none or a few), so every replica sees every check-in, move, departure and profile
change committed before the call. Ranking then runs on in-memory sets.

Expired presences are dropped as their time passes, so the sets hold only the people present now.
"""

import heapq
import threading
import weakref
from bisect import insort
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import repeat
from typing import Any

from sqlalchemy import BigInteger, Integer, Row, TextualSelect, bindparam, text
from sqlalchemy.engine import Connection, Engine

from api.attendees.visibility import counted
from api.core.db import UTCDateTime
from api.core.privacy import MIN_SHOWN_COUNT
from api.presence.models import CHANGE_HORIZON


@dataclass(frozen=True)
class _Placed:
    """One present attendee: every current topic row of theirs has the same zone, end and traits."""

    zone_id: int
    expires: float  # a POSIX timestamp
    traits: int
    topic_ids: tuple[int, ...]


# A person's score adds floats in another order than the weight of the topics left: equal sums may differ
# by this much, and a tie must not stop the ranking before someone with a lower id is met.
_ROUNDING = 1e-9


@dataclass(frozen=True)
class Ranked:
    attendee_id: int
    zone_id: int
    score: float


_COLUMNS = {
    "horizon": BigInteger,
    "attendee_id": Integer,
    "topic_id": Integer,
    "zone_id": Integer,
    "expires_at": UTCDateTime,
    "traits": Integer,
}


@cache
def _statements(dialect: str) -> tuple[TextualSelect, TextualSelect]:
    # The horizon comes in a row of its own, from the statement that reads the rows: one snapshot.
    horizon = (
        f"SELECT {CHANGE_HORIZON[dialect]} AS horizon, CAST(NULL AS INTEGER) AS attendee_id, "
        "CAST(NULL AS INTEGER) AS topic_id, CAST(NULL AS INTEGER) AS zone_id, "
        "CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS expires_at, CAST(NULL AS INTEGER) AS traits"
    )
    everyone = text(
        f"""{horizon}
        UNION ALL
        SELECT NULL, attendee_id, topic_id, zone_id, expires_at, traits FROM presence_topic WHERE expires_at > :now"""
    )
    # Every changed attendee comes back once with no topic, then with their current topics if any (none once
    # they left, hid or were erased). IN rather than a join: SQLite would build a Bloom filter of all of
    # presence_topic on every call. On PostgreSQL, = ANY(ARRAY(...)): the changed ids are unknown when the
    # plan is made, so it always looks them up by key. IN let the plan follow statistics that a break
    # outdates within minutes (these tables go from empty to one row per person present): planned on an
    # empty presence_change, it hashed it and read all of presence_topic on every call.
    changed_ids = "SELECT attendee_id FROM presence_change WHERE changed >= :since"
    wanted = f"= ANY(ARRAY({changed_ids}))" if dialect == "postgresql" else f"IN ({changed_ids})"
    changed = text(
        f"""{horizon}
        UNION ALL
        SELECT NULL, attendee_id, NULL, NULL, NULL, NULL FROM presence_change WHERE changed >= :since
        UNION ALL
        SELECT NULL, attendee_id, topic_id, zone_id, expires_at, traits FROM presence_topic
        WHERE attendee_id {wanted} AND expires_at > :now"""
    )
    now = bindparam("now", type_=UTCDateTime)
    return (
        everyone.bindparams(now).columns(**_COLUMNS),
        changed.bindparams(now, bindparam("since", type_=BigInteger)).columns(**_COLUMNS),
    )


class Crowd:
    """The present people of every event on one database, as this process last read them."""

    def __init__(self) -> None:
        # Threads of one process share it: reading the changes and ranking both hold the lock, so changes
        # are applied in the order they were read and a ranking never sees half of them.
        self._lock = threading.Lock()
        self._since: int | None = None
        self._placed: dict[int, _Placed] = {}
        self._people: dict[int, dict[int, set[int]]] = {}  # zone id -> topic id -> attendee ids
        # The same, of the people who count in attendees' figures (api/attendees/visibility.py): huddles and
        # "where to go" count these, while suggestions rank everyone present.
        self._counted: dict[int, dict[int, set[int]]] = {}
        self._ends: list[tuple[float, int]] = []  # (expires, attendee id), a heap: who to drop when
        self._reads_started = 0
        self._last_read = 0  # the number of the last read that completed (0: none since the last forget)
        # A zone's version changes whenever someone arrives there, leaves, or is placed again (marked changed):
        # an answer computed from the same versions of the zones it read is the same answer (matching.service).
        self._changes = 0
        self._versions: dict[int, int] = {}
        self._cleared = 0  # the version of every zone not changed since the crowd was last emptied

    def sync(self, connection: Connection, now: datetime) -> None:
        """Catch up with what was committed until now (by any process), and drop the presences that ended."""
        arrived = self._reads_started
        with self._lock:
            # Threads that waited here while a read ran share the next one: a read that started after a
            # call arrived has seen everything committed before it, which is all the call needs.
            if self._last_read <= arrived:
                self._reads_started += 1
                number = self._reads_started
                self._read(connection, now)
                self._last_read = number
            self._drop_ended(now.timestamp())

    def _read(self, connection: Connection, now: datetime) -> None:
        everyone, changed = _statements(connection.dialect.name)
        if self._since is None:
            rows = connection.execute(everyone, {"now": now}).all()
        else:
            rows = connection.execute(changed, {"now": now, "since": self._since}).all()
            if _horizon(rows) < self._since:  # the database was replaced under this engine
                self._clear()
                rows = connection.execute(everyone, {"now": now}).all()
        fresh: dict[int, list[Row[Any]]] = {}
        for row in rows:
            if row.attendee_id is not None:
                topics = fresh.setdefault(row.attendee_id, [])
                if row.topic_id is not None:
                    topics.append(row)
        for attendee_id, topic_rows in fresh.items():
            self._place(attendee_id, topic_rows)
        self._since = _horizon(rows)

    def forget(self) -> None:
        """Read everyone afresh at the next sync: for tables emptied without marks (the tests' wipe)."""
        with self._lock:
            self._clear()
            self._since = None
            self._last_read = 0

    def _clear(self) -> None:
        self._placed.clear()
        self._people.clear()
        self._counted.clear()
        self._ends.clear()
        self._changes += 1
        self._cleared = self._changes
        self._versions.clear()

    def versions(self, zone_ids: list[int]) -> list[int]:
        """The zones' versions now: each changes whenever the people placed there do."""
        with self._lock:
            return [self._versions.get(zone_id, self._cleared) for zone_id in zone_ids]

    def _changed(self, zone_id: int) -> None:
        self._changes += 1
        self._versions[zone_id] = self._changes

    def _place(self, attendee_id: int, topic_rows: list[Row[Any]]) -> None:
        old = self._placed.pop(attendee_id, None)
        if old is not None:
            self._changed(old.zone_id)
            for index in self._indexes(old):
                zone = index[old.zone_id]
                for topic_id in old.topic_ids:
                    zone[topic_id].discard(attendee_id)
        if not topic_rows:
            return
        first = topic_rows[0]
        placed = _Placed(
            first.zone_id, first.expires_at.timestamp(), first.traits, tuple(r.topic_id for r in topic_rows)
        )
        self._placed[attendee_id] = placed
        self._changed(placed.zone_id)
        for index in self._indexes(placed):
            zone = index.setdefault(placed.zone_id, {})
            for topic_id in placed.topic_ids:
                zone.setdefault(topic_id, set()).add(attendee_id)
        heapq.heappush(self._ends, (placed.expires, attendee_id))

    def _indexes(self, placed: _Placed) -> list[dict[int, dict[int, set[int]]]]:
        return [self._people, self._counted] if counted(placed.traits) else [self._people]

    def _drop_ended(self, now: float) -> None:
        ends = self._ends
        while ends and ends[0][0] <= now:
            expires, attendee_id = heapq.heappop(ends)
            placed = self._placed.get(attendee_id)
            if placed is not None and placed.expires == expires:  # not moved or renewed since
                self._place(attendee_id, [])

    def rank(
        self,
        *,
        zone_ids: list[int],
        weights: dict[int, float],
        excluded: set[int],
        bonus: Callable[[int, int], float],
        max_bonus: float,
        limit: int,
        ranked_already: Set[int] = frozenset(),
    ) -> tuple[list[Ranked], list[tuple[int, int, int]]]:
        """The best `limit` people sharing a topic of `weights` (topic id -> weight), the first zone's
        before the others'; and the (zone id, topic id, people) groups of at least three people who count in
        attendees' figures.

        A person's score is the sum of the weights of the topics they share plus `bonus(attendee id,
        traits)`, which is at most `max_bonus`. Ties go to the lower attendee id. `excluded` people
        neither rank nor count; `ranked_already` people count but are not ranked again.
        """
        groups: list[tuple[int, int, int]] = []
        heaviest_first = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
        with self._lock:
            zones = [self._people.get(zone_id, {}) for zone_id in zone_ids]
            for zone_id in zone_ids:
                people = self._counted.get(zone_id, {})
                for topic_id in weights:
                    followers = people.get(topic_id)
                    if followers:
                        count = len(followers) - len(excluded.intersection(followers))
                        if count >= MIN_SHOWN_COUNT:
                            groups.append((zone_id, topic_id, count))
            skipped = excluded | ranked_already
            best = self._best(zones[:1], heaviest_first, weights, skipped, bonus, max_bonus, limit) if limit > 0 else []
            if len(best) < limit:
                best += self._best(zones[1:], heaviest_first, weights, skipped, bonus, max_bonus, limit - len(best))
        return best, groups

    def _best(
        self,
        zones: list[dict[int, set[int]]],
        heaviest_first: list[tuple[int, float]],
        weights: dict[int, float],
        excluded: set[int],
        bonus: Callable[[int, int], float],
        max_bonus: float,
        limit: int,
    ) -> list[Ranked]:
        # Topics heaviest first: someone first met at a topic shares none of the heavier ones, so scores at
        # most the weight of the topics left plus max_bonus. Once the last kept score beats that, nobody not
        # met yet can enter the best, and the light topics that most people follow (the longest lists) are
        # never read.
        kept: list[tuple[float, int]] = []  # (-score, attendee id), best first
        met = set(excluded)
        left = sum(weights.values())
        weight_of, none = weights.get, repeat(0.0)
        for topic_id, weight in heaviest_first:
            if len(kept) == limit and -kept[-1][0] > left + max_bonus + _ROUNDING:
                break
            left -= weight
            for people in zones:
                followers = people.get(topic_id)
                if not followers:
                    continue
                new = followers - met
                met |= new
                for attendee_id in new:
                    placed = self._placed[attendee_id]
                    shared = sum(map(weight_of, placed.topic_ids, none))
                    if len(kept) < limit:
                        insort(kept, (-shared - bonus(attendee_id, placed.traits), attendee_id))
                    elif shared + max_bonus + _ROUNDING >= -kept[-1][0]:  # else no bonus would lift them in
                        entry = (-shared - bonus(attendee_id, placed.traits), attendee_id)
                        if entry < kept[-1]:
                            insort(kept, entry)
                            del kept[-1]
        return [Ranked(a, self._placed[a].zone_id, -score) for score, a in kept]

    def placed_among(
        self,
        attendee_ids: Iterable[int],
        *,
        zone_ids: list[int],
        weights: dict[int, float],
        bonus: Callable[[int, int], float],
    ) -> list[Ranked]:
        """Those of `attendee_ids` present in one of `zone_ids` who share a topic of `weights`, scored as `rank`
        scores, the first zone's before the others', best first."""
        zones = set(zone_ids)
        found = []
        with self._lock:
            for attendee_id in attendee_ids:
                placed = self._placed.get(attendee_id)
                if placed is None or placed.zone_id not in zones:
                    continue
                shared = [weights[t] for t in placed.topic_ids if t in weights]
                if shared:
                    found.append(Ranked(attendee_id, placed.zone_id, sum(shared) + bonus(attendee_id, placed.traits)))
        return sorted(found, key=lambda r: (r.zone_id != zone_ids[0], -r.score, r.attendee_id))

    def matches_by_zone(self, zone_ids: Iterable[int], topic_ids: list[int], excluded: set[int]) -> dict[int, int]:
        """How many people who count in attendees' figures, in each zone where there is any, share at least
        one of `topic_ids`."""
        counts = {}
        with self._lock:
            for zone_id in zone_ids:
                people = self._counted.get(zone_id, {})
                sharing = set().union(*(people.get(topic_id, ()) for topic_id in topic_ids)) - excluded
                if sharing:
                    counts[zone_id] = len(sharing)
        return counts


def _horizon(rows: Sequence[Row[Any]]) -> int:
    horizon: int = next(row.horizon for row in rows if row.horizon is not None)
    return horizon


_crowds: "weakref.WeakKeyDictionary[Engine, Crowd]" = weakref.WeakKeyDictionary()
_crowds_lock = threading.Lock()


def crowd_of(engine: Engine) -> Crowd:
    """This process's crowd for the database behind `engine`."""
    with _crowds_lock:
        crowd = _crowds.get(engine)
        if crowd is None:
            crowd = _crowds[engine] = Crowd()
        return crowd
