"""Nudges end to end: the policy picks who to nudge and when, the scheduler claims, encrypts and sends,
and a real receiver verifies the VAPID signature and decrypts what the phone would show."""

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlmodel import select

from api.core.db import utcnow
from api.events.models import Event
from api.matching.icebreakers import NBSP
from api.push.models import Nudge, PushSubscription
from api.push.policy import local_day
from api.push.scheduler import TOPICS
from api.push.service import notify_contact_request, vapid_keys
from tests import factories as f
from tests.conftest import TEST_LIMITS, start_server
from tests.push_receiver import PushReceiver

SHARED = ["Observability", "eBPF", "Rust"]


@pytest.fixture
def receiver(srv) -> Iterator[PushReceiver]:
    """Refuses pushes signed with any key but the server's, as real push services do."""
    with PushReceiver(application_server_key=vapid_keys(srv.settings).public_key) as running:
        yield running


def device(srv, receiver: PushReceiver, person: f.Person) -> dict:
    sub = receiver.new_subscription()
    assert f.subscribe(srv, person.token, sub).status_code == 201
    return sub


def shown(receiver: PushReceiver, sub: dict) -> list[dict]:
    """What the phone was given to show, oldest first; nothing the receiver refused."""
    assert receiver.rejections == []
    return [push.payload for push in receiver.received_for(sub)]


def act(srv, token: str, path: str, body: dict | None = None):
    """POST an action the way the app does, with its Idempotency-Key."""
    with srv.client(token) as client:
        return client.post(path, json=body, headers={"Idempotency-Key": f.new_key()})


def nudges(db) -> list[Nudge]:
    db.expire_all()
    return list(db.exec(select(Nudge).order_by(Nudge.id)))


def strong_match(srv, h: f.Hallway, zone: str | None = "coffee", **profile) -> f.Person:
    """Ada shares three topics with the people `me` makes and is hiring: a strong match for them."""
    return h.person(srv, "Ada Lovelace", SHARED, zone=zone, goals=["hire"], **profile)


def me(srv, h: f.Hallway, zone: str | None = "coffee", **profile) -> f.Person:
    return h.person(srv, "Léa Martin", SHARED, zone=zone, **{"goals": ["get_hired"], "language": "en"} | profile)


def test_a_strong_match_nearby_in_a_break_is_nudged_as_the_phone_shows_it(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h, zone="coffee")
    lea = me(srv, h, zone="buffet")  # next door to the coffee bar
    pause = f.add_break(srv, h.organizer, h.event["id"], started_minutes_ago=2, minutes_left=10)
    sub = device(srv, receiver, lea)

    report = f.nudge_tick(srv)

    [nudge] = nudges(db)
    assert (nudge.attendee_id, nudge.reason, nudge.break_key) == (lea.id, "match_nearby", f"break:{pause['id']}")
    assert (nudge.status, nudge.attempts, nudge.break_slot, nudge.day_slot) == ("delivered", 1, 1, 1)
    assert (report.planned, report.claimed, report.delivered) == (1, 1, 1)
    [push] = receiver.received_for(sub)
    assert push.payload == {
        "id": nudge.id,
        "reason": "match_nearby",
        "title": "Someone to meet at Coffee bar",
        "body": "You both follow Observability and Rust. Open Couloir to see who, and what to say.",
        "url": "/here",
        "tag": "nudge",
    }
    assert "Ada" not in json.dumps(push.payload)  # a lock screen never names anyone
    assert len(json.dumps(push.payload).encode()) < 1024
    assert 10 * 60 - 15 <= push.ttl <= 10 * 60  # what is left of the break
    assert (push.urgency, push.topic) == ("high", TOPICS["nudge"])
    assert receiver.rejections == []


def test_nudges_speak_the_attendees_language(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h, language="fr")
    f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)
    f.nudge_tick(srv)
    [payload] = shown(receiver, sub)
    assert payload["title"] == "Quelqu’un à rencontrer côté Coffee bar"
    assert payload["body"] == (
        f"Vous avez en commun{NBSP}: Observability et Rust. Ouvrez Couloir pour savoir qui, et quoi dire."
    )


