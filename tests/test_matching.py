"""Suggestions: who, why, what to say; huddles; where to go; and who is never shown."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from api.core.db import utcnow
from api.presence.models import Presence, PresenceTopic
from api.presence.service import mark_changed
from tests import factories as f


def names(result: dict) -> list[str]:
    return [s["attendee"]["display_name"] for s in result["suggestions"]]


def by_name(result: dict) -> dict[str, dict]:
    return {s["attendee"]["display_name"]: s for s in result["suggestions"]}


def add_talk(srv, h, title: str, topics: list[str], starts_in: timedelta, speaker_ids=()) -> dict:
    starts = utcnow() + starts_in
    with srv.client(h.organizer) as client:
        response = client.post(
            f"/api/events/{h.event['id']}/talks",
            json={
                "title": title,
                "room": "Amphi A",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=40)).isoformat(),
                "topic_ids": [h.topics[t] for t in topics],
                "speaker_ids": list(speaker_ids),
            },
        )
    assert response.status_code == 201, response.text
    return response.json()


# Who is shown -------------------------------------------------------------------------------------


def test_people_here_who_share_a_topic_are_suggested_with_their_card(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability", "Rust"], language="en")
    h.person(srv, "Hugo", ["Observability"], headline="SRE lead", company="Qonto")
    h.person(srv, "Nobody in common", ["Security"])
    result = f.suggestions(srv, me.token)
    assert result["zone"]["name"] == "Coffee bar" and result["missing"] == []
    (hugo,) = result["suggestions"]
    assert hugo["attendee"]["headline"] == "SRE lead" and hugo["attendee"]["company"] == "Qonto"
    assert hugo["zone"]["name"] == "Coffee bar" and hugo["neighbouring"] is False
    assert [t["name"] for t in hugo["shared_topics"]] == ["Observability"]
    assert hugo["score"] > 0 and hugo["reason"] and hugo["icebreaker"]
    assert "email" not in hugo["attendee"] and hugo["saved"] is False and result["more"] is False
    # Where people who share my topics are, whoever is near: one here, so a masked count.
    assert result["where_to_go"] == [{"zone": hugo["zone"], "matches": "fewer than 3"}]


def test_hidden_absent_and_expired_people_never_appear(srv, db):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"])
    h.person(srv, "Ghost", ["Rust"], visible=False)
    h.person(srv, "At home", ["Rust"], zone=None)
    gone = h.person(srv, "Gone", ["Rust"])
    h.person(srv, "Here", ["Rust"])
    past = utcnow() - timedelta(seconds=1)
    db.execute(update(Presence).where(Presence.attendee_id == gone.id).values(expires_at=past))
    db.execute(update(PresenceTopic).where(PresenceTopic.attendee_id == gone.id).values(expires_at=past))
    mark_changed(db, [gone.id])  # as every writer of these rows does, so the server's crowd reads them again
    db.commit()
    assert names(f.suggestions(srv, me.token)) == ["Here"]


def test_a_ghost_is_not_counted_in_huddles_nor_where_to_go(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], zone=None)
    for name in ("Ana", "Ben"):
        h.person(srv, name, ["Rust"], zone="lounge")
    h.person(srv, "Ghost", ["Rust"], visible=False, zone="lounge")
    assert f.suggestions(srv, me.token)["where_to_go"][0]["matches"] == "fewer than 3"
    assert f.check_in(srv, me.token, code=h.zones["lounge"]["code"]).status_code == 201
    assert f.suggestions(srv, me.token)["huddles"] == []


def test_reciprocity_a_hidden_caller_sees_no_one_by_name_only_masked_counts(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], visible=False)
    for name in ("Ana", "Ben", "Chloé"):
        h.person(srv, name, ["Rust"])
    with srv.client(me.token) as client:
        response = client.get("/api/me/suggestions")
    result = response.json()
    assert result["missing"] == ["visibility"]
    assert result["suggestions"] == [] and result["huddles"] == []
    assert result["where_to_go"] == [{"zone": result["zone"], "matches": 3}]
    assert not any(name in response.text for name in ("Ana", "Ben", "Chloé"))
    # Turning visibility on shows them at once.
    f.update_me(srv, me.token, visible=True)
    assert sorted(names(f.suggestions(srv, me.token))) == ["Ana", "Ben", "Chloé"]


def test_what_is_missing_is_said(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", [], zone=None, visible=False)
    result = f.suggestions(srv, me.token)
    assert result["missing"] == ["visibility", "interests", "check_in"]
    assert result["suggestions"] == result["huddles"] == result["where_to_go"] == []


def test_a_contact_is_left_out_of_suggestions_huddles_and_counts(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"])
    contact = h.person(srv, "Already met", ["Rust"])
    for name in ("Ana", "Ben", "Chloé"):
        h.person(srv, name, ["Rust"])
    assert len(names(f.suggestions(srv, me.token))) == 4
    with srv.client(contact.token) as client:
        code = client.post("/api/me/connect-code").json()["code"]
    with srv.client(me.token) as client:
        scanned = client.post("/api/contacts/scan", json={"code": code}, headers={"Idempotency-Key": f.new_key()})
    assert scanned.status_code == 201
    result = f.suggestions(srv, me.token)
    assert "Already met" not in names(result) and len(names(result)) == 3
    assert result["huddles"][0]["people"] == 3
    f.update_me(srv, me.token, visible=False)
    assert f.suggestions(srv, me.token)["where_to_go"][0]["matches"] == 3


# Ranking ------------------------------------------------------------------------------------------


def test_a_rare_shared_topic_ranks_above_a_common_one(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Kubernetes", "eBPF"])
    for n in range(6):  # registered, not here: they make Kubernetes common at this event
        h.person(srv, f"Kube fan {n}", ["Kubernetes"], zone=None)
    h.person(srv, "Common", ["Kubernetes"])
    h.person(srv, "Rare", ["eBPF"])
    result = f.suggestions(srv, me.token)
    assert names(result) == ["Rare", "Common"]
    assert result["suggestions"][0]["score"] > result["suggestions"][1]["score"]


def test_a_complementary_goal_ranks_above_none(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], goals=["hire"], language="en")
    h.person(srv, "No goal", ["Observability"], goals=["learn"])
    h.person(srv, "Job seeker", ["Observability"], goals=["get_hired"])
    result = f.suggestions(srv, me.token)
    assert names(result) == ["Job seeker", "No goal"]
    assert "open to new roles" in by_name(result)["Job seeker"]["reason"]


def test_neighbouring_zones_come_after_mine_and_are_labelled(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability", "Rust", "eBPF"], language="en")
    h.person(srv, "Next door", ["Observability", "Rust", "eBPF"], zone="buffet")
    h.person(srv, "Here", ["Observability"])
    h.person(srv, "Far away", ["Observability", "Rust", "eBPF"], zone="lounge")
    result = f.suggestions(srv, me.token)
    assert names(result) == ["Here", "Next door"]
    next_door = result["suggestions"][1]
    assert next_door["neighbouring"] is True and next_door["zone"]["name"] == "Buffet"
    assert result["suggestions"][0]["neighbouring"] is False


def test_at_most_n_suggestions_default_five(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"])
    for n in range(7):
        h.person(srv, f"Rustacean {n}", ["Rust"])
    assert len(f.suggestions(srv, me.token)["suggestions"]) == 5
    assert len(f.suggestions(srv, me.token, limit=6)["suggestions"]) == 6
    with srv.client(me.token) as client:
        for bad in (0, 21, "many"):
            response = client.get("/api/me/suggestions", params={"limit": bad})
            assert response.status_code == 422 and response.json()["error"] == "InvalidInput"


def test_the_speaker_at_the_coffee_bar_only_if_they_opted_in(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Observability"], goals=["learn"], language="en")
    h.person(srv, "Attendee", ["Observability"])
    speaker = h.person(srv, "Speaker", ["Observability"])
    with srv.client(h.organizer) as client:
        role = client.patch(f"/api/events/{h.event['id']}/attendees/{speaker.id}/role", json={"role": "speaker"})
    assert role.status_code == 200
    add_talk(srv, h, "Tracing at scale without going broke", ["Observability"], timedelta(minutes=20), [speaker.id])

    not_opted_in = by_name(f.suggestions(srv, me.token))["Speaker"]
    assert "speaks at" not in not_opted_in["reason"]

    f.update_me(srv, speaker.token, findable_as_speaker=True)
    result = f.suggestions(srv, me.token)
    assert names(result) == ["Speaker", "Attendee"]
    found = result["suggestions"][0]
    assert "Speaker speaks at" in found["reason"] and "Tracing at scale without going broke" in found["reason"]
    assert "Tracing at scale without going broke" in found["icebreaker"]


# Icebreakers --------------------------------------------------------------------------------------


def test_icebreakers_open_on_the_shared_topic_not_the_event_subject(srv):
    h = f.hallway(srv, subject="platform engineering")
    me = h.person(srv, "Léa", ["Observability"], language="en")
    h.person(srv, "Hugo", ["Observability"])
    (hugo,) = f.suggestions(srv, me.token)["suggestions"]
    assert "Observability" in hugo["icebreaker"] and "platform engineering" not in hugo["icebreaker"]
    assert hugo["reason"] == "You both follow Observability."


def test_icebreakers_use_a_real_talk_title_when_one_matches(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["eBPF"], language="en")
    h.person(srv, "Hugo", ["eBPF"])
    add_talk(srv, h, "Unrelated keynote", ["Security"], timedelta(minutes=10))
    add_talk(srv, h, "eBPF for the rest of us", ["eBPF"], timedelta(minutes=-45))  # ended 5 minutes ago
    (hugo,) = f.suggestions(srv, me.token)["suggestions"]
    assert "eBPF for the rest of us" in hugo["icebreaker"]
    assert "Unrelated keynote" not in hugo["icebreaker"]
    assert "just ended" in hugo["reason"]


def test_icebreakers_speak_the_requesters_language(srv):
    h = f.hallway(srv)
    french = h.person(srv, "Léa", ["Rust"], language="fr")
    english = h.person(srv, "Liam", ["Rust"], language="en")
    to_french = f.suggestions(srv, french.token)["suggestions"][0]
    to_english = f.suggestions(srv, english.token)["suggestions"][0]
    assert to_french["reason"].startswith("Vous avez en commun")
    assert to_english["reason"].startswith("You both follow")
    assert to_french["icebreaker"] != to_english["icebreaker"]


def test_icebreakers_are_stable_per_pair_and_vary_across_pairs(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], language="en")
    for n in range(8):
        h.person(srv, f"Rustacean {n}", ["Rust"])
    first = {s["attendee"]["id"]: s["icebreaker"] for s in f.suggestions(srv, me.token, limit=8)["suggestions"]}
    again = {s["attendee"]["id"]: s["icebreaker"] for s in f.suggestions(srv, me.token, limit=8)["suggestions"]}
    assert first == again
    assert len(set(first.values())) > 1


# Huddles and where to go --------------------------------------------------------------------------


@pytest.mark.parametrize("others, expected", [(2, []), (3, [3])])
def test_huddles_appear_at_three_people_and_not_at_two(srv, others, expected):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust", "Observability"], language="en")
    for n in range(others):
        h.person(srv, f"Rustacean {n}", ["Rust"])
    huddles = f.suggestions(srv, me.token)["huddles"]
    assert [x["people"] for x in huddles] == expected
    if expected:
        (huddle,) = huddles
        assert huddle["topic"]["name"] == "Rust" and huddle["zone"]["name"] == "Coffee bar"
        assert huddle["neighbouring"] is False
        assert huddle["line"] == "3 people here are into Rust"


def test_a_huddle_next_door_is_labelled(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], language="fr")
    for n in range(4):
        h.person(srv, f"Rustacean {n}", ["Rust"], zone="buffet")
    (huddle,) = f.suggestions(srv, me.token)["huddles"]
    assert huddle["neighbouring"] is True and huddle["people"] == 4
    assert "Buffet" in huddle["line"] and "Rust" in huddle["line"]


def test_not_checked_in_gets_where_to_go_with_masked_counts_and_no_names(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust", "eBPF"], zone=None)
    for name in ("Ana", "Ben", "Chloé"):
        h.person(srv, name, ["Rust"], zone="lounge")
    h.person(srv, "Dan", ["eBPF"], zone="buffet")
    h.person(srv, "Eve", ["Security"], zone="coffee")
    with srv.client(me.token) as client:
        response = client.get("/api/me/suggestions")
    result = response.json()
    assert result["missing"] == ["check_in"] and result["suggestions"] == []
    assert [(z["zone"]["name"], z["matches"]) for z in result["where_to_go"]] == [
        ("Lounge", 3),
        ("Buffet", "fewer than 3"),
    ]
    assert not any(name in response.text for name in ("Ana", "Ben", "Chloé", "Dan"))


def test_an_empty_zone_points_elsewhere(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], zone="lounge")
    h.person(srv, "Ana", ["Rust"], zone="coffee")
    result = f.suggestions(srv, me.token)
    assert result["zone"]["name"] == "Lounge" and result["suggestions"] == []
    assert [(z["zone"]["name"], z["matches"]) for z in result["where_to_go"]] == [("Coffee bar", "fewer than 3")]


def test_masked_counts_never_order_one_above_two(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], zone=None)
    h.person(srv, "Ana", ["Rust"], zone="buffet")
    for name in ("Ben", "Chloé"):
        h.person(srv, name, ["Rust"], zone="lounge")
    where = f.suggestions(srv, me.token)["where_to_go"]
    # Both read "fewer than 3", so they are ordered by name, not by the hidden 2 > 1.
    assert [(z["zone"]["name"], z["matches"]) for z in where] == [
        ("Buffet", "fewer than 3"),
        ("Lounge", "fewer than 3"),
    ]
