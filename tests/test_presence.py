"""Check-in by poster or code, one presence per attendee, expiry with the break or the TTL, zone counts."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from api.core.db import utcnow
from api.presence.models import TRAIT_BITS, CheckInRecord, Presence, PresenceTopic
from api.presence.service import mark_changed
from tests import factories as f


def expire(db, attendee_id: int) -> None:
    """Move time past the attendee's presence (as if its break had ended)."""
    past = utcnow() - timedelta(seconds=1)
    db.execute(update(Presence).where(Presence.attendee_id == attendee_id).values(expires_at=past))
    db.execute(update(PresenceTopic).where(PresenceTopic.attendee_id == attendee_id).values(expires_at=past))
    mark_changed(db, [attendee_id])  # as every writer of these rows does, so the server's crowd reads them again
    db.commit()


def my_presence(srv, token: str):
    with srv.client(token) as client:
        response = client.get("/api/me/presence")
    assert response.status_code == 200
    return response.json()


def zone_counts(srv, token: str, event_id: int) -> dict[str, dict]:
    with srv.client(token) as client:
        response = client.get(f"/api/events/{event_id}/zone-counts")
    assert response.status_code == 200, response.text
    return {row["zone"]["name"]: row for row in response.json()}


@pytest.mark.parametrize("how", ["url", "raw token", "code", "code typed loosely"])
def test_check_in_by_poster_url_raw_token_or_typed_code(srv, how):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    coffee = h.zones["coffee"]
    body = {
        "url": {"token": coffee["checkin_url"]},
        "raw token": {"token": coffee["checkin_token"]},
        "code": {"code": coffee["code"]},
        "code typed loosely": {"code": f" {coffee['code'][:2].lower()}-{coffee['code'][2:].lower()} "},
    }[how]
    response = f.check_in(srv, me.token, **body)
    assert response.status_code == 201, response.text
    assert response.json()["zone"] == {"id": coffee["id"], "name": "Coffee bar", "kind": "coffee"}
    assert my_presence(srv, me.token)["zone"]["id"] == coffee["id"]


def test_rotated_wrong_and_other_event_posters_are_refused_clearly(srv, db):
    h = f.hallway(srv)
    other = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    old_url = h.zones["coffee"]["checkin_url"]
    with srv.client(h.organizer) as client:
        rotated = client.post(f"/api/events/{h.event['id']}/zones/{h.zones['coffee']['id']}/rotate-token")
    assert rotated.status_code == 200

    stale = f.check_in(srv, me.token, token=old_url)
    assert stale.status_code == 404
    assert stale.json()["error"] == "UnknownZone"
    assert "replaced" in stale.json()["detail"]

    foreign = f.check_in(srv, me.token, token=other.zones["coffee"]["checkin_url"])
    assert foreign.status_code == 404
    assert foreign.json()["detail"] == "This poster belongs to another event"

    # Zone codes never use 0 or O (they are read off a poster): this one exists nowhere.
    wrong_code = f.check_in(srv, me.token, code="OO00")
    assert wrong_code.status_code == 404
    assert wrong_code.json()["detail"] == "No zone of this event has the code OO00: check the poster"

    assert f.check_in(srv, me.token, token=rotated.json()["checkin_url"]).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"token": "x" * 10},
        {"token": "https://evil.example/elsewhere"},
        {"code": "!!"},
        {"token": "A" * 43, "code": "ABCD"},
        {"zone_id": 1},
    ],
)
def test_bad_check_in_input_gets_a_clear_error_and_changes_nothing(srv, db, body):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    response = f.check_in(srv, me.token, **body)
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidInput"
    assert my_presence(srv, me.token)["zone"]["name"] == "Coffee bar"
    assert len(db.exec(select(CheckInRecord)).all()) == 1