def test_never_during_a_talk_nor_outside_a_break(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    sub = device(srv, receiver, lea)
    now = datetime.now(UTC)
    with srv.client(h.organizer) as client:
        talk = {"title": "Keynote", "starts_at": (now - timedelta(minutes=10)).isoformat(),
                "ends_at": (now + timedelta(minutes=30)).isoformat()}  # fmt: skip
        assert client.post(f"/api/events/{h.event['id']}/talks", json=talk).status_code == 201
    f.add_break(srv, h.organizer, h.event["id"], started_minutes_ago=30, minutes_left=-10)  # over
    f.add_break(srv, h.organizer, h.event["id"], started_minutes_ago=-30, minutes_left=45)  # to come

    report = f.nudge_tick(srv)

    assert report.planned == 0 and receiver.received == [] and nudges(db) == []
    # Control: the same people, once a break is under way.
    f.add_break(srv, h.organizer, h.event["id"])
    f.nudge_tick(srv)
    assert len(shown(receiver, sub)) == 1


def test_a_weak_match_is_not_worth_a_nudge(srv, db, receiver):
    h = f.hallway(srv)
    h.person(srv, "Ada Lovelace", ["Observability"])  # one shared topic, no goal that fits
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)
    assert f.nudge_tick(srv).planned == 0
    assert shown(receiver, sub) == [] and nudges(db) == []


def test_at_a_breaks_start_someone_not_checked_in_is_told_where_to_go(srv, db, receiver):
    h = f.hallway(srv)
    for name in ("Ada", "Grace", "Linus"):
        h.person(srv, name, ["Observability"], zone="coffee")
    for name in ("Ken", "Dennis"):
        h.person(srv, name, ["Rust"], zone="lounge")  # two are never counted aloud
    lea = me(srv, h, zone=None)
    f.add_break(srv, h.organizer, h.event["id"], started_minutes_ago=1)
    sub = device(srv, receiver, lea)

    f.nudge_tick(srv)

    [push] = receiver.received_for(sub)
    assert {k: push.payload[k] for k in ("reason", "title", "body", "url")} == {
        "reason": "where_to_go",
        "title": "Where to go this break",
        "body": "3 people at Coffee bar are into Observability.",
        "url": "/here",
    }
    assert push.urgency == "normal"
    assert not [name for name in ("Ada", "Grace", "Linus") if name in json.dumps(push.payload)]


def test_where_to_go_only_in_a_breaks_first_minutes_and_never_below_three(srv, db, receiver):
    h = f.hallway(srv)
    for name in ("Ada", "Grace", "Linus"):
        h.person(srv, name, ["Observability"], zone="coffee")
    for name in ("Ken", "Dennis"):
        h.person(srv, name, ["Rust"], zone="lounge")
    late = me(srv, h, zone=None)
    few = h.person(srv, "Bjarne", ["Rust"], zone=None)
    f.add_break(srv, h.organizer, h.event["id"], started_minutes_ago=srv.settings.nudge_where_to_go_minutes + 1)
    late_sub, few_sub = device(srv, receiver, late), device(srv, receiver, few)
    assert f.nudge_tick(srv).planned == 0
    assert shown(receiver, late_sub) == shown(receiver, few_sub) == []


def test_free_accounts_and_hidden_people_never_make_a_where_to_go_count(srv, db, receiver):
    """Two accounts made with the join code, a hidden person and one visible person follow Observability at
    the coffee bar: "3 people at Coffee bar..." would point at a real one. Only vouched, visible people count."""
    h = f.hallway(srv)
    for name in ("Fake 1", "Fake 2"):
        h.person(srv, name, ["Observability"], zone="coffee", vouched=False)
    h.person(srv, "Casper", ["Observability"], zone="coffee", visible=False)
    h.person(srv, "Ada", ["Observability"], zone="coffee")
    lea = me(srv, h, zone=None)
    f.add_break(srv, h.organizer, h.event["id"], started_minutes_ago=1)
    sub = device(srv, receiver, lea)
    assert f.nudge_tick(srv).planned == 0
    assert shown(receiver, sub) == []


def test_a_hidden_attendee_may_be_told_where_to_go_but_is_never_shown_by_name(srv, db, receiver):
    h = f.hallway(srv)
    for name in ("Ada", "Grace", "Linus"):
        h.person(srv, name, ["Observability"], zone="coffee")
    ghost_out = h.person(srv, "Casper", ["Observability"], zone=None, visible=False)
    ghost_in = me(srv, h, zone="coffee", visible=False)  # checked in, hidden: sees no one by name
    strong_match(srv, h, zone="coffee")
    f.add_break(srv, h.organizer, h.event["id"])
    out_sub, in_sub = device(srv, receiver, ghost_out), device(srv, receiver, ghost_in)

    f.nudge_tick(srv)

    assert [p["reason"] for p in shown(receiver, out_sub)] == ["where_to_go"]
    assert shown(receiver, in_sub) == []


