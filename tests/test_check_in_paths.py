"""One rule for check-in, written more than once. A check-in alone (service.check_in once per Idempotency-Key,
as groups.check_in_one_by_one serves it) is the specification; the groups of each database (PostgreSQL's two
statements, SQLite's JSON statements: api/presence/groups.py) must do exactly what it does.

Random sequences of check-ins (alone and several together), leaves, profile and visibility changes, erasures
and poster rotations, on a clock the test moves, go through each way on the same database, wiped in between.
Each answer (status, body, headers) must be the same, and so must the rows of presence, presence_topic,
check_in_record, idempotency_record and rate_limit_window after each step; presence_change is compared by
what it means (see `look`). The steps other than check-ins run their routes' code, the same on every way.

Rate limits are counted in the database, then in Redis (each trace under a prefix of its own): a check-in alone
counts as a group of one (ratelimit.hit_all), a group all its hits at once, and each request must meet the
same 429 either way.

Left to other tests: what another transaction commits between a group's read and its write
(test_check_in_groups.py), and Redis unreachable (test_rate_limits.py).
"""

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from fastapi import Response
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.agenda.models import AgendaBreak
from api.attendees import service as attendees
from api.attendees.models import Attendee, AttendeeInterest
from api.attendees.schemas import ProfileUpdate
from api.auth.callers import as_attendee
from api.auth.models import RefreshSession
from api.core import idempotency, ratelimit
from api.core.config import Settings
from api.core.errors import CouloirError, error_response
from api.core.runtime.one_hop import serve
from api.core.security import TokenClaims
from api.events.models import Event, Topic, Zone, ZoneNeighbour
from api.presence import groups, service
from api.presence import routes as presence_routes
from api.presence.routes import CHECK_IN_RATE
from api.presence.schemas import CheckIn

# The world: one event with three zones (the coffee bar and the buffet are neighbours) and four topics,
# another event with a zone of its own, four attendees of the first event, one of the other, and an id that
# never joined.
# Ids are given, so each way's world has the same ones and no id needs translating between them.
START = datetime(2031, 3, 14, 9, 0, 0, 500_000, tzinfo=UTC)  # the clock's start, far from the real time
EVENT, ELSEWHERE = 1, 2
ZONES = {1: ("Coffee bar", "coffee", EVENT), 2: ("Buffet", "buffet", EVENT), 3: ("Lounge", "lounge", EVENT),
         4: ("Elsewhere's bar", "coffee", ELSEWHERE)}  # fmt: skip
NEIGHBOURS = [(1, 2)]
TOPICS = {1: ("Observability", EVENT), 2: ("Kubernetes", EVENT), 3: ("eBPF", EVENT), 4: ("Rust", EVENT),
          5: ("Rust", ELSEWHERE)}  # fmt: skip
ATTENDEES = {1: EVENT, 2: EVENT, 3: EVENT, 4: EVENT, 5: ELSEWHERE}  # and their events
NEVER_JOINED = 9
IPS = ("198.51.100.7", "203.0.113.9")  # two venues' Wi-Fi: check-ins share a per-address counter
GOALS = ("learn", "hire", "partner")
ROLES = ("attendee", "speaker", "exhibitor")


def poster_token(zone_id: int, generation: int) -> str:
    """The token of a zone's poster, new at each rotation (the service's are random: these compare)."""
    return f"poster-token-z{zone_id}-g{generation}"


def zone_code(zone_id: int, generation: int) -> str:
    return f"Z{zone_id}G{generation}"


# The steps ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    event_minutes: int  # the event ends this long after the clock's start
    breaks: tuple[tuple[int, int], ...]  # (start, end) in seconds from the clock's start
    ttl_minutes: int
    per_attendee: tuple[int, int]  # the check-in rate limits
    per_ip: tuple[int, int]
    profiles: tuple[dict, ...]  # each attendee's, as ProfileUpdate's fields


@dataclass(frozen=True)
class Tick:
    seconds: int
    microseconds: int