def test_one_presence_per_attendee_a_new_check_in_moves_them(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability", "Rust"])
    assert f.check_in(srv, me.token, code=h.zones["lounge"]["code"]).status_code == 201
    rows = db.exec(select(Presence).where(Presence.attendee_id == me.id)).all()
    assert [r.zone_id for r in rows] == [h.zones["lounge"]["id"]]
    indexed = db.exec(select(PresenceTopic.zone_id).where(PresenceTopic.attendee_id == me.id)).all()
    assert indexed == [h.zones["lounge"]["id"]] * 2
    assert my_presence(srv, me.token)["zone"]["name"] == "Lounge"
    # History keeps both check-ins.
    assert len(db.exec(select(CheckInRecord).where(CheckInRecord.attendee_id == me.id)).all()) == 2


def test_a_check_in_rewrites_the_topic_index_from_the_current_profile(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability", "Rust"], goals=["hire"])
    # A row left from an earlier presence, for a topic Léa no longer follows.
    db.add(PresenceTopic(attendee_id=me.id, topic_id=h.topics["eBPF"], zone_id=h.zones["coffee"]["id"],
                         expires_at=utcnow() - timedelta(hours=1), traits=0))  # fmt: skip
    db.commit()
    response = f.check_in(srv, me.token, code=h.zones["lounge"]["code"])
    assert response.status_code == 201
    expires_at = db.exec(select(Presence.expires_at).where(Presence.attendee_id == me.id)).one()
    rows = db.exec(select(PresenceTopic).where(PresenceTopic.attendee_id == me.id)).all()
    assert sorted(r.topic_id for r in rows) == sorted([h.topics["Observability"], h.topics["Rust"]])
    assert {(r.zone_id, r.expires_at, r.traits) for r in rows} == {
        (h.zones["lounge"]["id"], expires_at, TRAIT_BITS["hire"] | TRAIT_BITS["open_to_chat"] | TRAIT_BITS["vouched"])
    }
    # Hidden, a check-in still places Léa (the organizers' counts see her) but matching does not.
    f.update_me(srv, me.token, visible=False)
    assert f.check_in(srv, me.token, code=h.zones["coffee"]["code"]).status_code == 201
    assert db.exec(select(Presence.zone_id).where(Presence.attendee_id == me.id)).one() == h.zones["coffee"]["id"]
    assert db.exec(select(PresenceTopic).where(PresenceTopic.attendee_id == me.id)).all() == []


def test_leaving_ends_the_presence(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    with srv.client(me.token) as client:
        response = client.delete("/api/me/presence", headers={"Idempotency-Key": f.new_key()})
        assert response.status_code == 204
        # Leaving again is fine: the end state is the same.
        assert client.delete("/api/me/presence", headers={"Idempotency-Key": f.new_key()}).status_code == 204
    assert my_presence(srv, me.token) is None
    assert db.exec(select(Presence)).all() == []
    assert db.exec(select(PresenceTopic)).all() == []


def test_presence_expires_at_the_end_of_the_current_break(srv, db):
    h = f.hallway(srv)
    now = utcnow()
    with srv.client(h.organizer) as client:
        slot = client.post(
            f"/api/events/{h.event['id']}/breaks",
            json={
                "label": "Coffee break",
                "starts_at": (now - timedelta(minutes=5)).isoformat(),
                "ends_at": (now + timedelta(minutes=7)).isoformat(),
            },
        )
    assert slot.status_code == 201
    me = h.person(srv, "Léa", ["Observability"])
    presence = my_presence(srv, me.token)
    assert presence["expires_at"] == slot.json()["ends_at"]

    expire(db, me.id)  # the break is over
    assert my_presence(srv, me.token) is None
    with srv.client(me.token) as client:
        counts = client.get(f"/api/events/{h.event['id']}/zone-counts").json()
    assert all(row["people"] == "fewer than 3" for row in counts)


def test_presence_outside_breaks_expires_after_the_ttl(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    row = db.exec(select(Presence).where(Presence.attendee_id == me.id)).one()
    assert row.expires_at - row.checked_in_at == timedelta(minutes=srv.settings.presence_ttl_minutes)
    assert srv.settings.presence_ttl_minutes == 20


def test_check_in_is_closed_once_the_event_is_over(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], zone=None)
    from api.events.models import Event

    db.execute(update(Event).where(Event.id == h.event["id"]).values(ends_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    response = f.check_in(srv, me.token, code=h.zones["coffee"]["code"])
    assert response.status_code == 409
    assert "over" in response.json()["detail"]


def test_check_in_history_is_kept_per_minute_and_erased_with_the_attendee(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    other = h.person(srv, "Hugo", ["Rust"])
    record = db.exec(select(CheckInRecord).where(CheckInRecord.attendee_id == me.id)).one()
    assert record.checked_in_at.second == 0 and record.checked_in_at.microsecond == 0
    with srv.client(me.token) as client:
        assert client.delete("/api/me").status_code == 204
    db.expire_all()
    assert [r.attendee_id for r in db.exec(select(CheckInRecord)).all()] == [other.id]
    assert db.exec(select(Presence.attendee_id)).all() == [other.id]


def test_zone_counts_below_three_are_never_exact_and_count_only_people_seen_never_the_caller(srv):
    h = f.hallway(srv)
    people = [
        h.person(srv, "Léa", ["Observability", "Rust"]),
        h.person(srv, "Hugo", ["Observability", "Rust"]),
        h.person(srv, "Nina", ["Observability"]),
        h.person(srv, "Omar", ["Observability"]),
        h.person(srv, "Ghost", ["Observability"], visible=False),
        h.person(srv, "Fresh account", ["Observability"], vouched=False),
        h.person(srv, "Inès", ["Observability"], zone="buffet"),
        h.person(srv, "Théo", ["Rust"], zone="buffet"),
    ]
    counts = zone_counts(srv, people[0].token, h.event["id"])
    # Léa counts Hugo, Nina and Omar: not herself, not the hidden person, not the account no link vouched for.
    assert counts["Coffee bar"]["people"] == 3
    observability = {"id": h.topics["Observability"], "name": "Observability", "people": 3}
    assert counts["Coffee bar"]["top_topics"] == [observability]
    assert counts["Buffet"] == {"zone": counts["Buffet"]["zone"], "people": "fewer than 3", "top_topics": []}
    assert counts["Lounge"]["people"] == "fewer than 3"
    # The ghost sees counts too, of the others who chose to be seen.
    assert zone_counts(srv, people[4].token, h.event["id"])["Coffee bar"]["people"] == 4
    # The organizers' picture counts everyone present, still masked below three.
    organizers = zone_counts(srv, h.organizer, h.event["id"])
    assert organizers["Coffee bar"]["people"] == 6
    assert organizers["Coffee bar"]["top_topics"][0] == observability | {"people": 6}
    assert organizers["Buffet"]["people"] == "fewer than 3"


def test_two_fake_accounts_and_a_hidden_or_lone_person_stay_below_the_mask(srv):
    """The attack: two free accounts wait at the coffee bar, then someone arrives. Neither a hidden person nor
    a visible one may turn the figure into an exact 3 that points at them and their topics."""
    h = f.hallway(srv)
    fakes = [h.person(srv, f"Fake {i}", ["Observability"], vouched=False) for i in range(2)]
    watcher = h.person(srv, "Watcher", ["Observability"], vouched=False, zone=None)

    def coffee_bar(token: str) -> tuple:
        row = zone_counts(srv, token, h.event["id"])["Coffee bar"]
        return row["people"], row["top_topics"]

    h.person(srv, "Hidden", ["Observability"], visible=False)
    assert coffee_bar(fakes[0].token) == coffee_bar(watcher.token) == ("fewer than 3", [])
    h.person(srv, "Visible", ["Observability"])
    assert coffee_bar(fakes[0].token) == coffee_bar(watcher.token) == ("fewer than 3", [])


def test_visible_only_while_chosen_turning_visibility_off_removes_from_matching_at_once(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    assert db.exec(select(PresenceTopic).where(PresenceTopic.attendee_id == me.id)).all()
    profile = f.update_me(srv, me.token, visible=False)
    assert profile["visible"] is False and profile["findable_as_speaker"] is False
    assert db.exec(select(PresenceTopic).where(PresenceTopic.attendee_id == me.id)).all() == []
    f.update_me(srv, me.token, visible=True, interests=["Rust", "eBPF"])
    topics = db.exec(select(PresenceTopic.topic_id).where(PresenceTopic.attendee_id == me.id)).all()
    assert sorted(topics) == sorted([h.topics["Rust"], h.topics["eBPF"]])


def test_new_attendees_are_hidden_by_default(srv):
    h = f.hallway(srv)
    joined = f.join(srv, h.event["join_code"], "Nouvelle")
    assert joined["attendee"]["visible"] is False
    assert joined["attendee"]["findable_as_speaker"] is False


# Access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/me/check-ins"),
        ("GET", "/api/me/presence"),
        ("DELETE", "/api/me/presence"),
        ("GET", "/api/events/1/zone-counts"),
        ("GET", "/api/me/suggestions"),
        ("POST", "/api/me/blocks"),
        ("GET", "/api/me/blocks"),
        ("DELETE", "/api/me/blocks/1"),
        ("POST", "/api/me/reports"),
        ("GET", "/api/events/1/reports"),
    ],
)
def test_every_new_endpoint_refuses_a_missing_or_organizer_token(srv, method, path):
    f.hallway(srv)
    organizer = f.organizer_token(srv)
    with srv.client() as client:
        response = client.request(method, path, json={}, headers={"Idempotency-Key": f.new_key()})
    assert response.status_code == 401
    assert response.json()["error"] == "NotAuthenticated"
    if path.startswith("/api/me"):
        with srv.client(organizer) as client:
            response = client.request(method, path, json={}, headers={"Idempotency-Key": f.new_key()})
        assert response.status_code == 401


def test_zone_counts_are_for_the_event_members_only(srv):
    h = f.hallway(srv)
    other = f.hallway(srv)
    outsider = other.person(srv, "Outsider", ["Observability"])
    for token in (outsider.token, other.organizer):
        with srv.client(token) as client:
            response = client.get(f"/api/events/{h.event['id']}/zone-counts")
        assert response.status_code == 404


def test_a_check_in_moves_only_the_caller(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    other = h.person(srv, "Hugo", ["Observability"])
    assert f.check_in(srv, me.token, code=h.zones["lounge"]["code"]).status_code == 201
    with srv.client(me.token) as client:
        assert client.delete("/api/me/presence", headers={"Idempotency-Key": f.new_key()}).status_code == 204
    assert my_presence(srv, other.token)["zone"]["name"] == "Coffee bar"
