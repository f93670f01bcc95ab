"""Passwordless sign-in: magic links, refresh rotation, logout."""

import logging
import re
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from api.auth.models import MagicLink, RefreshSession
from api.core.db import utcnow
from api.organizers.service import add_organizer
from tests import factories
from tests.conftest import TEST_LIMITS, start_server, wipe

LINK = re.compile(r"/login#token=([A-Za-z0-9_\-]+)")


def wait_for_link(caplog, to: str, timeout: float = 30.0) -> str:
    """The console mailer logs the email after the response; wait for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in caplog.records:
            message = record.getMessage()
            if record.name == "couloir.mail" and f"to={to}" in message:
                return LINK.search(message).group(1)
        time.sleep(0.02)
    raise AssertionError(f"no email to {to}")


def redeem(srv, token):
    with srv.client() as client:
        return client.post("/api/auth/magic-link/redeem", json={"token": token})


def test_organizer_magic_link_signs_in_once(srv, db, caplog):
    caplog.set_level(logging.WARNING, logger="couloir.mail")
    add_organizer(db, "Ada@Example.org")
    db.commit()
    with srv.client() as client:
        response = client.post("/api/auth/organizers/magic-link", json={"email": "ada@example.org"})
    assert response.status_code == 202
    token = wait_for_link(caplog, "ada@example.org")

    first = redeem(srv, token)
    assert first.status_code == 200
    tokens = first.json()
    assert tokens["subject_kind"] == "organizer"
    with srv.client(tokens["access_token"]) as client:
        assert client.get("/api/organizers/me").json()["email"] == "ada@example.org"

    again = redeem(srv, token)
    assert again.status_code == 401
    assert again.json()["error"] == "NotAuthenticated"


def test_magic_link_is_stored_hashed(srv, db, caplog):
    caplog.set_level(logging.WARNING, logger="couloir.mail")
    add_organizer(db, "grace@example.org")
    db.commit()
    with srv.client() as client:
        client.post("/api/auth/organizers/magic-link", json={"email": "grace@example.org"})
    token = wait_for_link(caplog, "grace@example.org")
    stored = db.exec(select(MagicLink.token_hash)).all()
    assert stored and token not in stored
    assert len(token) >= 22  # >= 128 bits of base64url


def test_expired_magic_link_is_refused(srv, db):
    organizer = add_organizer(db, "late@example.org")
    from api.auth.service import create_magic_link

    token = create_magic_link(db, srv.settings, organizer_id=organizer.id).split("#token=")[1]
    link = db.exec(select(MagicLink)).one()
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.add(link)
    db.commit()
    assert redeem(srv, token).status_code == 401


def test_unknown_and_known_emails_get_the_same_answer(srv, db, caplog):
    caplog.set_level(logging.WARNING, logger="couloir.mail")
    add_organizer(db, "known@example.org")
    db.commit()
    with srv.client() as client:
        known = client.post("/api/auth/organizers/magic-link", json={"email": "known@example.org"})
        unknown = client.post("/api/auth/organizers/magic-link", json={"email": "nobody@example.org"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    wait_for_link(caplog, "known@example.org")
    assert not any("to=nobody@example.org" in r.getMessage() for r in caplog.records)


def test_attendee_signs_in_again_on_another_device(srv, caplog):
    caplog.set_level(logging.WARNING, logger="couloir.mail")
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token)
    joined = factories.join(srv, event["join_code"], email="zoe@example.org")
    with srv.client() as client:
        assert client.post("/api/auth/attendees/magic-link", json={"email": "zoe@example.org"}).status_code == 202
    link_token = wait_for_link(caplog, "zoe@example.org")
    tokens = redeem(srv, link_token).json()
    assert tokens["subject_kind"] == "attendee"
    assert tokens["subject_id"] == joined["attendee"]["id"]
    assert tokens["event_id"] == event["id"]


def test_refresh_rotates_and_logout_revokes(srv):
    event = factories.create_event(srv, factories.organizer_token(srv))
    tokens = factories.join(srv, event["join_code"])["tokens"]
    with srv.client() as client:
        rotated = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert rotated.status_code == 200
        # The spent refresh token cannot be used again.
        assert client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
        fresh = rotated.json()
        assert client.post("/api/auth/logout", json={"refresh_token": fresh["refresh_token"]}).status_code == 204
        assert client.post("/api/auth/refresh", json={"refresh_token": fresh["refresh_token"]}).status_code == 401


def test_account_deletion_revokes_refresh_tokens(srv, db):
    event = factories.create_event(srv, factories.organizer_token(srv))
    tokens = factories.join(srv, event["join_code"])["tokens"]
    with srv.client(tokens["access_token"]) as client:
        assert client.delete("/api/me").status_code == 204
        assert client.get("/api/me").status_code == 401
    with srv.client() as client:
        assert client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    attendee_id = tokens["subject_id"]
    assert db.exec(select(RefreshSession).where(RefreshSession.attendee_id == attendee_id)).all() == []


def test_access_token_is_not_a_refresh_token(srv):
    event = factories.create_event(srv, factories.organizer_token(srv))
    tokens = factories.join(srv, event["join_code"])["tokens"]
    with srv.client() as client:
        assert client.post("/api/auth/refresh", json={"refresh_token": tokens["access_token"]}).status_code == 401
    with srv.client(tokens["refresh_token"]) as client:
        assert client.get("/api/me").status_code == 401


@pytest.fixture
def strict_server(migrated_url, tmp_path, server):
    limits = TEST_LIMITS | {"join_rate_per_ip": (3, 60)}
    wipe(server.engine)
    yield from start_server(tmp_path, migrated_url, **limits)


def test_joins_are_rate_limited_per_ip_even_when_the_code_is_wrong(strict_server):
    with strict_server.client() as client:
        codes = [
            client.post("/api/join", json={"join_code": "WRONGCODE", "display_name": "x"}).status_code for _ in range(4)
        ]
        refused = client.post("/api/join", json={"join_code": "WRONGCODE", "display_name": "x"})
    assert codes == [404, 404, 404, 429]
    assert refused.json()["error"] == "TooManyRequests"
    assert int(refused.headers["Retry-After"]) > 0
