"""Scale-out: two real `couloir serve` replicas and one `couloir worker` on one PostgreSQL, under a
concurrent check-in load during a break, with every attendee's phone subscribed to a real push
receiver. The load balancer is the test: each request goes to either replica, and a retried request
(same Idempotency-Key) goes to the other one, at the same time as the first.

No errors; one check-in record per distinct key and one presence per attendee; both replicas suggest
the same people; exactly one nudge per (attendee, break, reason), each pushed once."""

import os
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from api.presence.models import CheckInRecord, Presence
from api.push.models import Nudge
from api.push.service import vapid_keys
from tests import factories as f
from tests.conftest import PG_ENV, fresh_postgres_database, migrate
from tests.processes import COULOIR, ServiceProcess, as_server, service_env
from tests.push_receiver import PushReceiver

CROWD = 24
CHECK_INS_EACH = 6
ZONES_VISITED = ["buffet", "lounge", "coffee"]  # everyone ends at the coffee bar


@pytest.fixture
def pg_url():
    if not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} is not set: scale-out needs PostgreSQL (SQLite is one process)")
    for url in fresh_postgres_database(os.environ[PG_ENV]):
        migrate(url)
        yield url


@pytest.mark.slow
def test_two_replicas_and_a_worker_under_a_check_in_burst(pg_url, tmp_path):
    env = service_env(pg_url, tmp_path, nudge_interval_seconds="1")
    replicas = [ServiceProcess(env, tmp_path / f"replica{n}.log") for n in range(2)]
    worker = None
    receiver = None
    replicas[0].start()  # first alone: it makes the shared secret and VAPID keys in the data dir
    replicas[1].start()
    srv = as_server(replicas[0], pg_url, tmp_path)
    try:
        h = f.hallway(srv)
        crowd = [
            h.person(
                srv,
                f"Person {i}",
                ["Observability", "eBPF", "Rust"],
                zone=None,
                goals=["hire" if i % 2 else "get_hired"],
            )
            for i in range(CROWD)
        ]
        pause = f.add_break(srv, h.organizer, h.event["id"])
        receiver = PushReceiver(application_server_key=vapid_keys(srv.settings).public_key).__enter__()
        subscriptions = {}
        for n, person in enumerate(crowd):
            subscriptions[person.id] = receiver.new_subscription()
            with replicas[n % 2].client(person.token) as client:
                response = client.post(
                    "/api/me/push-subscriptions",
                    json=subscriptions[person.id],
                    headers={"Idempotency-Key": f.new_key()},
                )
            assert response.status_code == 201, response.text

        with (tmp_path / "worker.log").open("ab") as log:
            worker = subprocess.Popen([COULOIR, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)

        statuses: Counter[int] = Counter()
        keys_sent: Counter[int] = Counter()
        lock = threading.Lock()

        def walk(n: int) -> None:
            person = crowd[n]
            for visit in range(CHECK_INS_EACH):
                zone = ZONES_VISITED[visit % len(ZONES_VISITED)]
                key, body = f.new_key(), {"token": h.zones[zone]["checkin_url"]}
                first, other = replicas[(n + visit) % 2], replicas[(n + visit + 1) % 2]
                retried = visit % 2 == 0  # a lost answer: the phone resends, the balancer picks the other replica
                with ThreadPoolExecutor(2) as both:
                    sends = [
                        both.submit(check_in, target, person.token, key, body)
                        for target in ([first, other] if retried else [first])
                    ]
                    answers = [s.result() for s in sends]
                with lock:
                    statuses.update(answers)
                    keys_sent[person.id] += 1

        with ThreadPoolExecutor(CROWD) as load:
            list(load.map(walk, range(CROWD)))
        assert statuses == Counter({201: sum(CHECK_INS_EACH + (CHECK_INS_EACH + 1) // 2 for _ in crowd)})

        with Session(srv.engine) as db:
            records = Counter(
                dict(db.exec(select(CheckInRecord.attendee_id, func.count()).group_by(CheckInRecord.attendee_id)).all())
            )
            presences = Counter(p.attendee_id for p in db.exec(select(Presence)))
            where = {p.zone_id for p in db.exec(select(Presence))}
        assert records == keys_sent
        assert presences == Counter(p.id for p in crowd)
        assert where == {h.zones["coffee"]["id"]}

        # Whichever replica answers, the same people are suggested, for the same reasons.
        for person in crowd:
            answers = []
            for replica in replicas:
                with replica.client(person.token) as client:
                    response = client.get("/api/me/suggestions")
                assert response.status_code == 200, response.text
                answers.append(response.json())
            assert answers[0] == answers[1]
            assert len(answers[0]["suggestions"]) > 0

        # The worker nudges everyone during the break; then a few more of its ticks change nothing.
        deadline = time.monotonic() + 90
        while len({push.endpoint for push in receiver.received}) < CROWD:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.5)
        time.sleep(3)
        with Session(srv.engine) as db:
            nudges = db.exec(select(Nudge).where(Nudge.break_key == f"break:{pause['id']}")).all()
        per_reason = Counter((n.attendee_id, n.break_key, n.reason) for n in nudges)
        assert per_reason and set(per_reason.values()) == {1}
        assert {n.attendee_id for n in nudges} == {p.id for p in crowd}
        for person in crowd:
            delivered = [n for n in nudges if n.attendee_id == person.id and n.status == "delivered"]
            assert len(receiver.received_for(subscriptions[person.id])) == len(delivered) >= 1
        assert receiver.rejections == []
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=15)
        if receiver is not None:
            receiver.__exit__(None, None, None)
        for replica in replicas:
            replica.stop()
        srv.engine.dispose()


def check_in(replica: ServiceProcess, token: str, key: str, body: dict) -> int:
    with replica.client(token) as client:
        return client.post("/api/me/check-ins", json=body, headers={"Idempotency-Key": key}).status_code