def test_a_hidden_match_is_never_the_subject_of_a_nudge(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h, visible=False)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)
    f.nudge_tick(srv)
    assert shown(receiver, sub) == [] and nudges(db) == []


@pytest.mark.parametrize("who_blocks", ["me", "them"])
def test_blocks_hold_both_ways_for_matches_and_for_counts(srv, db, receiver, who_blocks):
    h = f.hallway(srv)
    ada = strong_match(srv, h)
    for name in ("Grace", "Linus"):
        h.person(srv, name, ["Observability"], zone="coffee")
    near = me(srv, h, zone="buffet")
    away = me(srv, h, zone="coffee")  # they meet, one blocks the other, then `away` leaves
    for person in (near, away):
        blocker, blocked = (person, ada) if who_blocks == "me" else (ada, person)
        response = act(srv, blocker.token, "/api/me/blocks", {"attendee_id": blocked.id})
        assert response.status_code == 201, response.text
    with srv.client(away.token) as client:
        assert client.delete("/api/me/presence", headers={"Idempotency-Key": f.new_key()}).status_code == 204
    f.add_break(srv, h.organizer, h.event["id"])
    near_sub, away_sub = device(srv, receiver, near), device(srv, receiver, away)

    # Near: Ada is the only strong match. Away: Ada makes three at the coffee bar, two without her.
    assert f.nudge_tick(srv).planned == 0
    assert shown(receiver, near_sub) == shown(receiver, away_sub) == []


def test_at_most_two_nudges_per_break(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    for name in ("Grace", "Linus"):
        h.person(srv, name, ["Observability"], zone="coffee")
    speaker = h.person(srv, "Brendan Gregg", SHARED, zone=None, findable_as_speaker=True)
    lea = me(srv, h, zone=None)
    now = datetime.now(UTC)
    with srv.client(h.organizer) as client:
        role = client.patch(f"/api/events/{h.event['id']}/attendees/{speaker.id}/role", json={"role": "speaker"})
        assert role.status_code == 200, role.text
        talk = {
            "title": "Tracing the kernel with eBPF",
            "speaker_ids": [speaker.id],
            "starts_at": (now - timedelta(minutes=50)).isoformat(),
            "ends_at": (now - timedelta(minutes=5)).isoformat(),
        }
        assert client.post(f"/api/events/{h.event['id']}/talks", json=talk).status_code == 201
    pause = f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)

    f.nudge_tick(srv)  # not checked in: where to go
    assert f.check_in(srv, lea.token, token=h.zones["coffee"]["checkin_url"]).status_code == 201
    f.nudge_tick(srv)  # at the coffee bar, next to Ada
    assert f.check_in(srv, speaker.token, token=h.zones["buffet"]["checkin_url"]).status_code == 201
    third = f.nudge_tick(srv)  # the speaker arrives next door: a third nudge would be one too many

    assert [p["reason"] for p in shown(receiver, sub)] == ["where_to_go", "match_nearby"]
    assert third.planned == 0
    key = f"break:{pause['id']}"
    assert [(n.break_key, n.break_slot) for n in nudges(db)] == [(key, 1), (key, 2)]
    # Every nudge of a break shares one Topic: a newer one replaces an unread older one.
    assert {push.topic for push in receiver.received_for(sub)} == {TOPICS["nudge"]}

    # Control: had those two been in another break, the speaker was worth a nudge.
    db.execute(update(Nudge).values(break_key="break:0"))
    db.commit()
    f.nudge_tick(srv)
    speaker_push = shown(receiver, sub)[-1]
    assert speaker_push["reason"] == "speaker_nearby"
    assert speaker_push["title"] == "A speaker is at Buffet"
    assert speaker_push["body"] == "The speaker of “Tracing the kernel with eBPF” is there: a good moment to say hello."