@dataclass(frozen=True)
class Scan:
    """One check-in. `how`: "token", "url" or "code" of `zone`'s current poster; "old token" of its first one
    (unknown once rotated); "unknown token" or "unknown code". `key`: one of a few keys every attendee may
    reuse, or None for a new one."""

    attendee: int
    how: str
    zone: int
    key: int | None
    ip: int


@dataclass(frozen=True)
class CheckIns:
    """Check-ins arriving together, one per attendee (as GroupCommit groups them), in this order."""

    scans: tuple[Scan, ...]


@dataclass(frozen=True)
class Retry:
    """The phones of the last check-ins send them again, same keys and bodies (their answers were lost)."""


@dataclass(frozen=True)
class Leave:
    attendee: int
    key: int | None


@dataclass(frozen=True)
class Profile:
    attendee: int
    changes: dict = field(hash=False)


@dataclass(frozen=True)
class Erase:
    attendee: int


@dataclass(frozen=True)
class Rotate:
    zone: int


_interests = st.lists(st.sampled_from(sorted({name for name, _ in TOPICS.values()})), unique=True, max_size=3)
_profile_fields = {
    "interests": _interests,
    "goals": st.lists(st.sampled_from(GOALS), unique=True, max_size=2),
    "open_to_chat": st.booleans(),
    "findable_as_speaker": st.booleans(),
    "visible": st.booleans(),
}
_profile_changes = st.fixed_dictionaries({}, optional=_profile_fields).filter(bool)
_profiles = st.fixed_dictionaries(_profile_fields)
worlds = st.builds(
    World,
    event_minutes=st.integers(1, 60),
    breaks=st.lists(st.tuples(st.integers(-600, 1800), st.integers(60, 1200)), max_size=2).map(
        lambda slots: tuple((start, start + length) for start, length in slots)
    ),
    ttl_minutes=st.sampled_from([1, 20]),
    per_attendee=st.sampled_from([(2, 60), (30, 60)]),
    per_ip=st.sampled_from([(5, 60), (10_000, 60)]),
    profiles=st.tuples(
        *[_profiles.map(lambda p, r=role: p | {"role": r}) for role in (*ROLES, "attendee", "attendee")]
    ),
)
_someone = st.sampled_from((*ATTENDEES, NEVER_JOINED))
_key = st.integers(0, 1) | st.none()
scans = st.builds(
    Scan,
    attendee=st.sampled_from([1, 2, 3, 4]) | _someone,
    how=st.sampled_from(["token", "url", "code"]) | st.sampled_from(["old token", "unknown token", "unknown code"]),
    zone=st.sampled_from([1, 2, 3]) | st.just(4),
    key=_key,
    ip=st.integers(0, 1),
)
_check_ins = st.builds(
    CheckIns, st.lists(scans, min_size=1, max_size=4, unique_by=lambda scan: scan.attendee).map(tuple)
)
_tick = st.builds(
    Tick, seconds=st.integers(0, 40) | st.integers(0, 1800), microseconds=st.sampled_from([0, 1, 500_000, 999_999])
)
# Check-ins most often; an erasure or a rotation now and then (an erasure ends an attendee's part in the run).
_STEPS = {
    _check_ins: 8,
    st.just(Retry()): 3,
    _tick: 4,
    st.builds(Leave, attendee=_someone, key=_key): 2,
    st.builds(Profile, attendee=_someone, changes=_profile_changes): 2,
    st.builds(Rotate, zone=st.integers(1, 4)): 1,
    st.builds(Erase, attendee=st.sampled_from(list(ATTENDEES))): 1,
}
steps = st.sampled_from([kind for kind, weight in _STEPS.items() for _ in range(weight)]).flatmap(lambda kind: kind)


# Applying them -----------------------------------------------------------------------------------------------


class Clock:
    """The time every writer of these paths reads (see the `clock` fixture)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def time(self) -> float:  # as time.time(), for the rate limits' windows
        return self.now.timestamp()


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The service's `now`, the groups' `now`, the Idempotency-Keys' `created_at` and the rate limits' window:
    the same instant on every way, so times compare exactly."""
    clock = Clock()
    for module in (service, groups, idempotency):
        monkeypatch.setattr(module, "utcnow", clock)
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock


