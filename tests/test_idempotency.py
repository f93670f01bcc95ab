"""Retried writes: the same Idempotency-Key replays the first response and never writes twice."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, insert
from sqlmodel import select

from api.core.db import utcnow
from api.core.idempotency import IdempotencyRecord, fingerprint
from api.presence.models import CheckInRecord, Presence
from api.presence.routes import CHECK_INS
from api.presence.schemas import CheckIn
from api.safety.models import Block, Report
from tests import factories as f


def test_a_retried_check_in_replays_the_first_response_without_a_second_row(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    key = f.new_key()
    first = f.check_in(srv, me.token, key=key, token=h.zones["coffee"]["checkin_url"])
    again = f.check_in(srv, me.token, key=key, token=h.zones["coffee"]["checkin_url"])
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(db.exec(select(CheckInRecord)).all()) == 1
    assert len(db.exec(select(IdempotencyRecord)).all()) == 1


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    key = f.new_key()
    assert f.check_in(srv, me.token, key=key, code=h.zones["coffee"]["code"]).status_code == 201
    reused = f.check_in(srv, me.token, key=key, code=h.zones["lounge"]["code"])
    assert reused.status_code == 422
    assert reused.json()["error"] == "IdempotencyKeyReused"
    assert db.exec(select(Presence.zone_id)).all() == [h.zones["coffee"]["id"]]
    assert len(db.exec(select(CheckInRecord)).all()) == 1


def test_a_key_reused_on_another_endpoint_is_refused(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    key = f.new_key()
    assert f.check_in(srv, me.token, key=key, code=h.zones["coffee"]["code"]).status_code == 201
    with srv.client(me.token) as client:
        leave = client.delete("/api/me/presence", headers={"Idempotency-Key": key})
    assert leave.status_code == 422
    assert leave.json()["error"] == "IdempotencyKeyReused"


def test_a_replayed_leave_does_not_end_a_later_presence(srv):
    """The offline queue: check in, leave, check in elsewhere; the leave's retry arrives late."""
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    leave_key = f.new_key()
    with srv.client(me.token) as client:
        assert client.delete("/api/me/presence", headers={"Idempotency-Key": leave_key}).status_code == 204
        assert f.check_in(srv, me.token, code=h.zones["lounge"]["code"]).status_code == 201
        retried = client.delete("/api/me/presence", headers={"Idempotency-Key": leave_key})
        assert retried.status_code == 204 and retried.headers["Idempotent-Replayed"] == "true"
        assert client.get("/api/me/presence").json()["zone"]["name"] == "Lounge"


def test_keys_are_scoped_per_attendee(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    other = h.person(srv, "Hugo", ["Observability"], zone=None)
    key = f.new_key()
    mine = f.check_in(srv, me.token, key=key, code=h.zones["coffee"]["code"])
    theirs = f.check_in(srv, other.token, key=key, code=h.zones["lounge"]["code"])
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["zone"]["name"] == "Lounge"
    assert len(db.exec(select(CheckInRecord)).all()) == 2


@pytest.mark.parametrize("key", [None, "", "short", "x" * 65, "has space inside", "key/with/slashes"])
def test_a_missing_or_malformed_key_is_refused_and_changes_nothing(srv, db, key):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    headers = {} if key is None else {"Idempotency-Key": key}
    with srv.client(me.token) as client:
        response = client.post("/api/me/check-ins", json={"code": h.zones["coffee"]["code"]}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "MissingIdempotencyKey"
    assert "Idempotency-Key" in response.json()["detail"]
    assert db.exec(select(Presence)).all() == []


def test_a_refused_request_stores_nothing_so_its_retry_is_judged_afresh(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    key = f.new_key()
    assert f.check_in(srv, me.token, key=key, code="OO00").status_code == 404
    assert db.exec(select(IdempotencyRecord)).all() == []
    assert f.check_in(srv, me.token, key=key, code=h.zones["coffee"]["code"]).status_code == 201


def test_concurrent_requests_with_one_key_run_once(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    key = f.new_key()

    def send(_):
        return f.check_in(srv, me.token, key=key, token=h.zones["coffee"]["checkin_url"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(send, range(6)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.text for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert len(db.exec(select(CheckInRecord)).all()) == 1


def test_block_and_report_retries_are_idempotent_too(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    other = h.person(srv, "Hugo", ["Observability"])
    block_key, report_key = f.new_key(), f.new_key()
    report = {"attendee_id": other.id, "reason": "spam", "details": "Pitched me three times"}
    with srv.client(me.token) as client:
        blocks = [client.post("/api/me/blocks", json={"attendee_id": other.id}, headers={"Idempotency-Key": block_key})
                  for _ in range(2)]  # fmt: skip
        reports = [client.post("/api/me/reports", json=report, headers={"Idempotency-Key": report_key})
                   for _ in range(2)]  # fmt: skip
    assert [b.status_code for b in blocks] == [201, 201] and blocks[0].json() == blocks[1].json()
    assert [r.status_code for r in reports] == [201, 201] and reports[0].json() == reports[1].json()
    assert len(db.exec(select(Block)).all()) == 1
    assert len(db.exec(select(Report)).all()) == 1


def test_a_retry_that_claims_the_key_between_read_and_write_is_replayed(srv, db):
    """PostgreSQL checks in a group with a read, then one statement that claims the keys and writes: a retry
    that commits its claim in between (read "no answer yet", then found claimed) answers with the stored one."""
    if srv.engine.dialect.name != "postgresql":
        pytest.skip("the one-statement check-in is PostgreSQL's; SQLite claims first, in its transaction")
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    key = f.new_key()
    body = {"token": h.zones["coffee"]["checkin_url"]}
    stored = {"zone": {"id": 0, "name": "the first one's", "kind": "coffee"}, "checked_in_at": "x", "expires_at": "y"}
    digest = fingerprint("check_in", CheckIn(**body))

    def claim_first(conn, cursor, statement, parameters, context, executemany):
        if "INSERT INTO check_in_record" in statement:
            with srv.engine.begin() as other:
                other.execute(insert(IdempotencyRecord).values(
                    attendee_id=me.id, key=key, fingerprint=digest, status_code=201, response_body=stored,
                    created_at=utcnow()))  # fmt: skip

    check_in_engine = srv.app.runtime.engine_of(CHECK_INS)
    event.listen(check_in_engine, "before_cursor_execute", claim_first)
    try:
        response = f.check_in(srv, me.token, key=key, **body)
    finally:
        event.remove(check_in_engine, "before_cursor_execute", claim_first)
    assert (response.status_code, response.json(), response.headers["Idempotent-Replayed"]) == (201, stored, "true")
    assert db.exec(select(CheckInRecord)).all() == []
    assert db.exec(select(Presence)).all() == []
