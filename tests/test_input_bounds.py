"""Ids no row can have (zero, negative, past the databases' INTEGER) are refused as bad input on every route
and in bodies, never handed to the database: SQLite cannot bind an int past 64 bits, PostgreSQL's integer
stops at 2**31 - 1, and either failure used to be a 500 (found by tests/test_fuzz.py)."""

import re

from tests import factories
from tests.test_access import MEMBER, OWN, SELF, build_world, operations

IMPOSSIBLE_IDS = [0, -1, 2**31, 2**70]


def test_impossible_ids_in_any_path_are_refused_with_422(srv):
    world = build_world(srv)
    owner = world["owner"]["tokens"]["access_token"]
    checked = 0
    failures = []
    for method, path, operation_id in operations(srv):
        names = re.findall(r"\{(\w+)\}", path)
        if not names:
            continue
        for bad in IMPOSSIBLE_IDS:
            for name in names:
                ids = world["ids"] | {name: bad}
                url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: str(ids[m.group(1)]), path)
                token = owner if operation_id in SELF | OWN | MEMBER else world["org_a"]  # the rightful caller
                with srv.client(token) as client:
                    response = client.request(method, url, headers={"Idempotency-Key": factories.new_key()})
                checked += 1
                if response.status_code != 422 or response.json()["error"] != "InvalidInput":
                    failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert checked > 100


def test_impossible_ids_in_bodies_are_refused_with_422(srv):
    world = build_world(srv)
    owner = world["owner"]["tokens"]["access_token"]
    event = world["ids"]["event_id"]
    when = {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T10:30:00Z"}
    for bad in IMPOSSIBLE_IDS:
        calls = [
            (owner, "/api/contact-requests", {"to_attendee_id": bad}),
            (owner, "/api/me/blocks", {"attendee_id": bad}),
            (owner, "/api/me/reports", {"attendee_id": bad, "reason": "other"}),
            (world["org_a"], f"/api/events/{event}/zones", {"name": "Hall", "kind": "lounge", "neighbour_ids": [bad]}),
            (world["org_a"], f"/api/events/{event}/talks", {"title": "T", "topic_ids": [bad]} | when),
            (world["org_a"], f"/api/events/{event}/talks", {"title": "T", "speaker_ids": [bad]} | when),
        ]
        for token, url, body in calls:
            with srv.client(token) as client:
                response = client.post(url, json=body, headers={"Idempotency-Key": factories.new_key()})
            assert response.status_code == 422, f"{url} {body}: {response.status_code} {response.text}"
            assert response.json()["error"] == "InvalidInput"