def reset(engine: Engine) -> None:
    """Every row a run writes goes, the world's by cascade from its events (quicker than the suite's wipe)."""
    with engine.begin() as connection:
        for table in ("presence_topic", "presence_change", "rate_limit_window", "event"):
            connection.execute(text(f"DELETE FROM {table}"))


def build(engine: Engine, world: World) -> None:
    with Session(engine) as session:
        for event_id in (EVENT, ELSEWHERE):
            session.add(Event(id=event_id, slug=f"event-{event_id}", name="DevOps Days Lyon", subject="platform",
                              timezone="Europe/Paris", starts_at=START - timedelta(hours=1),
                              ends_at=START + timedelta(minutes=world.event_minutes), languages=["en"],
                              join_code=f"JOIN{event_id}", created_at=START))  # fmt: skip
        session.flush()
        for zone_id, (name, kind, event_id) in ZONES.items():
            session.add(Zone(id=zone_id, event_id=event_id, name=name, kind=kind,
                             checkin_token=poster_token(zone_id, 0), code=zone_code(zone_id, 0)))  # fmt: skip
        for topic_id, (name, event_id) in TOPICS.items():
            session.add(Topic(id=topic_id, event_id=event_id, name=name, key=name.lower()))
        for n, (starts, ends) in enumerate(world.breaks, start=1):
            session.add(AgendaBreak(id=n, event_id=EVENT, label="Coffee break",
                                    starts_at=START + timedelta(seconds=starts),
                                    ends_at=START + timedelta(seconds=ends)))  # fmt: skip
        session.flush()
        session.add_all(ZoneNeighbour(zone_id=a, neighbour_id=b) for pair in NEIGHBOURS for a, b in (pair, pair[::-1]))
        topic_ids = {(name, event_id): topic_id for topic_id, (name, event_id) in TOPICS.items()}
        for (attendee_id, event_id), profile in zip(ATTENDEES.items(), world.profiles, strict=True):
            session.add(Attendee(id=attendee_id, event_id=event_id, display_name=f"Attendee {attendee_id}",
                                 role=profile["role"], goals=profile["goals"], open_to_chat=profile["open_to_chat"],
                                 visible=profile["visible"],
                                 findable_as_speaker=profile["visible"] and profile["findable_as_speaker"],
                                 created_at=START))  # fmt: skip
        session.flush()
        for (attendee_id, event_id), profile in zip(ATTENDEES.items(), world.profiles, strict=True):
            session.add_all(AttendeeInterest(attendee_id=attendee_id, topic_id=topic_ids[name, event_id])
                            for name in profile["interests"] if (name, event_id) in topic_ids)  # fmt: skip
            # Each attendee is signed in on one device: an erasure ends its session, and both ways refuse it.
            session.add(RefreshSession(id=session_of(attendee_id), refresh_jti=session_of(attendee_id),
                                       attendee_id=attendee_id, expires_at=START + timedelta(days=30)))  # fmt: skip
        session.commit()


def session_of(attendee_id: int) -> str:
    return f"{attendee_id:032x}"


def claims_of(attendee_id: int) -> TokenClaims:
    return TokenClaims(kind="access", subject_kind="attendee", subject_id=attendee_id, jti=uuid.uuid4().hex,
                       session_id=session_of(attendee_id), expires_at=START + timedelta(days=1),
                       event_id=ATTENDEES.get(attendee_id, EVENT))  # fmt: skip


def answer_of(outcome: Any) -> tuple:
    """What the phone receives: the status, body and headers the app sends for a result or a refusal."""
    if isinstance(outcome, CouloirError):
        outcome = error_response(outcome.status_code, type(outcome).__name__, outcome.detail, outcome.headers)
    if isinstance(outcome, Response):
        return outcome.status_code, outcome.body, dict(outcome.headers)  # Retry-After, Idempotent-Replayed...
    # A 500 on both ways would compare equal and hide the step (a changed signature, say): it fails the test.
    assert not isinstance(outcome, Exception), f"unexpected {outcome!r}"
    # The other steps' results (a profile, or nothing), as the JSON their route would send.
    return 200, json.dumps(outcome.model_dump(mode="json") if outcome is not None else None), {}


