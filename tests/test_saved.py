"""Saved people (api/saved): a private "save for later" on someone seen nearby, back among suggestions when both
are present; and the rest of what keeps the Here screen from a dead end: "more" beyond the first page, where
people who share my topics are, and icebreakers that vary on one screen."""

from datetime import timedelta

from sqlmodel import Session, func, select

from api.core.db import utcnow
from api.saved.models import SavedPerson
from tests import factories as f
from tests.test_suggestion_validators import ask, block, leave
from tests.test_visibility import UNKNOWN_ID, same_as_unknown


def save(srv, person, attendee_id: int, key: str | None = None):
    with srv.client(person.token) as client:
        return client.put(f"/api/me/saved/{attendee_id}", headers={"Idempotency-Key": key or f.new_key()})


def forget(srv, person, attendee_id: int):
    with srv.client(person.token) as client:
        return client.delete(f"/api/me/saved/{attendee_id}", headers={"Idempotency-Key": f.new_key()})


def saved(srv, person) -> dict:
    with srv.client(person.token) as client:
        response = client.get("/api/me/saved")
    assert response.status_code == 200, response.text
    return response.json()


def names(people: list[dict]) -> list[str]:
    return [p["attendee"]["display_name"] for p in people]


def check_in(srv, h, person, zone: str) -> None:
    assert f.check_in(srv, person.token, token=h.zones[zone]["checkin_url"]).status_code == 201


def test_a_save_is_private_listed_for_its_owner_and_marked_in_their_suggestions(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], language="en")
    ana = h.person(srv, "Ana", ["Rust"])
    key = f.new_key()
    first = save(srv, me, ana.id, key)
    assert first.status_code == 200, first.text
    assert first.json()["attendee"]["display_name"] == "Ana"
    replayed = save(srv, me, ana.id, key)
    assert replayed.headers.get("Idempotent-Replayed") == "true" and replayed.json() == first.json()
    assert save(srv, me, ana.id).status_code == 200  # saving again changes nothing
    with Session(srv.engine) as session:
        assert session.exec(select(func.count()).select_from(SavedPerson)).one() == 1
    mine = saved(srv, me)
    assert names(mine["people"]) == ["Ana"] and mine["not_around"] == 0
    assert saved(srv, ana) == {"people": [], "not_around": 0}  # Ana is never told
    (suggestion,) = f.suggestions(srv, me.token)["suggestions"]
    assert suggestion["attendee"]["id"] == ana.id and suggestion["saved"] is True
    assert f.suggestions(srv, ana.token)["suggestions"][0]["saved"] is False
    assert forget(srv, me, ana.id).status_code == 204
    assert saved(srv, me)["people"] == [] and f.suggestions(srv, me.token)["suggestions"][0]["saved"] is False


def test_a_saved_person_present_again_ranks_first_and_is_listed_only_while_visible(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust", "eBPF", "Security"], language="en")
    ana = h.person(srv, "Ana", ["Security"])
    for name in ("Ben", "Chloé", "Dan"):
        h.person(srv, name, ["Rust", "eBPF", "Security"])  # each scores higher than Ana
    assert save(srv, me, ana.id).status_code == 200
    leave(srv, ana)
    # Gone from the hallway: the rule no longer lets me see her, so the list only says a save waits.
    assert saved(srv, me) == {"people": [], "not_around": 1}
    assert ana.id not in [s["attendee"]["id"] for s in f.suggestions(srv, me.token)["suggestions"]]
    check_in(srv, h, ana, "buffet")  # next to my zone
    answer = f.suggestions(srv, me.token)
    assert names(answer["suggestions"])[0] == "Ana" and answer["suggestions"][0]["saved"] is True
    assert names(saved(srv, me)["people"]) == ["Ana"]


def test_saved_people_still_count_in_huddles_and_a_page_of_saved_people_alone_works(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], language="en")
    people = [h.person(srv, name, ["Rust"]) for name in ("Ana", "Ben", "Chloé")]
    for other in people:
        assert save(srv, me, other.id).status_code == 200
    answer = f.suggestions(srv, me.token, limit=2)
    assert [s["saved"] for s in answer["suggestions"]] == [True, True] and answer["more"] is True
    assert [(g["topic"]["name"], g["people"]) for g in answer["huddles"]] == [("Rust", 3)]
    rest = f.suggestions(srv, me.token, limit=2, offset=2)
    assert [s["saved"] for s in rest["suggestions"]] == [True] and rest["more"] is False