def test_at_most_six_nudges_per_day(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)
    today = local_day(db.get(Event, h.event["id"]), utcnow())
    earlier = [  # two in each of three earlier breaks today
        Nudge(
            attendee_id=lea.id,
            event_id=h.event["id"],
            break_key=f"break:{-(i // 2)}",
            reason=reason,
            day=today,
            break_slot=i % 2 + 1,
            day_slot=i + 1,
            status="delivered",
        )
        for i, reason in enumerate(["where_to_go", "match_nearby"] * 3)
    ]
    db.add_all(earlier)
    db.commit()

    assert f.nudge_tick(srv).planned == 0  # a seventh today
    assert shown(receiver, sub) == []

    db.execute(delete(Nudge).where(Nudge.id == earlier[-1].id))
    db.commit()
    f.nudge_tick(srv)  # the sixth
    assert [p["reason"] for p in shown(receiver, sub)] == ["match_nearby"]
    assert nudges(db)[-1].day_slot == 6


@pytest.mark.parametrize(
    ("preferences", "expected"),
    [
        ({"enabled": False}, []),
        ({"break_nudges": False}, []),
        ({"speaker_nearby": False, "contact_requests": False}, ["match_nearby"]),
    ],
)
def test_preferences_and_the_global_off_switch(srv, db, receiver, preferences, expected):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)
    with srv.client(lea.token) as client:
        body = {"enabled": True, "break_nudges": True, "speaker_nearby": True, "contact_requests": True} | preferences
        assert client.put("/api/me/push-preferences", json=body).status_code == 200
    f.nudge_tick(srv)
    assert [p["reason"] for p in shown(receiver, sub)] == expected


