"""The visibility rule (api/attendees/visibility.py): who may be shown whose card, and who counts in the figures
attendees see. Anyone the rule leaves out answers exactly as an id that does not exist."""

from sqlmodel import select

from api.attendees.models import Attendee
from tests import factories as f
from tests.test_attendee_import import import_attendees, redeem

UNKNOWN_ID = 999_999


def card(srv, token: str, event_id: int, attendee_id: int):
    with srv.client(token) as client:
        return client.get(f"/api/events/{event_id}/attendees/{attendee_id}")


def ask(srv, token: str, attendee_id: int):
    with srv.client(token) as client:
        return client.post(
            "/api/contact-requests", json={"to_attendee_id": attendee_id}, headers={"Idempotency-Key": f.new_key()}
        )


def block(srv, token: str, attendee_id: int):
    with srv.client(token) as client:
        return client.post(
            "/api/me/blocks", json={"attendee_id": attendee_id}, headers={"Idempotency-Key": f.new_key()}
        )


def report(srv, token: str, attendee_id: int):
    with srv.client(token) as client:
        return client.post(
            "/api/me/reports",
            json={"attendee_id": attendee_id, "reason": "harassment"},
            headers={"Idempotency-Key": f.new_key()},
        )


def same_as_unknown(answer, unknown) -> bool:
    return (answer.status_code, answer.json()) == (unknown.status_code, unknown.json()) == (404, unknown.json())


