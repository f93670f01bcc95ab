"""Forged and malformed tokens are refused. Tokens are built here by hand (no JWT library), so the
test does not share the implementation's assumptions."""

import base64
import hashlib
import hmac
import json
import secrets
import time

import pytest

from tests import factories


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict, payload: dict, key: str | None, digest=hashlib.sha256) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = b"" if key is None else hmac.new(key.encode(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64(signature)}"


def payload_of(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture
def attendee(srv):
    """A joined attendee, and the id of their signed-in session (`sid`), which a valid token names."""
    event = factories.create_event(srv, factories.organizer_token(srv))
    joined = factories.join(srv, event["join_code"])
    return joined["attendee"] | {"sid": payload_of(joined["tokens"]["access_token"]).get("sid")}


def valid_claims(srv, attendee, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": srv.settings.jwt_issuer,
        "aud": "couloir:access",
        "sub": f"attendee:{attendee['id']}",
        "typ": "access",
        "iat": now,
        "exp": now + 600,
        "jti": "x" * 32,
        "sid": attendee["sid"],
        "evt": attendee["event_id"],
    } | changes
    return {k: v for k, v in claims.items() if v is not None}


def status_with(srv, token: str) -> int:
    with srv.client(token) as client:
        return client.get("/api/me").status_code


def test_a_correctly_forged_token_works(srv, attendee):
    # The baseline: our hand-made token is accepted, so each refusal below is about one defect.
    key = srv.settings.signing_key()
    assert status_with(srv, forge({"alg": "HS256", "typ": "JWT"}, valid_claims(srv, attendee), key)) == 200


@pytest.mark.parametrize(
    "header,changes,digest",
    [
        ({"alg": "none", "typ": "JWT"}, {}, None),
        ({"alg": "HS512", "typ": "JWT"}, {}, hashlib.sha512),
        ({"alg": "HS256", "typ": "JWT"}, {"aud": "someone-else"}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"aud": "couloir:refresh", "typ": "refresh"}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"iss": "evil"}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"exp": None}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"exp": int(time.time()) - 10}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"sub": None}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"typ": "refresh"}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"evt": 999_999}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"aud": ["couloir:access", "someone-else"]}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"aud": ["couloir:access"]}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"sid": None}, hashlib.sha256),
        ({"alg": "HS256", "typ": "JWT"}, {"sid": "0" * 32}, hashlib.sha256),
    ],
    ids=[
        "alg-none",
        "wrong-alg",
        "wrong-aud",
        "refresh-aud",
        "wrong-iss",
        "no-exp",
        "expired",
        "no-sub",
        "wrong-typ",
        "other-event",
        "aud-list-with-another",
        "aud-list",
        "no-session",
        "other-session",
    ],
)
def test_defective_tokens_are_refused(srv, attendee, header, changes, digest):
    key = srv.settings.signing_key() if digest else None
    token = forge(header, valid_claims(srv, attendee, **changes), key, digest or hashlib.sha256)
    assert status_with(srv, token) == 401


# The attendee's id in other scripts' digits, which str.isdigit() and int() take for ASCII ones.
DIGITS = {"arabic-indic": "٠١٢٣٤٥٦٧٨٩", "fullwidth": "０１２３４５６７８９", "devanagari": "०१२३४५६७८९"}


@pytest.mark.parametrize("script", DIGITS)
def test_a_subject_in_non_ascii_digits_is_refused(srv, attendee, script):
    digits = str(attendee["id"]).translate(str.maketrans("0123456789", DIGITS[script]))
    token = forge({"alg": "HS256", "typ": "JWT"}, valid_claims(srv, attendee, sub=f"attendee:{digits}"),
                  srv.settings.signing_key())  # fmt: skip
    assert status_with(srv, token) == 401


@pytest.mark.parametrize("sub", ["attendee:0{id}", "attendee:+{id}", "attendee: {id}", "Attendee:{id}"])
def test_a_subject_not_written_as_issued_is_refused(srv, attendee, sub):
    claims = valid_claims(srv, attendee, sub=sub.format(id=attendee["id"]))
    assert status_with(srv, forge({"alg": "HS256", "typ": "JWT"}, claims, srv.settings.signing_key())) == 401


def test_wrong_key_is_refused(srv, attendee):
    token = forge({"alg": "HS256"}, valid_claims(srv, attendee), "not-the-key" * 4)
    assert status_with(srv, token) == 401


def test_garbage_and_missing_tokens_are_refused(srv, attendee):
    assert status_with(srv, "not.a.jwt") == 401
    with srv.client() as client:
        response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"] == "NotAuthenticated"


def test_a_token_accepted_once_is_still_refused_once_expired(srv, attendee):
    # Verified tokens are remembered by the process: the expiry must still count at every use.
    claims = valid_claims(srv, attendee, exp=int(time.time()) + 2)
    token = forge({"alg": "HS256", "typ": "JWT"}, claims, srv.settings.signing_key())
    assert status_with(srv, token) == 200
    time.sleep(2.1)
    assert status_with(srv, token) == 401


def test_a_token_remembered_under_one_key_is_refused_by_a_service_with_another(srv, attendee, tmp_path):
    from tests.conftest import start_server

    token = forge({"alg": "HS256", "typ": "JWT"}, valid_claims(srv, attendee), srv.settings.signing_key())
    assert status_with(srv, token) == 200
    # The same database in the same process, another signing key: what was verified must not carry over.
    running = start_server(tmp_path, srv.settings.database_url, secret_key=secrets.token_urlsafe(32))
    other = next(running)
    try:
        assert status_with(other, token) == 401
    finally:
        running.close()


def test_the_token_of_a_deleted_account_is_refused_where_phones_call_through_a_break(srv):
    # Check-in and suggestions read the caller with the rest of their work, not through `current_attendee`.
    hall = factories.hallway(srv)
    gone = hall.person(srv, "Gone", ["o11y"])
    with srv.client(gone.token) as client:
        assert client.delete("/api/me").status_code == 204
        refused = [
            client.get("/api/me/suggestions"),
            client.post("/api/me/check-ins", json={"code": hall.zones["coffee"]["code"]},
                        headers={"Idempotency-Key": factories.new_key()}),
        ]  # fmt: skip
    assert [r.status_code for r in refused] == [401, 401]
    assert all(r.json()["error"] == "NotAuthenticated" for r in refused)
