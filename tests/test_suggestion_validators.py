"""Suggestions carry an ETag; a phone sending it back in If-None-Match gets 304 while the answer would be
the same, and a new answer as soon as anything it is computed from changes (api/matching/service.py,
suggestions_unless_known). Each case below changes one thing and must see a new answer."""

import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from api.core.db import utcnow
from tests import factories as f
from tests.conftest import TEST_LIMITS, start_server
from tests.test_matching import add_talk


def ask(srv, token: str, etag: str | None = None):
    headers = {"If-None-Match": etag} if etag else {}
    with srv.client(token) as client:
        return client.get("/api/me/suggestions", headers=headers)


def organizer_patch(srv, h, path: str, body: dict) -> None:
    with srv.client(h.organizer) as client:
        response = client.patch(f"/api/events/{h.event['id']}{path}", json=body)
    assert response.status_code == 200, response.text


def connect(srv, one, other) -> None:
    with srv.client(other.token) as client:
        code = client.post("/api/me/connect-code").json()["code"]
    with srv.client(one.token) as client:
        response = client.post("/api/contacts/scan", json={"code": code}, headers={"Idempotency-Key": f.new_key()})
    assert response.status_code == 201, response.text


def block(srv, blocker, blocked) -> None:
    with srv.client(blocker.token) as client:
        response = client.post(
            "/api/me/blocks", json={"attendee_id": blocked.id}, headers={"Idempotency-Key": f.new_key()}
        )
    assert response.status_code == 201, response.text


def _save(srv, owner, other) -> None:
    with srv.client(owner.token) as client:
        response = client.put(f"/api/me/saved/{other.id}", headers={"Idempotency-Key": f.new_key()})
    assert response.status_code == 200, response.text


def leave(srv, person) -> None:
    with srv.client(person.token) as client:
        assert client.delete("/api/me/presence", headers={"Idempotency-Key": f.new_key()}).status_code == 204