def outcome(work: Callable[[], Any]) -> Any:
    try:
        return work()
    except Exception as refusal:  # noqa: BLE001 - a refusal is an answer to compare
        return refusal


CheckInWay = Callable[[Engine, Settings, Sequence[groups.CheckInRequest]], list]


@dataclass
class Run:
    """One way of checking in, applying steps to its database."""

    engine: Engine
    settings: Settings
    clock: Clock
    check_ins: CheckInWay
    step: int = 0
    last: list[groups.CheckInRequest] = field(default_factory=list)  # the last check-ins, for a retry
    generation: dict[int, int] = field(default_factory=dict)

    def key(self, key: int | None, attendee: int) -> str:
        # A few keys every attendee may reuse (scoped per attendee, so reused across them too), or a new one:
        # the same strings on every way.
        return f"shared-key-{key}" if key is not None else f"new-key-{self.step}-{attendee}"

    def body(self, scan: Scan) -> CheckIn:
        generation = self.generation.get(scan.zone, 0)
        token, code = poster_token(scan.zone, generation), zone_code(scan.zone, generation)
        return CheckIn(**{
            "token": {"token": token}, "url": {"token": f"https://couloir.example/z/{token}"},
            "code": {"code": code}, "old token": {"token": poster_token(scan.zone, 0)},
            "unknown token": {"token": "poster-token-never-printed"}, "unknown code": {"code": "ZZZZ"},
        }[scan.how])  # fmt: skip

    def apply(self, step) -> list[tuple]:
        self.step += 1
        if isinstance(step, Tick):
            self.clock.now += timedelta(seconds=step.seconds, microseconds=step.microseconds)
            return []
        if isinstance(step, CheckIns | Retry):
            if isinstance(step, CheckIns):
                self.last = []
                for scan in step.scans:
                    claims = claims_of(scan.attendee)
                    counted = CHECK_IN_RATE.counters(self.settings, claims, IPS[scan.ip])
                    key = self.key(scan.key, scan.attendee)
                    self.last.append(groups.CheckInRequest(claims, key, self.body(scan), counted))
            return [answer_of(o) for o in self.check_ins(self.engine, self.settings, self.last)] if self.last else []
        if isinstance(step, Rotate):
            self.generation[step.zone] = generation = self.generation.get(step.zone, 0) + 1
            with self.engine.begin() as connection:
                connection.execute(
                    text("UPDATE zone SET checkin_token = :token, code = :code WHERE id = :id"),
                    {"token": poster_token(step.zone, generation), "code": zone_code(step.zone, generation),
                     "id": step.zone},
                )  # fmt: skip
            return []
        # The other steps as their routes do them (the same code whichever way check-ins go).
        if isinstance(step, Leave):
            key = self.key(step.key, step.attendee)
            work = lambda session, attendee: presence_routes.leave(  # noqa: E731
                attendee, session, idempotency.Once(session, attendee.id, key, "leave", 204)
            )
        elif isinstance(step, Profile):
            data = ProfileUpdate(**step.changes)
            work = lambda session, attendee: attendees.private_profile(  # noqa: E731
                session, attendees.update_profile(session, attendee, data)
            )
        else:
            work = lambda session, attendee: attendees.delete_attendee(session, attendee)  # noqa: E731
        claims = claims_of(step.attendee)
        return [answer_of(outcome(lambda: serve(self.engine, self.settings, None, as_attendee(claims, work))))]


