"""Rendezvous: proposed to someone one may be shown, answered, cancelled, met; one per person and break."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from api.rendezvous.models import Rendezvous, RendezvousPlace
from tests import factories as f


def post(srv, token: str, path: str, body: dict | None = None, *, key: str | None = None):
    with srv.client(token) as client:
        return client.post(path, json=body or {}, headers={"Idempotency-Key": key or f.new_key()})


def propose(srv, who, to, slot, zone, **body):
    return post(
        srv,
        who.token,
        "/api/me/rendezvous",
        {"attendee_id": to.id, "break_id": slot["id"], "zone_id": zone["id"]} | body,
    )


def answer(srv, who, rendezvous_id: int, verb: str, body: dict | None = None):
    return post(srv, who.token, f"/api/me/rendezvous/{rendezvous_id}/{verb}", body)


def mine(srv, who) -> list[dict]:
    with srv.client(who.token) as client:
        response = client.get("/api/me/rendezvous")
    assert response.status_code == 200, response.text
    return response.json()


def coming_break(srv, h, *, in_minutes: float = 30, label: str = "Coffee break") -> dict:
    slot = f.add_break(srv, h.organizer, h.event["id"], started_minutes_ago=-in_minutes, minutes_left=in_minutes + 20)
    return slot | {"label": label}


@pytest.fixture
def pair(srv):
    h = f.hallway(srv)
    ann = h.person(srv, "Ann", ["Observability"])
    bob = h.person(srv, "Bob", ["Observability"])
    return h, ann, bob


def test_a_proposal_agreed_is_one_rendezvous_both_see(srv, pair):
    h, ann, bob = pair
    slot = coming_break(srv, h)
    proposed = propose(srv, ann, bob, slot, h.zones["coffee"], message="By the espresso machine?")
    assert proposed.status_code == 201, proposed.text
    sent = proposed.json()
    assert sent["state"] == "proposed" and sent["proposed_by_me"] and not sent["awaiting_my_answer"]
    assert (sent["person"]["id"], sent["person"]["display_name"]) == (bob.id, "Bob")
    assert sent["zone"]["name"] == "Coffee bar" and sent["at_break"]["id"] == slot["id"]
    [received] = mine(srv, bob)
    assert received["awaiting_my_answer"] and received["message"] == "By the espresso machine?"
    assert (received["person"]["id"], received["person"]["display_name"]) == (ann.id, "Ann")
    accepted = answer(srv, bob, received["id"], "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "accepted"
    assert [r["state"] for r in mine(srv, ann)] == ["accepted"]


def test_each_side_sees_how_to_find_the_other(srv, pair):
    h, ann, bob = pair
    f.update_me(srv, bob.token, find_me_hint="Red scarf, by the window", headline="SRE")
    propose(srv, ann, bob, coming_break(srv, h), h.zones["coffee"])
    [mine_] = mine(srv, ann)
    assert mine_["person"]["find_me_hint"] == "Red scarf, by the window" and mine_["person"]["headline"] == "SRE"
    assert mine_["person"]["photo_url"] is None


def test_only_someone_i_may_be_shown_can_be_asked_and_others_read_as_unknown(srv, db):
    h = f.hallway(srv)
    ann = h.person(srv, "Ann", ["Observability"])
    near = h.person(srv, "Bob", ["Observability"], zone="buffet")  # a neighbouring zone: shown
    far = h.person(srv, "Cleo", ["Observability"], zone="lounge")  # elsewhere, no tie
    hidden = h.person(srv, "Dan", ["Observability"], visible=False)
    blocked = h.person(srv, "Eve", ["Observability"])
    assert post(srv, blocked.token, "/api/me/blocks", {"attendee_id": ann.id}).status_code == 201
    other = f.hallway(srv)
    elsewhere = other.person(srv, "Fay", ["Observability"])
    slot = coming_break(srv, h)
    assert propose(srv, ann, near, slot, h.zones["coffee"]).status_code == 201
    unknown = post(
        srv,
        ann.token,
        "/api/me/rendezvous",
        {"attendee_id": 999_999, "break_id": slot["id"], "zone_id": h.zones["coffee"]["id"]},
    )
    assert unknown.status_code == 404
    for person in (far, hidden, blocked, elsewhere):
        refused = propose(srv, ann, person, slot, h.zones["coffee"])
        assert (refused.status_code, refused.json()) == (404, unknown.json()), person.name
    # Nor a break or a zone of another event.
    other_slot = coming_break(srv, other)
    assert propose(srv, ann, near, other_slot, h.zones["coffee"]).json()["error"] == "NotFound"
    assert propose(srv, ann, near, slot, other.zones["coffee"]).json()["error"] == "NotFound"
    assert propose(srv, ann, ann, slot, h.zones["coffee"]).status_code == 422
    assert len(db.exec(select(Rendezvous)).all()) == 1


def test_no_one_else_can_read_or_answer_a_rendezvous(srv, pair):
    h, ann, bob = pair
    intruder = h.person(srv, "Cleo", ["Observability"])
    outsider = f.hallway(srv).person(srv, "Dan", ["Observability"])
    rendezvous = propose(srv, ann, bob, coming_break(srv, h), h.zones["coffee"]).json()
    nonexistent = answer(srv, intruder, 999_999, "accept")
    assert nonexistent.status_code == 404
    for person in (intruder, outsider):
        assert mine(srv, person) == []
        for verb in ("accept", "decline", "cancel", "met"):
            refused = answer(srv, person, rendezvous["id"], verb)
            assert (refused.status_code, refused.json()) == (404, nonexistent.json()), (person.name, verb)
    assert [r["state"] for r in mine(srv, bob)] == ["proposed"]


def test_one_rendezvous_per_person_and_break(srv, pair, db):
    h, ann, bob = pair
    cleo = h.person(srv, "Cleo", ["Observability"])
    slot, later = coming_break(srv, h), coming_break(srv, h, in_minutes=90)
    first = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    again = propose(srv, ann, cleo, slot, h.zones["coffee"])
    assert again.status_code == 409 and again.json()["error"] == "AlreadyProposed"
    assert answer(srv, bob, first["id"], "accept").status_code == 200
    busy = propose(srv, ann, cleo, slot, h.zones["buffet"])
    assert busy.status_code == 409 and busy.json()["error"] == "AlreadyBusy"
    # Cleo may still ask Bob (she cannot tell he is taken), but Bob cannot accept a second one.
    to_bob = propose(srv, cleo, bob, slot, h.zones["buffet"])
    assert to_bob.status_code == 201 and to_bob.json()["state"] == "proposed"
    refused = answer(srv, bob, to_bob.json()["id"], "accept")
    assert refused.status_code == 409 and refused.json()["error"] == "AlreadyBusy"
    assert propose(srv, ann, cleo, later, h.zones["coffee"]).status_code == 201
    assert len(db.exec(select(RendezvousPlace)).all()) == 2


def test_accepting_withdraws_my_other_proposal_for_that_break(srv, pair):
    h, ann, bob = pair
    cleo = h.person(srv, "Cleo", ["Observability"])
    slot = coming_break(srv, h)
    mine_to_cleo = propose(srv, bob, cleo, slot, h.zones["coffee"]).json()
    from_ann = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    assert answer(srv, bob, from_ann["id"], "accept").json()["state"] == "accepted"
    [withdrawn] = [r for r in mine(srv, cleo) if r["id"] == mine_to_cleo["id"]]
    assert withdrawn["state"] == "cancelled" and not withdrawn["awaiting_my_answer"]
    assert answer(srv, cleo, mine_to_cleo["id"], "accept").status_code == 409


@pytest.mark.parametrize("same_zone", [True, False])
def test_two_crossing_proposals_end_as_one_rendezvous(srv, pair, db, same_zone):
    h, ann, bob = pair
    slot = coming_break(srv, h)
    assert propose(srv, ann, bob, slot, h.zones["coffee"]).status_code == 201
    crossing = propose(srv, bob, ann, slot, h.zones["coffee" if same_zone else "buffet"])
    assert crossing.status_code == 201, crossing.text
    [row] = db.exec(select(Rendezvous)).all()
    if same_zone:
        assert crossing.json()["state"] == "accepted"
    else:
        assert crossing.json()["state"] == "proposed" and crossing.json()["proposed_by_me"]
        [for_ann] = mine(srv, ann)
        assert for_ann["awaiting_my_answer"] and for_ann["zone"]["name"] == "Buffet"
    assert row.id == crossing.json()["id"]


def test_a_decline_says_not_this_time_and_nothing_more(srv, pair):
    h, ann, bob = pair
    slot = coming_break(srv, h)
    rendezvous = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    declined = answer(srv, bob, rendezvous["id"], "decline")
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    assert mine(srv, bob) == []
    [told] = mine(srv, ann)
    assert told["state"] == "declined" and set(told) == set(rendezvous)
    asked_again = propose(srv, ann, bob, slot, h.zones["buffet"])
    assert asked_again.status_code == 409
    assert propose(srv, ann, bob, coming_break(srv, h, in_minutes=90), h.zones["coffee"]).status_code == 201


def test_a_counter_proposal_moves_the_same_rendezvous(srv, pair, db):
    h, ann, bob = pair
    slot, later = coming_break(srv, h), coming_break(srv, h, in_minutes=90)
    rendezvous = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    countered = answer(
        srv, bob, rendezvous["id"], "counter", {"break_id": later["id"], "zone_id": h.zones["buffet"]["id"]}
    )
    assert countered.status_code == 200, countered.text
    assert countered.json()["at_break"]["id"] == later["id"] and not countered.json()["awaiting_my_answer"]
    assert answer(srv, bob, rendezvous["id"], "accept").status_code == 409  # now it waits for Ann
    assert answer(srv, ann, rendezvous["id"], "accept").json()["state"] == "accepted"
    [row] = db.exec(select(Rendezvous)).all()
    assert row.uid == db.get(Rendezvous, rendezvous["id"]).uid and row.sequence == 2


def test_either_side_cancels_and_the_break_is_free_again(srv, pair):
    h, ann, bob = pair
    cleo = h.person(srv, "Cleo", ["Observability"])
    slot = coming_break(srv, h)
    rendezvous = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    answer(srv, bob, rendezvous["id"], "accept")
    cancelled = answer(srv, bob, rendezvous["id"], "cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert [r["state"] for r in mine(srv, ann)] == ["cancelled"]
    assert propose(srv, ann, cleo, slot, h.zones["coffee"]).status_code == 201


def test_we_met_from_the_break_s_start(srv, pair, db):
    h, ann, bob = pair
    slot = coming_break(srv, h)
    rendezvous = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    assert answer(srv, ann, rendezvous["id"], "met").status_code == 409  # not agreed yet
    answer(srv, bob, rendezvous["id"], "accept")
    early = answer(srv, ann, rendezvous["id"], "met")
    assert early.status_code == 409 and "not started" in early.json()["detail"]
    from api.agenda.models import AgendaBreak

    row = db.get(AgendaBreak, slot["id"])
    row.starts_at = datetime.now(UTC) - timedelta(minutes=1)
    db.add(row)
    db.commit()
    met = answer(srv, ann, rendezvous["id"], "met")
    assert met.status_code == 200 and met.json()["state"] == "met" and met.json()["is_contact"] is False


def test_an_unconfirmed_rendezvous_is_over_after_its_break(srv, pair, db):
    h, ann, bob = pair
    slot = coming_break(srv, h)
    rendezvous = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    from api.agenda.models import AgendaBreak

    row = db.get(AgendaBreak, slot["id"])
    row.starts_at, row.ends_at = datetime.now(UTC) - timedelta(minutes=30), datetime.now(UTC) - timedelta(minutes=1)
    db.add(row)
    db.commit()
    [over] = mine(srv, bob)
    assert over["state"] == "over" and not over["awaiting_my_answer"]
    assert answer(srv, bob, rendezvous["id"], "accept").status_code == 409
    past = propose(srv, ann, bob, slot, h.zones["coffee"])
    assert past.status_code == 422 and "over" in past.json()["detail"]


def test_now_means_the_break_under_way(srv, pair):
    h, ann, bob = pair
    body = {"attendee_id": bob.id, "zone_id": h.zones["coffee"]["id"]}
    none_now = post(srv, ann.token, "/api/me/rendezvous", body)
    assert none_now.status_code == 422 and "No break" in none_now.json()["detail"]
    current = f.add_break(srv, h.organizer, h.event["id"])
    now = post(srv, ann.token, "/api/me/rendezvous", body)
    assert now.status_code == 201 and now.json()["at_break"]["id"] == current["id"]


def test_a_block_ends_every_rendezvous_of_the_pair(srv, pair, db):
    h, ann, bob = pair
    first = propose(srv, ann, bob, coming_break(srv, h), h.zones["coffee"]).json()
    answer(srv, bob, first["id"], "accept")
    propose(srv, bob, ann, coming_break(srv, h, in_minutes=90), h.zones["buffet"])
    assert post(srv, bob.token, "/api/me/blocks", {"attendee_id": ann.id}).status_code == 201
    assert mine(srv, ann) == [] and mine(srv, bob) == []
    assert db.exec(select(Rendezvous)).all() == [] and db.exec(select(RendezvousPlace)).all() == []


def test_proposals_waiting_for_strangers_are_few_at_a_time(srv, db):
    h = f.hallway(srv)
    ann = h.person(srv, "Ann", ["Observability"])
    cap = srv.settings.rendezvous_waiting_strangers
    strangers = [h.person(srv, f"Stranger {i}", ["Observability"]) for i in range(cap + 1)]
    slots = [coming_break(srv, h, in_minutes=30 + 60 * i) for i in range(cap + 1)]
    for person, slot in zip(strangers[:cap], slots, strict=False):
        assert propose(srv, ann, person, slot, h.zones["coffee"]).status_code == 201
    refused = propose(srv, ann, strangers[cap], slots[cap], h.zones["coffee"])
    assert refused.status_code == 409 and refused.json()["error"] == "TooManyWaiting"
    # An answer frees a place.
    waiting = db.exec(select(Rendezvous).where(Rendezvous.awaiting_id == strangers[0].id)).one()
    answer(srv, strangers[0], waiting.id, "decline")
    assert propose(srv, ann, strangers[cap], slots[cap], h.zones["coffee"]).status_code == 201


def test_a_retried_proposal_is_made_once(srv, pair, db):
    h, ann, bob = pair
    slot = coming_break(srv, h)
    key = f.new_key()
    body = {"attendee_id": bob.id, "break_id": slot["id"], "zone_id": h.zones["coffee"]["id"]}
    first = post(srv, ann.token, "/api/me/rendezvous", body, key=key)
    replay = post(srv, ann.token, "/api/me/rendezvous", body, key=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert len(db.exec(select(Rendezvous)).all()) == 1
    accept_key = f.new_key()
    for _ in range(2):
        assert (
            post(srv, bob.token, f"/api/me/rendezvous/{first.json()['id']}/accept", key=accept_key).status_code == 200
        )


def test_a_proposal_ties_the_two_so_each_can_read_the_other_s_card(srv, pair):
    h, ann, bob = pair
    propose(srv, ann, bob, coming_break(srv, h), h.zones["coffee"])
    f.check_in(srv, bob.token, token=h.zones["lounge"]["checkin_url"])  # walked away
    with srv.client(ann.token) as client:
        assert client.get(f"/api/events/{h.event['id']}/attendees/{bob.id}").status_code == 200


def test_export_lists_them_and_erasure_removes_them(srv, pair, db):
    h, ann, bob = pair
    propose(srv, ann, bob, coming_break(srv, h), h.zones["coffee"], message="Hi")
    with srv.client(bob.token) as client:
        exported = client.get("/api/me/export").json()["rendezvous"]
        assert [(r["person"]["display_name"], r["message"]) for r in exported] == [("Ann", "Hi")]
        assert client.delete("/api/me", headers={"Idempotency-Key": f.new_key()}).status_code == 204
    assert db.exec(select(Rendezvous)).all() == []
    assert mine(srv, ann) == []


def test_the_live_picture_counts_rendezvous_masked_below_three(srv, db):
    h = f.hallway(srv)
    people = [h.person(srv, name, ["Observability"]) for name in ("Ann", "Bob", "Cleo", "Dan", "Eve", "Fay")]
    slot = coming_break(srv, h)

    def figures() -> dict:
        with srv.client(h.organizer) as client:
            return client.get(f"/api/events/{h.event['id']}/dashboard").json()["rendezvous"]

    for a, b in zip(people[::2], people[1::2], strict=True):
        assert propose(srv, a, b, slot, h.zones["coffee"]).status_code == 201
    assert figures() == {"proposed": 3, "accepted": "fewer than 3", "met": "fewer than 3"}
    for b in people[1::2]:
        [waiting] = mine(srv, b)
        answer(srv, b, waiting["id"], "accept")
    assert figures() == {"proposed": 3, "accepted": 3, "met": "fewer than 3"}
    with srv.client(people[0].token) as client:
        assert (
            client.get(f"/api/events/{h.event['id']}/dashboard").status_code == 401
        )  # an attendee is not the organizer


# The break-start reminder, through the real decrypting receiver ------------------------------------------


@pytest.fixture
def receiver(srv):
    from api.push.service import vapid_keys
    from tests.push_receiver import PushReceiver

    with PushReceiver(application_server_key=vapid_keys(srv.settings).public_key) as running:
        yield running


def device(srv, receiver, person) -> dict:
    sub = receiver.new_subscription()
    assert f.subscribe(srv, person.token, sub).status_code == 201
    return sub


def test_both_sides_are_reminded_once_when_the_break_starts_and_never_before(srv, db, receiver):
    from api.agenda.models import AgendaBreak
    from api.push.models import Nudge

    h = f.hallway(srv)
    ann = h.person(srv, "Ann", ["Observability"], language="en")
    bob = h.person(srv, "Bob", ["Observability"], language="fr")
    ann_phone, bob_phone = device(srv, receiver, ann), device(srv, receiver, bob)
    slot = coming_break(srv, h)
    rendezvous = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    answer(srv, bob, rendezvous["id"], "accept")
    # During the talk before it: nothing.
    with srv.client(h.organizer) as client:
        now = datetime.now(UTC)
        talk = {"title": "Keynote", "starts_at": (now - timedelta(minutes=10)).isoformat(),
                "ends_at": (now + timedelta(minutes=30)).isoformat()}  # fmt: skip
        assert client.post(f"/api/events/{h.event['id']}/talks", json=talk).status_code == 201
    assert f.nudge_tick(srv).rendezvous_reminded == 0 and receiver.received == []

    row = db.get(AgendaBreak, slot["id"])
    row.starts_at = datetime.now(UTC) - timedelta(seconds=5)
    db.add(row)
    db.commit()
    report = f.nudge_tick(srv)
    assert report.rendezvous_reminded == 1
    assert receiver.rejections == []
    [for_ann] = [p.payload for p in receiver.received_for(ann_phone)]
    [for_bob] = [p.payload for p in receiver.received_for(bob_phone)]
    assert for_ann["title"] == "Bob, Coffee bar, now" and for_ann["url"] == "/here"
    assert for_bob["title"] == "Ann, Coffee bar, maintenant"
    # Once, whatever ticks follow; and outside the nudge budget.
    assert f.nudge_tick(srv).rendezvous_reminded == 0
    assert len(receiver.received) == 2
    assert db.exec(select(Nudge)).all() == []


def test_a_cancelled_or_unanswered_rendezvous_is_not_reminded(srv, db, receiver):
    h = f.hallway(srv)
    ann, bob, cleo = (h.person(srv, n, ["Observability"]) for n in ("Ann", "Bob", "Cleo"))
    for person in (ann, bob, cleo):
        device(srv, receiver, person)
    slot = f.add_break(srv, h.organizer, h.event["id"])
    agreed = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    answer(srv, bob, agreed["id"], "accept")
    answer(srv, ann, agreed["id"], "cancel")
    propose(srv, cleo, ann, slot, h.zones["buffet"])  # never answered
    assert f.nudge_tick(srv).rendezvous_reminded == 0 and receiver.received == []


def test_pushes_turned_off_means_no_reminder_for_that_side_only(srv, receiver):
    h = f.hallway(srv)
    ann, bob = h.person(srv, "Ann", ["Observability"]), h.person(srv, "Bob", ["Observability"])
    ann_phone, bob_phone = device(srv, receiver, ann), device(srv, receiver, bob)
    off = {"enabled": False, "break_nudges": True, "speaker_nearby": True, "contact_requests": True}
    with srv.client(bob.token) as client:
        assert client.put("/api/me/push-preferences", json=off).status_code == 200
    slot = f.add_break(srv, h.organizer, h.event["id"])
    agreed = propose(srv, ann, bob, slot, h.zones["coffee"]).json()
    answer(srv, bob, agreed["id"], "accept")
    assert f.nudge_tick(srv).rendezvous_reminded == 1
    assert len(receiver.received_for(ann_phone)) == 1 and receiver.received_for(bob_phone) == []


def calendar_of(srv, who) -> dict[str, dict]:
    """My calendar file as an independent parser reads it: each VEVENT by UID."""
    import icalendar

    with srv.client(who.token) as client:
        response = client.get("/api/me/calendar.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {
        str(e["UID"]): {
            "summary": str(e["SUMMARY"]),
            "start": e.decoded("DTSTART"),
            "status": str(e.get("STATUS", "")),
            "sequence": int(e.get("SEQUENCE", 0)),
            "location": str(e.get("LOCATION", "")),
        }
        for e in calendar.walk("VEVENT")
    }


def test_the_calendar_entry_of_a_rendezvous_updates_in_place(srv, pair, db):
    h, ann, bob = pair
    f.update_me(srv, ann.token, language="en")
    slot, later = coming_break(srv, h), coming_break(srv, h, in_minutes=90)
    rendezvous = propose(srv, ann, bob, slot, h.zones["coffee"], message="By the window").json()
    [(uid, proposed)] = calendar_of(srv, ann).items()
    assert proposed["status"] == "TENTATIVE" and proposed["summary"] == "Rendezvous: Bob"
    assert calendar_of(srv, bob) == {}  # not in Bob's calendar until he answers
    answer(srv, bob, rendezvous["id"], "counter", {"break_id": later["id"], "zone_id": h.zones["buffet"]["id"]})
    answer(srv, ann, rendezvous["id"], "accept")
    for who in (ann, bob):
        [(same_uid, agreed)] = calendar_of(srv, who).items()
        assert same_uid == uid and agreed["status"] == "CONFIRMED" and agreed["location"].startswith("Buffet")
        assert (
            agreed["start"] == datetime.fromisoformat(later["starts_at"]).replace(microsecond=0)
            and agreed["sequence"] == 2
        )
    answer(srv, bob, rendezvous["id"], "cancel")
    [(same_uid, cancelled)] = calendar_of(srv, ann).items()
    assert same_uid == uid and cancelled["status"] == "CANCELLED" and cancelled["sequence"] == 3
