"""Each API process ranks from its own in-memory crowd (api/matching/crowd.py): what another process
commits must show in its next answer, whatever the order in which transactions commit."""

import threading
import time
from collections import namedtuple
from datetime import timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, text
from sqlmodel import Session, select

from api.attendees.models import Attendee
from api.core.db import utcnow
from api.events.models import Zone
from api.matching.crowd import Crowd, _statements
from api.personal_data.service import purge_erased_presence_marks
from api.presence.models import PresenceChange, PresenceTopic
from api.presence.service import place
from tests import factories as f
from tests.conftest import TEST_LIMITS, start_server


@pytest.fixture
def replica(server):
    """A second API process's worth of app on the same database, signing with the same key."""
    yield from start_server(server.settings.data_dir, server.settings.database_url, **TEST_LIMITS)


def names(result: dict) -> list[str]:
    return [s["attendee"]["display_name"] for s in result["suggestions"]]


def test_what_one_replica_writes_the_other_shows_at_once(srv, replica):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust", "eBPF"])
    ana = h.person(srv, "Ana", ["Rust"])
    assert names(f.suggestions(srv, me.token)) == ["Ana"]  # this replica has read the crowd
    # Everything below goes through the other replica; the first one answers.
    ben = h.person(replica, "Ben", ["Rust", "eBPF"])
    assert names(f.suggestions(srv, me.token)) == ["Ben", "Ana"]  # two shared topics first
    f.update_me(replica, ben.token, interests=["FinOps"])
    assert names(f.suggestions(srv, me.token)) == ["Ana"]
    f.update_me(replica, ben.token, interests=["eBPF"])
    assert [s["shared_topics"] for s in f.suggestions(srv, me.token)["suggestions"]] == [
        [{"id": h.topics["eBPF"], "name": "eBPF"}],
        [{"id": h.topics["Rust"], "name": "Rust"}],
    ]
    assert f.check_in(replica, ben.token, code=h.zones["lounge"]["code"]).status_code == 201
    assert names(f.suggestions(srv, me.token)) == ["Ana"]
    f.update_me(replica, ana.token, visible=False)
    assert names(f.suggestions(srv, me.token)) == []
    f.update_me(replica, ana.token, visible=True)
    assert names(f.suggestions(srv, me.token)) == ["Ana"]
    with replica.client(ana.token) as client:
        assert client.delete("/api/me/presence", headers={"Idempotency-Key": f.new_key()}).status_code == 204
    assert names(f.suggestions(srv, me.token)) == []
    assert f.check_in(replica, ben.token, code=h.zones["coffee"]["code"]).status_code == 201
    assert names(f.suggestions(srv, me.token)) == ["Ben"]
    with replica.client(ben.token) as client:
        assert client.delete("/api/me").status_code == 204
    assert f.suggestions(srv, me.token)["suggestions"] == []


def test_huddles_count_what_the_other_replica_changed(srv, replica):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"])
    people = [h.person(srv, name, ["Rust"]) for name in ("Ana", "Ben")]
    assert f.suggestions(srv, me.token)["huddles"] == []  # two others: no huddle yet
    people.append(h.person(replica, "Chloé", ["Rust"]))
    assert [x["people"] for x in f.suggestions(srv, me.token)["huddles"]] == [3]
    with replica.client(people[0].token) as client:
        assert client.delete("/api/me/presence", headers={"Idempotency-Key": f.new_key()}).status_code == 204
    assert f.suggestions(srv, me.token)["huddles"] == []


def test_a_deleted_topic_or_zone_takes_its_people_out_of_the_crowd(srv, db):
    """No foreign key removes presence topic rows (PresenceTopic): the deletions do, and tell the crowd."""
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust", "eBPF"])
    h.person(srv, "Ana", ["Rust"])
    h.person(srv, "Ben", ["eBPF"], zone="buffet")
    assert names(f.suggestions(srv, me.token)) == ["Ana", "Ben"]
    event_path = f"/api/events/{h.event['id']}"
    with srv.client(h.organizer) as client:
        assert client.delete(f"{event_path}/topics/{h.topics['Rust']}").status_code == 204
        assert names(f.suggestions(srv, me.token)) == ["Ben"]
        assert client.delete(f"{event_path}/zones/{h.zones['buffet']['id']}").status_code == 204
    assert f.suggestions(srv, me.token)["suggestions"] == []
    left = db.exec(select(PresenceTopic.topic_id, PresenceTopic.zone_id)).all()
    assert sorted(left) == sorted([(h.topics["eBPF"], h.zones["coffee"]["id"])])


