"""Passwordless sign-in: magic links, refresh rotation, logout."""

import logging
import re
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from api.auth.models import MagicLink, RefreshSession
from api.core.db import utcnow
from api.organizers.service import add_organizer
from tests import factories
from tests.conftest import TEST_LIMITS, start_server, wipe

LINK = re.compile(r"/login#token=([A-Za-z0-9_\-]+)")


def wait_for_link(caplog, to: str, timeout: float = 30.0, n: int = 1) -> str:
    """The console mailer logs the email after the response; wait for the `n`-th to `to`, and its link."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = [r.getMessage() for r in caplog.records if r.name == "couloir.mail" and f"to={to} " in r.getMessage()]
        if len(mails) >= n:
            return LINK.search(mails[n - 1]).group(1)
        time.sleep(0.02)
    raise AssertionError(f"no email to {to}")


def wait_for_mails(caplog, attempts: int, timeout: float = 30.0) -> list[str]:
    """Once `attempts` mails were sent or refused by the mail budget: the addresses of those sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = [r.getMessage() for r in caplog.records if r.name == "couloir.mail"]
        sent = [m.split("to=", 1)[1].split()[0] for m in records if m.startswith("console mailer:")]
        if len(sent) + sum("budget" in m for m in records) >= attempts:
            return sent
        time.sleep(0.02)
    raise AssertionError(f"fewer than {attempts} mails were attempted")


def shape(value):
    """A JSON answer's shape: its keys and the types of its values, all the way down."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def same_headers(a, b) -> bool:
    """The same header names, and the same values but for those that differ between any two answers."""
    varying = {"date", "content-length", "x-request-id"}
    return set(a.headers) == set(b.headers) and {k: v for k, v in a.headers.items() if k not in varying} == {
        k: v for k, v in b.headers.items() if k not in varying
    }


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


def test_join_answers_alike_whoever_owns_the_email(srv, caplog):
    """Joining with an email an attendee of the event already proved, or with one nobody has: the same answer.
    The mailbox says which it was, to its owner only: a sign-in link to their account, or a link confirming
    the address for the new one."""
    caplog.set_level(logging.INFO, logger="couloir.mail")
    event = factories.create_event(srv, factories.organizer_token(srv))
    owner = factories.join(srv, event["join_code"], "Inès")["attendee"]
    factories.prove_email(srv, owner["id"], "ines@example.org")
    with srv.client() as client:
        body = {"join_code": event["join_code"], "display_name": "Someone"}
        known = client.post("/api/join", json=body | {"email": "INES@example.org"})
        unknown = client.post("/api/join", json=body | {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 201
    assert shape(known.json()) == shape(unknown.json())
    assert known.json()["attendee"]["email"] is unknown.json()["attendee"]["email"] is None
    assert same_headers(known, unknown)

    signed_in = redeem(srv, wait_for_link(caplog, "ines@example.org")).json()
    assert signed_in["subject_id"] == owner["id"]  # her own account, not the one just made
    confirmed = redeem(srv, wait_for_link(caplog, "nobody@example.org")).json()
    assert confirmed["subject_id"] == unknown.json()["attendee"]["id"]
    with srv.client(confirmed["access_token"]) as client:
        assert client.get("/api/me").json()["email"] == "nobody@example.org"
    with srv.client(known.json()["tokens"]["access_token"]) as client:
        assert client.get("/api/me").json()["email"] is None


def test_typing_someone_elses_email_makes_it_nobodys(srv, caplog):
    """An address put in a profile answers the same whoever owns it, and is not saved until the link mailed to
    it is followed: typing a person's address neither tells who is here nor takes their sign-in."""
    caplog.set_level(logging.INFO, logger="couloir.mail")
    event = factories.create_event(srv, factories.organizer_token(srv))
    zoe = factories.join(srv, event["join_code"], "Zoé")["attendee"]
    factories.prove_email(srv, zoe["id"], "zoe@example.org")
    mallory = factories.join(srv, event["join_code"], "Mallory")["tokens"]["access_token"]
    with srv.client(mallory) as client:
        taken = client.patch("/api/me", json={"email": "Zoe@example.org"})
        free = client.patch("/api/me", json={"email": "victor@example.org"})
    assert taken.status_code == free.status_code == 200
    assert shape(taken.json()) == shape(free.json()) and same_headers(taken, free)
    assert taken.json()["email"] is free.json()["email"] is None
    assert redeem(srv, wait_for_link(caplog, "zoe@example.org")).json()["subject_id"] == zoe["id"]

    # Victor never followed the link Mallory's typing sent him: when he joins, the address is still nobody's.
    wait_for_link(caplog, "victor@example.org")
    with srv.client() as client:
        victor = client.post(
            "/api/join", json={"join_code": event["join_code"], "display_name": "Victor", "email": "victor@example.org"}
        ).json()["attendee"]
    assert redeem(srv, wait_for_link(caplog, "victor@example.org", n=2)).json()["subject_id"] == victor["id"]
    with srv.client() as client:
        assert client.post("/api/auth/attendees/magic-link", json={"email": "victor@example.org"}).status_code == 202
    assert redeem(srv, wait_for_link(caplog, "victor@example.org", n=3)).json()["subject_id"] == victor["id"]
    with srv.client(mallory) as client:
        assert client.get("/api/me").json()["email"] is None


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