def test_a_gone_device_is_deleted_and_the_others_still_get_the_nudge(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    old_phone, phone = device(srv, receiver, lea), device(srv, receiver, lea)
    receiver.mark_gone(old_phone)

    report = f.nudge_tick(srv)

    assert receiver.hits(old_phone) == 1 and len(shown(receiver, phone)) == 1
    assert report.subscriptions_gone == 1
    assert [s.endpoint for s in db.exec(select(PushSubscription))] == [phone["endpoint"]]
    assert nudges(db)[0].status == "delivered"


def test_a_nudge_whose_only_device_is_gone_is_recorded_gone(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    receiver.mark_gone(device(srv, receiver, lea))
    f.nudge_tick(srv)
    assert [(n.status, n.attempts) for n in nudges(db)] == [("gone", 1)]
    assert db.exec(select(PushSubscription)).all() == []


def test_a_throttled_push_is_retried_then_delivered(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)
    receiver.fail_next(sub, 1, status=429)

    f.nudge_tick(srv)

    assert receiver.hits(sub) == 2 and len(shown(receiver, sub)) == 1
    assert [(n.status, n.attempts) for n in nudges(db)] == [("delivered", 2)]


def test_a_push_that_keeps_failing_is_recorded_failed_and_not_sent_again(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)
    receiver.fail_next(sub, 1, status=400)

    f.nudge_tick(srv)
    f.nudge_tick(srv)

    assert receiver.hits(sub) == 1
    assert [(n.status, n.attempts) for n in nudges(db)] == [("failed", 1)]


def test_an_organizers_hallway_moment_counts_as_a_break(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    sub = device(srv, receiver, lea)
    assert f.nudge_tick(srv).planned == 0
    with srv.client(h.organizer) as client:
        moment = client.post(f"/api/events/{h.event['id']}/hallway-moments", json={"minutes": 5})
    assert moment.status_code == 201, moment.text

    f.nudge_tick(srv)

    [push] = receiver.received_for(sub)
    assert push.payload["reason"] == "match_nearby"
    assert 5 * 60 - 15 <= push.ttl <= 5 * 60
    assert nudges(db)[0].break_key == f"moment:{moment.json()['id']}"


def test_the_tapped_nudge_is_recorded_opened(srv, db, receiver):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)
    f.nudge_tick(srv)
    [payload] = shown(receiver, sub)
    with srv.client(lea.token) as client:  # what the service worker does on notificationclick
        assert client.post(f"/api/me/nudges/{payload['id']}/opened").status_code == 204
    assert nudges(db)[0].opened_at is not None


def test_the_scheduler_runs_inside_the_service_by_default(srv, migrated_url, db, receiver, tmp_path):
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    sub = device(srv, receiver, lea)
    overrides = TEST_LIMITS | {"run_scheduler_in_process": True, "nudge_interval_seconds": 0.2}
    for _ in start_server(srv.settings.data_dir, migrated_url, **overrides):
        deadline = time.monotonic() + 60
        while not receiver.received_for(sub) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # a few more ticks: still one nudge
    assert len(shown(receiver, sub)) == 1
    assert [n.status for n in nudges(db)] == ["delivered"]


def test_contact_requests_wait_for_a_break_and_go_out_once(srv, db, receiver):
    h = f.hallway(srv)
    ada = strong_match(srv, h)
    # They ask Léa next to her at the coffee bar (sharing none of her topics, so no match to nudge about).
    grace, linus = (h.person(srv, name, ["FinOps"], zone="coffee") for name in ("Grace Hopper", "Linus Torvalds"))
    lea = me(srv, h)
    sub = device(srv, receiver, lea)
    requests = {}
    for sender in (ada, grace, linus):
        sent = act(srv, sender.token, "/api/contact-requests", {"to_attendee_id": lea.id})
        assert sent.status_code == 201, sent.text
        requests[sender.name] = sent.json()["id"]
        notify_contact_request(db, requests[sender.name])
        notify_contact_request(db, requests[sender.name])  # twice is still one push
        db.commit()
    assert act(srv, lea.token, f"/api/contact-requests/{requests['Linus Torvalds']}/decline").status_code == 204

    # No break (the talk slot): held.
    f.nudge_tick(srv)
    assert receiver.received == []
    assert [n.status for n in nudges(db)] == ["pending"] * 3

    f.add_break(srv, h.organizer, h.event["id"], minutes_left=8)
    f.nudge_tick(srv)
    f.nudge_tick(srv)

    contact = [p for p in receiver.received_for(sub) if p.payload["reason"] == "contact_request"]
    [push] = contact
    assert {k: push.payload[k] for k in ("title", "body", "url")} == {
        "title": "2 new contact requests",
        "body": "Grace Hopper would like to exchange details with you.",
        "url": "/contacts",
    }
    assert (push.topic, push.urgency) == (TOPICS["contact"], "normal")
    assert 8 * 60 - 15 <= push.ttl <= 8 * 60
    by_request = {n.contact_request_id: n for n in nudges(db) if n.reason == "contact_request"}
    assert [by_request[requests[name]].status for name in ("Ada Lovelace", "Grace Hopper", "Linus Torvalds")] == [
        "delivered", "delivered", "dropped",
    ]  # fmt: skip
    # Outside the nudge budget: Ada, a strong match nearby, is still worth her own nudge.
    assert sorted(p.payload["reason"] for p in receiver.received_for(sub)) == ["contact_request", "match_nearby"]


def test_contact_request_pushes_follow_the_preference_at_sending_time(srv, db, receiver):
    h = f.hallway(srv)
    ada = h.person(srv, "Ada Lovelace", ["FinOps"], zone="lounge")  # she asks Léa next to her
    lea = me(srv, h, zone="lounge")
    sub = device(srv, receiver, lea)
    sent = act(srv, ada.token, "/api/contact-requests", {"to_attendee_id": lea.id})
    notify_contact_request(db, sent.json()["id"])
    db.commit()
    with srv.client(lea.token) as client:
        body = {"enabled": True, "break_nudges": True, "speaker_nearby": True, "contact_requests": False}
        assert client.put("/api/me/push-preferences", json=body).status_code == 200
    f.add_break(srv, h.organizer, h.event["id"])
    f.nudge_tick(srv)
    assert shown(receiver, sub) == []
    assert [n.status for n in nudges(db)] == ["dropped"]


def test_a_host_that_now_resolves_privately_is_not_posted_to(srv, db, receiver):
    """DNS rebinding: the endpoint's host was public at subscription time, and leads inside now."""
    h = f.hallway(srv)
    strong_match(srv, h)
    lea = me(srv, h)
    f.add_break(srv, h.organizer, h.event["id"])
    keys = receiver.new_subscription()["keys"]
    now = utcnow()
    db.add(PushSubscription(attendee_id=lea.id, endpoint="https://push.example/abc", created_at=now, updated_at=now,
                            **keys))  # fmt: skip
    db.commit()
    production = srv.settings.model_copy(update={"push_allow_private_endpoints": False})

    report = f.nudge_tick(srv, production, resolve=lambda host, port: ["10.0.0.5"])

    assert (report.claimed, report.delivered, report.dropped) == (1, 0, 1)
    assert [n.status for n in nudges(db)] == ["dropped"]
