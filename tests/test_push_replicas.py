"""Exactly once across replicas: two real `couloir worker --once` processes plan the very same nudges
against one database, and each attendee still gets one push per break and reason. The database
decides (unique constraints), not timing: the test makes both workers finish planning before either
may claim, the worst case, and checks that both did."""

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from api.push.models import Nudge
from api.push.service import vapid_keys
from tests import factories as f
from tests.push_receiver import PushReceiver

COULOIR = Path(sys.executable).parent / "couloir"
CROWD = 24
REPORT = re.compile(r"nudges: (\d+) planned, (\d+) claimed here")


@contextmanager
def claims_held(url: str) -> Iterator[None]:
    """Block writes to the nudge table (reads go on) until both workers wait to claim, then let go."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(url).database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")  # the write lock; workers' claims wait on it (busy_timeout 10 s)
        try:
            yield
            time.sleep(6)  # SQLite cannot list its waiters: time enough for two workers to plan
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(url)
    try:
        # The watcher autocommits: pg_stat_activity is read once per transaction.
        with engine.connect() as holder, engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
            holder.execute(text("LOCK TABLE nudge IN EXCLUSIVE MODE"))
            yield
            waiting = (
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO nudge%'"
            )
            deadline = time.monotonic() + 60
            while watcher.execute(text(waiting)).scalar_one() < 2:
                assert time.monotonic() < deadline, "the workers never reached their claims"
                time.sleep(0.05)
            holder.rollback()
    finally:
        engine.dispose()


@pytest.mark.slow
def test_two_worker_processes_send_each_nudge_once(srv, db):
    h = f.hallway(srv)
    # Everyone at the coffee bar shares three topics with everyone, and half hire the other half: each has
    # strong matches, so each is due exactly one "match nearby" nudge.
    crowd = [
        h.person(srv, f"Person {i}", ["Observability", "eBPF", "Rust"], goals=["hire" if i % 2 else "get_hired"])
        for i in range(CROWD)
    ]
    f.add_break(srv, h.organizer, h.event["id"])
    env = os.environ | {
        "COULOIR_DATABASE_URL": srv.settings.sqlalchemy_url,
        "COULOIR_DATA_DIR": str(srv.settings.data_dir),  # the same VAPID key, as replicas must share
        "COULOIR_PUSH_ALLOW_PRIVATE_ENDPOINTS": "true",
    }
    with PushReceiver(application_server_key=vapid_keys(srv.settings).public_key) as receiver:
        subs = {}
        for person in crowd:
            subs[person.id] = receiver.new_subscription()
            assert f.subscribe(srv, person.token, subs[person.id]).status_code == 201

        with claims_held(srv.settings.sqlalchemy_url):
            workers = [
                subprocess.Popen(
                    [COULOIR, "worker", "--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
                for _ in range(2)
            ]
        outputs = [worker.communicate(timeout=120) for worker in workers]

        for worker, (_, err) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, err
        reports = [tuple(map(int, REPORT.search(out).groups())) for out, _ in outputs]
        # Both planned every nudge; the database let each be claimed once, by one of them.
        assert [planned for planned, _ in reports] == [CROWD, CROWD]
        assert sum(claimed for _, claimed in reports) == CROWD
        assert {person.id: len(receiver.received_for(subs[person.id])) for person in crowd} == {p.id: 1 for p in crowd}
        assert {push.payload["reason"] for push in receiver.received} == {"match_nearby"}
        assert receiver.rejections == []
    rows = db.exec(select(Nudge)).all()
    assert sorted(n.attendee_id for n in rows) == sorted(p.id for p in crowd)
    assert {n.status for n in rows} == {"delivered"}
