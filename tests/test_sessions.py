"""A token dies with its session: signing out, reusing a spent refresh token or erasing the account ends the
device's session, and its access token is refused at once on every path a phone calls, the hot ones
included. And an id is never given twice, so nothing that names an erased person can point at a newcomer."""

from sqlmodel import Session

from api.attendees.models import Attendee
from api.auth.service import create_magic_link
from tests import factories


def join(srv, hall, name: str = "Camille Martin") -> dict:
    joined = factories.join(srv, hall.event["join_code"], name)
    token = joined["tokens"]["access_token"]
    factories.update_me(srv, token, interests=["o11y"], visible=True)
    return joined


def answers(srv, hall, access_token: str, key: str | None = None) -> dict[str, int]:
    """What each path a phone calls answers to `access_token`: its profile, a check-in (served in a group,
    `key` its Idempotency-Key), suggestions, and an event's zone counts (the event's members only)."""
    with srv.client(access_token) as client:
        return {
            "me": client.get("/api/me").status_code,
            "check-in": client.post(
                "/api/me/check-ins",
                json={"code": hall.zones["coffee"]["code"]},
                headers={"Idempotency-Key": key or factories.new_key()},
            ).status_code,
            "suggestions": client.get("/api/me/suggestions").status_code,
            "zone-counts": client.get(f"/api/events/{hall.event['id']}/zone-counts").status_code,
        }


SIGNED_IN = {"me": 200, "check-in": 201, "suggestions": 200, "zone-counts": 200}
REFUSED = {"me": 401, "check-in": 401, "suggestions": 401, "zone-counts": 401}


def refresh(srv, refresh_token: str):
    with srv.client() as client:
        return client.post("/api/auth/refresh", json={"refresh_token": refresh_token})


def test_logout_ends_the_access_token_at_once_everywhere(srv):
    hall = factories.hallway(srv)
    tokens = join(srv, hall)["tokens"]
    key = factories.new_key()
    assert answers(srv, hall, tokens["access_token"], key) == SIGNED_IN
    with srv.client() as client:
        assert client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    # Not for the rest of its 30 minutes: now, and a retried check-in is not replayed either.
    assert answers(srv, hall, tokens["access_token"], key) == REFUSED
    assert refresh(srv, tokens["refresh_token"]).status_code == 401


def sign_in_again(srv, attendee_id: int) -> dict:
    """Another device of the same attendee, signed in by a magic link."""
    with Session(srv.engine) as session:
        link = create_magic_link(session, srv.settings, attendee_id=attendee_id)
        session.commit()
    with srv.client() as client:
        response = client.post("/api/auth/magic-link/redeem", json={"token": link.split("#token=", 1)[1]})
    assert response.status_code == 200, response.text
    return response.json()


def test_logout_leaves_the_other_devices_signed_in(srv):
    hall = factories.hallway(srv)
    joined = join(srv, hall)
    phone, laptop = joined["tokens"], sign_in_again(srv, joined["attendee"]["id"])
    with srv.client() as client:
        assert client.post("/api/auth/logout", json={"refresh_token": laptop["refresh_token"]}).status_code == 204
    assert answers(srv, hall, laptop["access_token"]) == REFUSED
    assert answers(srv, hall, phone["access_token"]) == SIGNED_IN
    assert refresh(srv, phone["refresh_token"]).status_code == 200


def test_a_reused_refresh_token_signs_the_whole_session_out(srv):
    hall = factories.hallway(srv)
    first = join(srv, hall)["tokens"]
    second = refresh(srv, first["refresh_token"])
    assert second.status_code == 200
    second = second.json()
    assert answers(srv, hall, second["access_token"]) == SIGNED_IN
    # The first refresh token again: a copy in other hands. Refused, and the session it belongs to ends,
    # the newest pair with it, whoever holds it.
    reused = refresh(srv, first["refresh_token"])
    assert reused.status_code == 401
    assert reused.json()["error"] == "NotAuthenticated"
    assert answers(srv, hall, second["access_token"]) == REFUSED
    assert refresh(srv, second["refresh_token"]).status_code == 401


def test_refresh_keeps_the_device_signed_in_round_after_round(srv):
    hall = factories.hallway(srv)
    tokens = join(srv, hall)["tokens"]
    for _ in range(3):
        response = refresh(srv, tokens["refresh_token"])
        assert response.status_code == 200, response.text
        tokens = response.json()
        assert answers(srv, hall, tokens["access_token"]) == SIGNED_IN


def test_an_erased_persons_token_does_not_follow_their_id(srv, db):
    """Even if a deleted person's id came back (SQLite gave it to the next joiner), their token would not
    open the newcomer's account: it belongs to a session, and the session went with the account."""
    hall = factories.hallway(srv)
    gone = join(srv, hall, "Gone")
    with srv.client(gone["tokens"]["access_token"]) as client:
        assert client.delete("/api/me").status_code == 204
    # A newcomer with the erased person's id, as SQLite gave it without AUTOINCREMENT.
    db.add(Attendee(id=gone["attendee"]["id"], event_id=hall.event["id"], display_name="Newcomer", visible=True))
    db.commit()
    assert answers(srv, hall, gone["tokens"]["access_token"]) == REFUSED
    assert refresh(srv, gone["tokens"]["refresh_token"]).status_code == 401


def test_the_next_joiner_never_gets_an_erased_persons_id(srv):
    hall = factories.hallway(srv)
    gone = join(srv, hall, "Gone")
    with srv.client(gone["tokens"]["access_token"]) as client:
        assert client.delete("/api/me").status_code == 204
    newcomer = join(srv, hall, "Newcomer")
    assert newcomer["attendee"]["id"] > gone["attendee"]["id"]
    with srv.client(gone["tokens"]["access_token"]) as client:
        response = client.get("/api/me")
    assert response.status_code == 401
    assert "Newcomer" not in response.text


def test_an_organizers_token_ends_with_its_session(srv):
    organizer = factories.organizer_tokens(srv)
    with srv.client(organizer["access_token"]) as client:
        assert client.get("/api/organizers/me").status_code == 200
        event = factories.create_event(srv, organizer["access_token"])
        assert client.get(f"/api/events/{event['id']}/zone-counts").status_code == 200
    with srv.client() as client:
        assert client.post("/api/auth/logout", json={"refresh_token": organizer["refresh_token"]}).status_code == 204
    with srv.client(organizer["access_token"]) as client:
        assert client.get("/api/organizers/me").status_code == 401
        assert client.get(f"/api/events/{event['id']}/zone-counts").status_code == 401