@pytest.fixture
def mail_budget_server(migrated_url, tmp_path, server):
    """Three mails per address per window; the other limits as in production but generous."""
    wipe(server.engine)
    yield from start_server(tmp_path, migrated_url, **(TEST_LIMITS | {"mail_rate_per_address": (3, 900)}))


def test_every_mail_to_an_address_spends_its_one_budget(mail_budget_server, caplog):
    """Joins naming an address and sign-in requests for it, in a burst: the mailbox gets the budget's three
    mails, and every answer is the one it would have been with budget left."""
    caplog.set_level(logging.INFO, logger="couloir.mail")
    srv = mail_budget_server
    event = factories.create_event(srv, factories.organizer_token(srv))
    ada = factories.join(srv, event["join_code"], "Ada")["attendee"]
    factories.prove_email(srv, ada["id"], "ada@example.org")
    body = {"join_code": event["join_code"], "display_name": "Someone", "email": "ada@example.org"}
    with srv.client() as client:
        joins = [client.post("/api/join", json=body) for _ in range(6)]
        links = [client.post("/api/auth/attendees/magic-link", json={"email": "ada@example.org"}) for _ in range(6)]
    assert [r.status_code for r in joins] == [201] * 6
    assert [(r.status_code, r.json()) for r in links] == [(202, links[0].json())] * 6
    assert wait_for_mails(caplog, attempts=12) == ["ada@example.org"] * 3


def test_asking_for_someones_links_never_locks_them_out(mail_budget_server, caplog):
    """A third party asking again and again for Zoé's links gets the answer she gets, and spends her mail
    budget, but her link in hand keeps working and she is never refused."""
    caplog.set_level(logging.INFO, logger="couloir.mail")
    srv = mail_budget_server
    event = factories.create_event(srv, factories.organizer_token(srv))
    zoe = factories.join(srv, event["join_code"], "Zoé")["attendee"]
    factories.prove_email(srv, zoe["id"], "zoe@example.org")
    ask = {"email": "zoe@example.org", "event_slug": event["slug"]}
    with srv.client() as client:
        mine = client.post("/api/auth/attendees/magic-link", json=ask)
        in_hand = wait_for_link(caplog, "zoe@example.org")
        theirs = [client.post("/api/auth/attendees/magic-link", json=ask) for _ in range(10)]
        again = client.post("/api/auth/attendees/magic-link", json=ask)
    assert [(r.status_code, r.json()) for r in [*theirs, again]] == [(202, mine.json())] * 11
    assert wait_for_mails(caplog, attempts=12) == ["zoe@example.org"] * 3
    assert redeem(srv, in_hand).json()["subject_id"] == zoe["id"]
    # The links the third party's requests mailed her work too: they are hers, in her mailbox.
    assert redeem(srv, wait_for_link(caplog, "zoe@example.org", n=3)).json()["subject_id"] == zoe["id"]


def test_joins_are_rate_limited_per_ip_even_when_the_code_is_wrong(strict_server):
    with strict_server.client() as client:
        codes = [
            client.post("/api/join", json={"join_code": "WRONGCODE", "display_name": "x"}).status_code for _ in range(4)
        ]
        refused = client.post("/api/join", json={"join_code": "WRONGCODE", "display_name": "x"})
    assert codes == [404, 404, 404, 429]
    assert refused.json()["error"] == "TooManyRequests"
    assert int(refused.headers["Retry-After"]) > 0


# As long as email-validator allows (64 before the @, 251 in all): longer than the rate limits' key column.
LONG_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 54 + ".org"


def test_a_long_email_address_joins_and_signs_in_again(srv, caplog):
    caplog.set_level(logging.WARNING, logger="couloir.mail")
    assert len(LONG_EMAIL) == 251
    event = factories.create_event(srv, factories.organizer_token(srv))
    joined = factories.join(srv, event["join_code"], email=LONG_EMAIL)
    with srv.client() as client:
        assert client.post("/api/auth/attendees/magic-link", json={"email": LONG_EMAIL}).status_code == 202
        assert client.post("/api/auth/organizers/magic-link", json={"email": LONG_EMAIL}).status_code == 202
    tokens = redeem(srv, wait_for_link(caplog, LONG_EMAIL)).json()
    assert tokens["subject_id"] == joined["attendee"]["id"]


def test_long_email_addresses_each_spend_their_own_mail_budget(mail_budget_server, caplog):
    """Counted under their digest, two long addresses that differ by a letter are two budgets."""
    caplog.set_level(logging.INFO, logger="couloir.mail")
    other = "z" + LONG_EMAIL[1:]
    with Session(mail_budget_server.engine) as session:
        add_organizer(session, LONG_EMAIL)
        add_organizer(session, other)
        session.commit()
    with mail_budget_server.client() as client:
        for email in [LONG_EMAIL] * 4 + [other]:
            assert client.post("/api/auth/organizers/magic-link", json={"email": email}).status_code == 202
    assert sorted(wait_for_mails(caplog, attempts=5)) == [LONG_EMAIL] * 3 + [other]