def crowd_ids(crowd: Crowd, engine, zone_id: int, topic_id: int, now=None) -> list[int]:
    with engine.connect() as connection:
        crowd.sync(connection, now or utcnow())
    ranked, _ = crowd.rank(zone_ids=[zone_id], weights={topic_id: 1.0}, excluded=set(), bonus=lambda a, t: 0.0,
                           max_bonus=0.0, limit=20)  # fmt: skip
    return sorted(r.attendee_id for r in ranked)


def test_a_presence_leaves_the_crowd_when_it_ends(srv, db):
    h = f.hallway(srv)
    ana = h.person(srv, "Ana", ["Rust"])
    crowd, zone, rust = Crowd(), h.zones["coffee"]["id"], h.topics["Rust"]
    assert crowd_ids(crowd, srv.engine, zone, rust) == [ana.id]
    ends = utcnow() + timedelta(minutes=srv.settings.presence_ttl_minutes, seconds=1)
    assert crowd_ids(crowd, srv.engine, zone, rust, now=ends) == []


def test_calls_that_waited_for_a_read_share_the_next_one(srv):
    """Under a burst the threads of a process queue for the crowd: one read that started after they all
    arrived serves them all, and still shows what was committed before they were called."""
    h = f.hallway(srv)
    ana = h.person(srv, "Ana", ["Rust"])
    crowd, zone, rust = Crowd(), h.zones["coffee"]["id"], h.topics["Rust"]
    assert crowd_ids(crowd, srv.engine, zone, rust) == [ana.id]
    ben = h.person(srv, "Ben", ["Rust"])
    reads = []

    def count_reads(connection, cursor, statement, *_):
        if "presence_change" in statement:
            reads.append(statement)

    seen: list[list[int]] = []
    event.listen(srv.engine, "before_cursor_execute", count_reads)
    try:
        with crowd._lock:  # a read in progress: the calls below arrive and wait
            waiting = [threading.Thread(target=lambda: seen.append(crowd_ids(crowd, srv.engine, zone, rust)))
                       for _ in range(3)]  # fmt: skip
            for thread in waiting:
                thread.start()
            time.sleep(0.5)
        for thread in waiting:
            thread.join()
    finally:
        event.remove(srv.engine, "before_cursor_execute", count_reads)
    assert seen == [sorted([ana.id, ben.id])] * 3
    assert len(reads) == 1
    # A call that arrives after that read reads again: what was committed since must show.
    cleo = h.person(srv, "Cleo", ["Rust"])
    assert crowd_ids(crowd, srv.engine, zone, rust) == sorted([ana.id, ben.id, cleo.id])


def test_a_transaction_that_commits_after_a_later_one_is_not_missed(srv, db):
    """The case a plain "changed since" counter gets wrong: Ana's check-in takes its number first and
    commits last, after the crowd has read Ben's. PostgreSQL only: SQLite runs one writer at a time."""
    if srv.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers take turns: a later write cannot commit first")
    h = f.hallway(srv)
    ana = h.person(srv, "Ana", ["Rust"], zone=None)
    ben = h.person(srv, "Ben", ["Rust"], zone=None)
    crowd, zone_id, rust = Crowd(), h.zones["coffee"]["id"], h.topics["Rust"]
    assert crowd_ids(crowd, srv.engine, zone_id, rust) == []
    now = utcnow()
    with Session(srv.engine) as slow, Session(srv.engine) as fast:
        place(slow, attendee=slow.get(Attendee, ana.id), zone=slow.get(Zone, zone_id), now=now,
              expires_at=now + timedelta(minutes=20))  # fmt: skip
        place(fast, attendee=fast.get(Attendee, ben.id), zone=fast.get(Zone, zone_id), now=now,
              expires_at=now + timedelta(minutes=20))  # fmt: skip
        fast.commit()
        assert crowd_ids(crowd, srv.engine, zone_id, rust) == [ben.id]
        slow.commit()
    assert crowd_ids(crowd, srv.engine, zone_id, rust) == sorted([ana.id, ben.id])