_ROWS = {
    "presence": "SELECT attendee_id, event_id, zone_id, checked_in_at, expires_at FROM presence ORDER BY attendee_id",
    "presence_topic": "SELECT attendee_id, topic_id, zone_id, expires_at, traits FROM presence_topic"
    " ORDER BY attendee_id, topic_id",
    "check_in_record": "SELECT event_id, zone_id, attendee_id, checked_in_at FROM check_in_record"
    " ORDER BY attendee_id, checked_in_at, zone_id",
    "idempotency_record": "SELECT attendee_id, key, fingerprint, status_code, CAST(response_body AS TEXT), created_at"
    " FROM idempotency_record ORDER BY attendee_id, key",
    "rate_limit_window": "SELECT key, window_start, hits FROM rate_limit_window ORDER BY key, window_start",
    "presence_change": "SELECT attendee_id FROM presence_change ORDER BY attendee_id",
}
_LATEST_MARK = text("SELECT coalesce(max(changed), 0) FROM presence_change")
_MARKED_SINCE = text("SELECT attendee_id FROM presence_change WHERE changed > :mark ORDER BY attendee_id")


@dataclass(frozen=True)
class Seen:
    """What a step did: its answers, who it marked changed, and the rows after it."""

    answers: list[tuple]
    marked: list[int]
    rows: dict[str, list[tuple]]


def look(engine: Engine, answers: list[tuple], mark: int) -> tuple[Seen, int]:
    """What a step did, and the latest mark after it.

    Rows are read as stored (no type conversion, so a time written in another format shows), less the generated
    ids: presence, check_in_record and idempotency_record ids come from a sequence (PostgreSQL) or the rowid
    (SQLite) in the order the rows were written, which a group chooses (attendee order), and nothing refers to
    them. Check-in records, which differ only by that id, compare as a multiset (sorted).

    presence_change compares by what it means, the attendees marked since `mark` (what a crowd that last
    looked at `mark` reads again), and which attendees have a mark at all. Its values differ between ways,
    rightly: PostgreSQL's are transaction ids (a check-in alone is one transaction, a group's write one
    statement for all), SQLite's a counter that a group's statement bumps once for all."""
    with engine.connect() as connection:
        rows = {table: [tuple(row) for row in connection.exec_driver_sql(query)] for table, query in _ROWS.items()}
        marked = list(connection.execute(_MARKED_SINCE, {"mark": mark}).scalars())
        latest = connection.execute(_LATEST_MARK).scalar_one()
    return Seen(answers, marked, rows), latest


def trace(run: Run, world: World, sequence: Sequence) -> list[Seen]:
    """What each step of `sequence` did, run from a new world at the clock's start (and no hit counted yet)."""
    if run.settings.redis_url:
        prefix = f"{run.settings.redis_prefix}-{uuid.uuid4().hex[:8]}"
        run.settings = run.settings.model_copy(update={"redis_prefix": prefix})
    reset(run.engine)
    build(run.engine, world)
    run.clock.now = START
    mark = 0
    seen = []
    for step in sequence:
        answers = run.apply(step)
        step_seen, mark = look(run.engine, answers, mark)
        seen.append(step_seen)
    return seen


# The test ----------------------------------------------------------------------------------------------------


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["database", "redis"])
def counted_in(request):
    """Where rate-limit hits are counted: the settings that say so. Redis's counters, whose windows end in the
    clock's far future, are deleted after the test."""
    if request.param == "database":
        yield {}
        return
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"couloir-test-{uuid.uuid4().hex[:8]}"
    yield {"redis_url": REDIS_URL, "redis_prefix": prefix}
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def ways(srv, clock, monkeypatch, counted_in):
    """The check-in alone (the specification) and the database's groups, each a `Run` factory. The groups run
    on the engine check-ins use in the service (PostgreSQL: a connection of their own, generic plans)."""
    alone = groups.check_in_one_by_one
    fell_back: list = []

    def tattling(*args):
        fell_back.append(args)
        return alone(*args)

    # SQLite serves a group one by one when its transaction fails: that would compare the specification with
    # itself, so the test says so.
    monkeypatch.setattr(groups, "check_in_one_by_one", tattling)
    group_engine = groups.check_in_engine(srv.engine, srv.settings)

    def together(engine, settings, requests):
        answers = groups.serve_check_ins(group_engine, settings, requests)
        assert not fell_back, "the group's transaction failed: it was served one by one"
        return answers

    def run(world: World, way: CheckInWay) -> Run:
        limits = {"checkin_rate_per_attendee": world.per_attendee, "checkin_rate_per_ip": world.per_ip,
                  "presence_ttl_minutes": world.ttl_minutes, **counted_in}  # fmt: skip
        return Run(srv.engine, srv.settings.model_copy(update=limits), clock, way)

    yield lambda world: (run(world, alone), run(world, together))
    if group_engine is not srv.engine:
        group_engine.dispose()