def test_a_hidden_person_reads_as_an_unknown_id_everywhere(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    ghost = h.person(srv, "Ghost", ["Observability"], visible=False, company="Secret Corp")
    event_id = h.event["id"]
    assert same_as_unknown(card(srv, me.token, event_id, ghost.id), card(srv, me.token, event_id, UNKNOWN_ID))
    assert same_as_unknown(ask(srv, me.token, ghost.id), ask(srv, me.token, UNKNOWN_ID))
    assert same_as_unknown(block(srv, me.token, ghost.id), block(srv, me.token, UNKNOWN_ID))
    assert same_as_unknown(report(srv, me.token, ghost.id), report(srv, me.token, UNKNOWN_ID))
    # The organizers still see every card of their event.
    assert card(srv, h.organizer, event_id, ghost.id).json()["company"] == "Secret Corp"


def test_a_hidden_caller_sees_no_one_by_name(srv):
    h = f.hallway(srv)
    hidden = h.person(srv, "Hidden", ["Observability"], visible=False)
    lea = h.person(srv, "Léa", ["Observability"])
    event_id = h.event["id"]
    assert same_as_unknown(card(srv, hidden.token, event_id, lea.id), card(srv, hidden.token, event_id, UNKNOWN_ID))
    assert same_as_unknown(ask(srv, hidden.token, lea.id), ask(srv, hidden.token, UNKNOWN_ID))
    # Once visible, Léa next to them is shown.
    f.update_me(srv, hidden.token, visible=True)
    assert card(srv, hidden.token, event_id, lea.id).json()["display_name"] == "Léa"


def test_visible_people_see_each_other_only_while_present_near_each_other(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    next_door = h.person(srv, "Hugo", ["Rust"], zone="buffet")  # the buffet neighbours the coffee bar
    apart = h.person(srv, "Inès", ["Rust"], zone="lounge")
    absent = h.person(srv, "Théo", ["Rust"], zone=None)
    event_id = h.event["id"]
    assert card(srv, me.token, event_id, next_door.id).json()["display_name"] == "Hugo"
    for other in (apart, absent):
        assert same_as_unknown(card(srv, me.token, event_id, other.id), card(srv, me.token, event_id, UNKNOWN_ID))
    with srv.client(me.token) as client:
        assert client.delete("/api/me/presence", headers={"Idempotency-Key": f.new_key()}).status_code == 204
    assert card(srv, me.token, event_id, next_door.id).status_code == 404


def test_a_request_its_contact_and_a_findable_speaker_stay_visible_after_the_hallway(srv):
    h = f.hallway(srv)
    lea = h.person(srv, "Léa", ["Observability"])
    hugo = h.person(srv, "Hugo", ["Observability"])
    assert ask(srv, lea.token, hugo.id).status_code == 201
    speaker = h.person(srv, "Speaker", ["Rust"], zone=None, visible=False, findable_as_speaker=True)
    with srv.client(h.organizer) as client:
        talk = {"title": "Tracing", "starts_at": h.event["starts_at"], "ends_at": h.event["ends_at"]}
        assert (
            client.post(f"/api/events/{h.event['id']}/talks", json=talk | {"speaker_ids": [speaker.id]}).status_code
            == 201
        )
    # Both hide and leave: the request's two sides still see each other, and anyone sees the speaker's card.
    for person in (lea, hugo):
        f.update_me(srv, person.token, visible=False)
    event_id = h.event["id"]
    assert card(srv, lea.token, event_id, hugo.id).json()["display_name"] == "Hugo"
    assert card(srv, hugo.token, event_id, lea.id).json()["display_name"] == "Léa"
    assert card(srv, lea.token, event_id, speaker.id).json()["display_name"] == "Speaker"
    with srv.client(hugo.token) as client:
        [received] = client.get("/api/contact-requests").json()["received"]
        accepted = client.post(
            f"/api/contact-requests/{received['id']}/accept", headers={"Idempotency-Key": f.new_key()}
        )
    assert accepted.status_code == 200
    assert card(srv, hugo.token, event_id, lea.id).status_code == 200
    # A speaker who did not opt in is not shown for speaking.
    f.update_me(srv, speaker.token, findable_as_speaker=False)
    assert card(srv, lea.token, event_id, speaker.id).status_code == 404


def test_someone_seen_can_be_blocked_and_reported_after_walking_away(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    pest = h.person(srv, "Pest", ["Observability"])
    assert block(srv, me.token, pest.id).status_code == 201
    f.update_me(srv, pest.token, visible=False)  # and walks away
    # My block was made under the rule: blocking again and reporting stay possible, by name.
    again = block(srv, me.token, pest.id)
    assert again.status_code == 201 and again.json()["attendee"]["display_name"] == "Pest"
    assert report(srv, me.token, pest.id).status_code == 201
    # The blocked side cannot tell: blocking or reporting me now answers as for an unknown id (I hid too).
    f.update_me(srv, me.token, visible=False)
    assert same_as_unknown(block(srv, pest.token, me.id), block(srv, pest.token, UNKNOWN_ID))


def test_whether_they_blocked_me_changes_nothing_in_my_block(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    other = h.person(srv, "Hugo", ["Observability"])
    assert block(srv, other.token, me.id).status_code == 201
    # Hugo blocked me: his card is gone for me, as if he were not there...
    assert card(srv, me.token, h.event["id"], other.id).status_code == 404
    # ...yet my blocking him answers as it would have: he is next to me, visible.
    answer = block(srv, me.token, other.id)
    assert answer.status_code == 201 and answer.json()["attendee"]["display_name"] == "Hugo"


def test_reading_cards_one_id_after_another_gives_only_people_one_could_see(srv):
    """The enumeration of the Trust issue: every id of the event, read in turn by someone at the coffee bar."""
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"])
    shown = h.person(srv, "Near", ["Rust"])
    for i in range(4):
        h.person(srv, f"Hidden {i}", ["Rust"], visible=False, headline="never shown")
    h.person(srv, "Far", ["Rust"], zone="lounge")
    ids = range(max(1, me.id - 10), me.id + 12)
    read = {attendee_id: card(srv, me.token, h.event["id"], attendee_id) for attendee_id in ids}
    assert {i for i, answer in read.items() if answer.status_code == 200} == {me.id, shown.id}
    assert len({(a.status_code, a.text) for i, a in read.items() if a.status_code != 200}) == 1


# Joining by invitation only ------------------------------------------------------------------------


def test_an_event_by_invitation_only_refuses_its_join_code_and_takes_personal_links(srv, db):
    organizer = f.organizer_token(srv)
    event = f.create_event(srv, organizer)
    assert event["invitation_only"] is False
    assert f.join(srv, event["join_code"], "Before")["attendee"]["id"]
    with srv.client(organizer) as client:
        changed = client.patch(f"/api/events/{event['id']}", json={"invitation_only": True})
        assert changed.status_code == 200 and changed.json()["invitation_only"] is True
        assert client.get(f"/api/events/{event['id']}").json()["invitation_only"] is True
        assert client.patch(f"/api/events/{event['id']}", json={"invitation_only": None}).status_code == 422
    with srv.client() as client:
        refused = client.post("/api/join", json={"join_code": event["join_code"], "display_name": "Mallory"})
    assert refused.status_code == 403
    assert refused.json()["error"] == "InvitationOnly"
    assert db.exec(select(Attendee).where(Attendee.display_name == "Mallory")).first() is None
    tickets = b"name,email\nHugo Bernard,hugo@example.org\n"
    imported = import_attendees(srv, organizer, event["id"], tickets)
    assert imported.status_code == 200, imported.text
    [invitation] = imported.json()["invitations"]
    signed_in = redeem(srv, invitation["join_url"])
    assert signed_in.status_code == 200 and signed_in.json()["subject_id"] == invitation["attendee_id"]
    db.expire_all()
    assert db.get(Attendee, invitation["attendee_id"]).vouched is True


def test_events_can_be_created_by_invitation_only(srv):
    organizer = f.organizer_token(srv)
    event = f.create_event(srv, organizer, invitation_only=True)
    assert event["invitation_only"] is True
    with srv.client() as client:
        assert client.post("/api/join", json={"join_code": event["join_code"], "display_name": "X"}).status_code == 403


# Figures: only people who chose to be seen, vouched, never the caller -------------------------------


def test_free_accounts_cannot_lift_a_huddle_or_where_to_go_over_the_mask(srv):
    """Two accounts made with the join code wait at the coffee bar with a rare topic; one real, visible person
    arrives. Neither a huddle nor "where to go" may say 3, which would point at that person and their topic."""
    h = f.hallway(srv)
    fakes = [h.person(srv, f"Fake {i}", ["eBPF"], vouched=False) for i in range(2)]
    elsewhere = h.person(srv, "Fake outside", ["eBPF"], zone=None, vouched=False)
    h.person(srv, "Real", ["eBPF"])
    assert f.suggestions(srv, fakes[0].token)["huddles"] == []
    where = f.suggestions(srv, elsewhere.token)["where_to_go"]
    assert [(z["zone"]["name"], z["matches"]) for z in where] == [("Coffee bar", "fewer than 3")]
    # Once they signed in by a personal link, the same people count, at once (they are present already).
    for fake in fakes:
        f.vouch(srv, fake.id)
    where = f.suggestions(srv, elsewhere.token)["where_to_go"]
    assert [(z["zone"]["name"], z["matches"]) for z in where] == [("Coffee bar", 3)]