def test_only_someone_one_may_see_can_be_saved_and_anyone_else_reads_as_unknown(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"])
    far = h.person(srv, "Far", ["Rust"], zone="lounge")
    hidden = h.person(srv, "Hidden", ["Rust"], visible=False)
    blocker = h.person(srv, "Blocker", ["Rust"])
    other_event = f.hallway(srv).person(srv, "Elsewhere", ["Rust"])
    block(srv, blocker, me)
    unknown = save(srv, me, UNKNOWN_ID)
    for person in (far, hidden, blocker, other_event):
        assert same_as_unknown(save(srv, me, person.id), unknown), person.name
    assert save(srv, me, me.id).status_code == 422
    # Forgetting answers alike for anyone, and touches nobody's saves but mine.
    assert save(srv, far, blocker.id).status_code == 404
    assert save(srv, blocker, far.id).status_code == 404
    assert {forget(srv, me, i).status_code for i in (UNKNOWN_ID, far.id, other_event.id)} == {204}
    with Session(srv.engine) as session:
        assert session.exec(select(func.count()).select_from(SavedPerson)).one() == 0


def test_blocking_removes_saves_both_ways_and_erasure_removes_them(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"])
    ana = h.person(srv, "Ana", ["Rust"])
    ben = h.person(srv, "Ben", ["Rust"])
    for owner, other in ((me, ana), (ana, me), (me, ben), (ben, me)):
        assert save(srv, owner, other.id).status_code == 200
    with srv.client(me.token) as client:
        data = client.get("/api/me/export").json()
    assert sorted(s["attendee_id"] for s in data["saved_people"]) == sorted([ana.id, ben.id])
    block(srv, me, ana)
    assert names(saved(srv, me)["people"]) == ["Ben"] and saved(srv, me)["not_around"] == 0
    assert saved(srv, ana) == {"people": [], "not_around": 0}
    with srv.client(ben.token) as client:
        assert client.delete("/api/me").status_code == 204
    with Session(srv.engine) as session:
        assert session.exec(select(func.count()).select_from(SavedPerson)).one() == 0


def test_more_pages_through_everyone_ranked_and_each_page_has_its_own_validator(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], language="en")
    for i in range(12):
        h.person(srv, f"P{i:02d}", ["Rust"])
    pages = [f.suggestions(srv, me.token, offset=offset) for offset in (0, 5, 10)]
    assert [len(p["suggestions"]) for p in pages] == [5, 5, 2]
    assert [p["more"] for p in pages] == [True, True, False]
    seen = [s["attendee"]["id"] for p in pages for s in p["suggestions"]]
    assert len(set(seen)) == 12
    first = ask(srv, me.token)
    with srv.client(me.token) as client:
        second = client.get(
            "/api/me/suggestions", params={"offset": 5}, headers={"If-None-Match": first.headers["ETag"]}
        )
        assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
        again = client.get(
            "/api/me/suggestions", params={"offset": 5}, headers={"If-None-Match": second.headers["ETag"]}
        )
        assert again.status_code == 304
        assert client.get("/api/me/suggestions", params={"offset": 101}).status_code == 422
    # Lines vary down the list: people on one topic get its ten lines before any comes again.
    lines = [s["icebreaker"] for p in pages for s in p["suggestions"]]
    assert len(set(lines[:10])) == 10 and len(set(lines)) == 10


def test_where_people_who_share_my_topics_are_is_given_with_people_to_meet(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["Rust"], language="en")
    h.person(srv, "Ana", ["Rust"])
    for name in ("Ben", "Chloé", "Dan"):
        h.person(srv, name, ["Rust"], zone="lounge")
    h.person(srv, "Free", ["Rust"], zone="lounge", vouched=False)  # not counted: the mask counts vouched people
    answer = f.suggestions(srv, me.token)
    assert names(answer["suggestions"]) == ["Ana"]
    where = {z["zone"]["name"]: z["matches"] for z in answer["where_to_go"]}
    assert where == {"Lounge": 3, "Coffee bar": "fewer than 3"}


def test_a_talk_whose_abstract_names_a_shared_topic_grounds_the_icebreaker(srv):
    h = f.hallway(srv)
    me = h.person(srv, "Léa", ["eBPF"], language="en")
    h.person(srv, "Hugo", ["eBPF"])
    starts = utcnow() + timedelta(minutes=15)
    with srv.client(h.organizer) as client:
        response = client.post(
            f"/api/events/{h.event['id']}/talks",
            json={
                "title": "Kernels without fear",
                "abstract": "How eBPF lets platform teams see inside production.",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=40)).isoformat(),
            },
        )
    assert response.status_code == 201, response.text
    (hugo,) = f.suggestions(srv, me.token)["suggestions"]
    assert "Kernels without fear" in hugo["icebreaker"] and "eBPF" in hugo["icebreaker"]