def test_the_crowd_looks_changed_people_up_by_key_on_statistics_from_before_the_break(srv):
    """A break fills presence_change and presence_topic faster than statistics follow: the plan of the sync
    must not depend on them. PostgreSQL only: SQLite's plan is fixed by the statement (IN, see crowd.py)."""
    if srv.engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans this statement the same whatever its statistics")
    _, changed = _statements("postgresql")
    with srv.engine.connect() as connection:
        connection.execute(text("ANALYZE presence_change, presence_topic"))  # as before a break: empty
        connection.execute(text("SET LOCAL session_replication_role = replica"))  # rows without their attendees
        connection.execute(text(
            "INSERT INTO presence_topic SELECT a, t, 1, now() + interval '1 hour', 0 "
            "FROM generate_series(1, 3000) a, generate_series(1, 10) t"
        ))  # fmt: skip
        connection.execute(text("INSERT INTO presence_change SELECT a, a FROM generate_series(1, 3000) a"))
        statement = changed.compile(dialect=connection.dialect)
        values = statement.construct_params({"now": utcnow(), "since": 2999})
        [[plan]] = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", values).all()
        rows = connection.execute(changed, {"now": utcnow(), "since": 2999}).all()
        connection.rollback()
    assert sorted({r.attendee_id for r in rows if r.attendee_id is not None}) == [2999, 3000]
    assert len([r for r in rows if r.topic_id is not None]) == 20

    def scans(node: dict) -> list[tuple[str, str]]:
        found = [(node["Node Type"], node["Relation Name"])] if "Relation Name" in node else []
        return found + [scan for child in node.get("Plans", []) for scan in scans(child)]

    assert ("Seq Scan", "presence_topic") not in scans(plan[0]["Plan"])


def test_an_erased_attendees_mark_is_purged_once_read(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"])
    gone = h.person(srv, "Gone", ["Rust"])
    with srv.client(gone.token) as client:
        assert client.delete("/api/me").status_code == 204
    assert f.suggestions(srv, me.token)["suggestions"] == []
    assert purge_erased_presence_marks(db) == 1
    db.commit()
    assert db.exec(select(PresenceChange.attendee_id)).all() == [me.id]


_Row = namedtuple("_Row", "zone_id expires_at traits topic_id")
_people = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 7), st.frozensets(st.integers(0, 5), min_size=1, max_size=4)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    people=_people,
    weights=st.dictionaries(st.integers(0, 5), st.integers(2, 12).map(lambda w: w / 2), min_size=1),
    trait_bonus=st.lists(st.sampled_from([0.0, 0.5, 2.0, 4.5]), min_size=8, max_size=8),
    excluded=st.frozensets(st.integers(1, 40), max_size=8),
    zone_ids=st.permutations([0, 1, 2]).map(lambda zones: zones[:2]),
    limit=st.integers(1, 6),
)
# A tie at the bound: Ben, met first, scores exactly what Ana (a lower id, met later) can at most.
@example(
    people=[(0, 0, frozenset({1})), (0, 1, frozenset({0}))],
    weights={0: 2.0, 1: 1.0},
    trait_bonus=[2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    excluded=frozenset(),
    zone_ids=[0, 1],
    limit=1,
)
def test_ranking_keeps_the_best_of_each_zone_as_scoring_everyone_would(
    people, weights, trait_bonus, excluded, zone_ids, limit
):
    """The ranking reads topics heaviest first and stops once nobody not met yet could enter the best;
    scoring and sorting everyone is the reference."""
    crowd = Crowd()
    ends = utcnow() + timedelta(minutes=20)
    for attendee_id, (zone_id, traits, topic_ids) in enumerate(people, start=1):
        crowd._place(attendee_id, [_Row(zone_id, ends, traits, topic_id) for topic_id in sorted(topic_ids)])

    def bonus(attendee_id: int, traits: int) -> float:
        return trait_bonus[traits]

    best, _ = crowd.rank(zone_ids=zone_ids, weights=weights, excluded=set(excluded), bonus=bonus,
                         max_bonus=max(trait_bonus), limit=limit)  # fmt: skip

    def everyone_in(zone_id: int) -> list[tuple[int, float]]:
        scored = [
            (attendee_id, sum(weights[t] for t in topic_ids if t in weights) + trait_bonus[traits])
            for attendee_id, (zone, traits, topic_ids) in enumerate(people, start=1)
            if zone == zone_id and attendee_id not in excluded and topic_ids & weights.keys()
        ]
        return sorted(scored, key=lambda person: (-person[1], person[0]))

    here = everyone_in(zone_ids[0])[:limit]
    expected = here + everyone_in(zone_ids[1])[: limit - len(here)]
    assert [(r.attendee_id, r.score) for r in best] == expected