def test_an_unchanged_answer_is_not_sent_again(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust", "eBPF"])
    h.person(srv, "Ana", ["Rust"])
    first = ask(srv, me.token)
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    assert "no-store" in first.headers["Cache-Control"] and "private" in first.headers["Cache-Control"]
    again = ask(srv, me.token, first.headers["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    # Without the validator, the same answer whole, with the same ETag.
    plain = ask(srv, me.token)
    assert plain.status_code == 200 and plain.json() == first.json()
    assert plain.headers["ETag"] == first.headers["ETag"]
    # Someone else's validator, or a made-up one, is no validator.
    assert ask(srv, me.token, '"made-up"').status_code == 200


def test_another_process_answers_304_for_the_same_answer(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"])
    h.person(srv, "Ana", ["Rust"])
    etag = ask(srv, me.token).headers["ETag"]
    for replica in start_server(srv.settings.data_dir, srv.settings.database_url, **TEST_LIMITS):
        assert ask(replica, me.token, etag).status_code == 304


# Each change: (srv, hallway, me, ana, ben, talk) -> None, after which my answer must be a new one.
CHANGES: dict[str, Callable] = {
    "my language": lambda srv, h, me, ana, ben, talk: f.update_me(srv, me.token, language="fr"),
    "my visibility": lambda srv, h, me, ana, ben, talk: f.update_me(srv, me.token, visible=False),
    "my topics": lambda srv, h, me, ana, ben, talk: f.update_me(srv, me.token, interests=["eBPF", "Security"]),
    "my goals": lambda srv, h, me, ana, ben, talk: f.update_me(srv, me.token, goals=["hire"]),
    "my zone": lambda srv, h, me, ana, ben, talk: f.check_in(srv, me.token, token=h.zones["buffet"]["checkin_url"]),
    "I leave": lambda srv, h, me, ana, ben, talk: leave(srv, me),
    "someone arrives in my zone": lambda srv, h, me, ana, ben, talk: f.check_in(
        srv, ben.token, token=h.zones["coffee"]["checkin_url"]
    ),
    "someone arrives next door": lambda srv, h, me, ana, ben, talk: f.check_in(
        srv, ben.token, token=h.zones["buffet"]["checkin_url"]
    ),
    "someone leaves": lambda srv, h, me, ana, ben, talk: leave(srv, ana),
    "someone hides": lambda srv, h, me, ana, ben, talk: f.update_me(srv, ana.token, visible=False),
    "someone's card": lambda srv, h, me, ana, ben, talk: f.update_me(srv, ana.token, headline="CTO at Nowhere"),
    "someone's name": lambda srv, h, me, ana, ben, talk: f.update_me(srv, ana.token, display_name="Anaïs"),
    "someone's topics": lambda srv, h, me, ana, ben, talk: f.update_me(srv, ana.token, interests=["Rust", "eBPF"]),
    "I block them": lambda srv, h, me, ana, ben, talk: block(srv, me, ana),
    "they block me": lambda srv, h, me, ana, ben, talk: block(srv, ana, me),
    "we become contacts": lambda srv, h, me, ana, ben, talk: connect(srv, me, ana),
    "a talk on our topic is added": lambda srv, h, me, ana, ben, talk: add_talk(
        srv, h, "Rust at scale", ["Rust"], timedelta(minutes=10)
    ),
    "the talk is renamed": lambda srv, h, me, ana, ben, talk: organizer_patch(
        srv, h, f"/talks/{talk['id']}", {"title": "Rust, the sequel"}
    ),
    "the talk moves out of the hour": lambda srv, h, me, ana, ben, talk: organizer_patch(
        srv,
        h,
        f"/talks/{talk['id']}",
        {
            "starts_at": (utcnow() + timedelta(hours=5)).isoformat(),
            "ends_at": (utcnow() + timedelta(hours=6)).isoformat(),
        },
    ),
    "a topic is renamed": lambda srv, h, me, ana, ben, talk: organizer_patch(
        srv, h, f"/topics/{h.topics['Security']}", {"name": "AppSec"}
    ),
    "I save someone": lambda srv, h, me, ana, ben, talk: _save(srv, me, ana),
    "my zone is renamed": lambda srv, h, me, ana, ben, talk: organizer_patch(
        srv, h, f"/zones/{h.zones['coffee']['id']}", {"name": "Espresso bar"}
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_the_answer_depends_on_gives_a_new_answer(srv, change):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust", "eBPF"], language="en")
    ana = h.person(srv, "Ana", ["Rust", "Security"], goals=["get_hired"])
    ben = h.person(srv, "Ben", ["Rust"], zone=None)
    # A talk on our topic is what the icebreaker speaks of, rather than the event's subject.
    talk = add_talk(srv, h, "Rust in production", ["Rust"], timedelta(minutes=20)) if "the talk" in change else None
    before = ask(srv, me.token)
    etag = before.headers["ETag"]
    assert ask(srv, me.token, etag).status_code == 304
    CHANGES[change](srv, h, me, ana, ben, talk)
    after = ask(srv, me.token, etag)
    assert after.status_code == 200, change
    assert after.json() != before.json()
    assert after.headers["ETag"] != etag
    assert ask(srv, me.token, after.headers["ETag"]).status_code == 304


def test_a_talk_that_ends_meanwhile_gives_a_new_answer(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], language="en")
    h.person(srv, "Ana", ["Rust"])
    # On now, ending in two seconds: then it "just ended", with nothing written anywhere.
    started = utcnow() - timedelta(minutes=40)
    talk = add_talk(srv, h, "Rust in production", ["Rust"], timedelta(minutes=-40))
    organizer_patch(srv, h, f"/talks/{talk['id']}", {"ends_at": (utcnow() + timedelta(seconds=2)).isoformat()})
    assert started < utcnow()
    before = ask(srv, me.token)
    time.sleep(2.5)
    after = ask(srv, me.token, before.headers["ETag"])
    assert after.status_code == 200 and after.json() != before.json()


def test_a_caller_gone_gets_no_304(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"])
    h.person(srv, "Ana", ["Rust"])
    etag = ask(srv, me.token).headers["ETag"]
    with srv.client(me.token) as client:
        assert client.delete("/api/me").status_code == 204
    assert ask(srv, me.token, etag).status_code == 401