def assert_same(world: World, sequence: Sequence, specification: list[Seen], grouped: list[Seen]) -> None:
    # The whole case in the message: this Hypothesis prints a failing example's arguments empty.
    case = f"\nin world={world!r},\nsequence={list(sequence)!r}"
    for step, expected, got in zip(sequence, specification, grouped, strict=True):
        assert got.answers == expected.answers, f"answers differ at {step}{case}"
        assert got.marked == expected.marked, f"attendees marked changed differ at {step}{case}"
        for table, rows in expected.rows.items():
            assert got.rows[table] == rows, f"{table} differs after {step}{case}"


_A_BREAK = World(event_minutes=30, breaks=((-60, 600),), ttl_minutes=20, per_attendee=(30, 60),
                 per_ip=(10_000, 60), profiles=tuple({"interests": ["Rust", "eBPF"], "goals": ["hire"],
                 "open_to_chat": True, "findable_as_speaker": n == 1, "visible": n != 3, "role": role}
                 for n, role in enumerate((*ROLES, "attendee", "attendee"))))  # fmt: skip


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds, sequence=st.lists(steps, min_size=3, max_size=20))
# Everyone at once, a retry and a reused key in the group, a hidden attendee, someone who changes interests and
# checks in again, a rotated poster, the event's end.
@example(world=_A_BREAK, sequence=[
    CheckIns((Scan(1, "token", 1, 0, 0), Scan(2, "code", 2, None, 0), Scan(3, "url", 1, None, 1),
              Scan(4, "unknown code", 1, None, 0))),
    Tick(5, 0),
    CheckIns((Scan(2, "code", 3, None, 0), Scan(1, "token", 1, 0, 0), Scan(4, "token", 4, None, 1),
              Scan(3, "code", 2, None, 1), Scan(NEVER_JOINED, "token", 1, None, 0), Scan(5, "code", 4, None, 0))),
    Profile(1, {"interests": ["Observability", "Rust"], "goals": ["learn"]}),
    CheckIns((Scan(1, "token", 2, 0, 0),)),
    CheckIns((Scan(1, "token", 2, None, 0), Scan(3, "url", 3, 1, 0))),
    Leave(2, 1),
    CheckIns((Scan(2, "token", 1, 1, 0),)),
    Rotate(1),
    CheckIns((Scan(3, "old token", 1, None, 0), Scan(4, "code", 1, None, 0))),
    Erase(4),
    CheckIns((Scan(4, "code", 1, None, 0), Scan(1, "code", 1, None, 0))),
    Tick(1800, 0),
    CheckIns((Scan(1, "code", 1, None, 0),)),
])  # fmt: skip
# A presence that ends on a whole second (as a break that ends on the minute makes them), as a check-in alone
# stores it: SQLite's group wrote "09:20:01" where a check-in alone writes "09:20:01.000000".
@example(world=replace(_A_BREAK, breaks=()),
         sequence=[Tick(0, 500_000), CheckIns((Scan(1, "token", 1, None, 0),))])  # fmt: skip
def test_every_way_of_checking_in_writes_and_answers_what_a_check_in_alone_does(ways, world, sequence):
    specification, grouped = ways(world)
    expected = trace(specification, world, sequence)
    assert_same(world, sequence, expected, trace(grouped, world, sequence))
    for step, seen in zip(sequence, expected, strict=True):  # what the examples cover: --hypothesis-show-statistics
        for status, _, headers in seen.answers:
            replayed = " (replayed)" if idempotency.REPLAYED_HEADER.lower() in headers else ""
            event(f"{type(step).__name__} answered {status}{replayed}")
