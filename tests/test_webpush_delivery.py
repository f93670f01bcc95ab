"""Web Push delivery against a real receiver: what arrives is decrypted and checked like a phone
and a push service would, so these tests prove the bytes on the wire. No database."""

from __future__ import annotations

import asyncio
import base64
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from py_vapid import jwt as vapid_jwt

from api.push.webpush import (
    MAX_PLAINTEXT_BYTES,
    DeliveryOutcome,
    PushMessage,
    VapidKeys,
    _Sender,
    deliver,
    load_or_create_vapid_keys,
    make_topic,
    validate_push_endpoint,
)
from tests.push_receiver import PushReceiver, Subscription

SUBJECT = "mailto:ops@couloir.example"
FAST_RETRY = {"retry_base_delay": 0.01, "retry_max_delay": 0.05}


@pytest.fixture
def keys(tmp_path: Path) -> VapidKeys:
    return load_or_create_vapid_keys(tmp_path / "data")


@pytest.fixture
def receiver(keys: VapidKeys) -> Iterator[PushReceiver]:
    with PushReceiver(application_server_key=keys.public_key) as running:
        yield running


def message(sub: Subscription, payload: dict[str, Any] | None = None, **options: Any) -> PushMessage:
    options.setdefault("ttl", 3600)
    return PushMessage(
        endpoint=sub["endpoint"],
        p256dh=sub["keys"]["p256dh"],
        auth=sub["keys"]["auth"],
        payload={"kind": "contact_request", "from": "Ada"} if payload is None else payload,
        ref=options.pop("ref", sub["endpoint"]),
        **options,
    )


def send(messages: list[PushMessage], keys: VapidKeys, **options: Any) -> list[DeliveryOutcome]:
    return asyncio.run(deliver(messages, keys=keys, subject=SUBJECT, **{**FAST_RETRY, **options}))


# --- VAPID keys ---------------------------------------------------------------------------


def test_vapid_keys_are_created_private_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = load_or_create_vapid_keys(data_dir)
    (key_file,) = data_dir.iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_or_create_vapid_keys(data_dir) == first
    assert first.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert "PRIVATE" not in repr(first)


def test_vapid_public_key_is_an_application_server_key(keys: VapidKeys) -> None:
    point = base64.urlsafe_b64decode(keys.public_key + "=" * (-len(keys.public_key) % 4))
    assert len(point) == 65 and point[0] == 0x04
    assert "=" not in keys.public_key


def test_vapid_keys_refuse_a_mismatched_public_key(keys: VapidKeys, tmp_path: Path) -> None:
    other = load_or_create_vapid_keys(tmp_path / "other")
    with pytest.raises(ValueError, match="does not match"):
        VapidKeys(private_pem=keys.private_pem, public_key=other.public_key)


# --- delivery -----------------------------------------------------------------------------


def test_payload_arrives_decrypted_with_headers(keys: VapidKeys, receiver: PushReceiver) -> None:
    sub = receiver.new_subscription()
    payload = {"kind": "contact_request", "from": "Zoë", "note": "café ☕", "n": [1, 2.5, None]}
    topic = make_topic("contact-request:42")

    [outcome] = send([message(sub, payload, ttl=600, urgency="high", topic=topic)], keys)

    assert (outcome.status, outcome.http_status, outcome.attempts) == ("delivered", 201, 1)
    [push] = receiver.received_for(sub)
    assert push.payload == payload
    assert (push.ttl, push.urgency, push.topic) == (600, "high", topic)
    assert receiver.rejections == []


def test_outcomes_keep_input_order_and_refs(keys: VapidKeys, receiver: PushReceiver) -> None:
    subs = [receiver.new_subscription() for _ in range(20)]
    gone = subs[7]
    receiver.mark_gone(gone)

    outcomes = send([message(s, {"i": i}, ref=i) for i, s in enumerate(subs)], keys)

    assert [o.ref for o in outcomes] == list(range(20))
    assert [o.status for o in outcomes] == ["gone" if s is gone else "delivered" for s in subs]
    assert sorted(p.payload["i"] for p in receiver.received) == [i for i in range(20) if i != 7]


def test_each_push_service_gets_a_token_for_its_own_origin(keys: VapidKeys) -> None:
    with PushReceiver() as one, PushReceiver() as two:
        subs = [one.new_subscription(), two.new_subscription(), one.new_subscription()]

        outcomes = send([message(s, {"i": i}) for i, s in enumerate(subs)], keys)

        assert [o.status for o in outcomes] == ["delivered"] * 3
        assert (len(one.received), len(two.received)) == (2, 1)
        assert one.rejections == two.rejections == []


def test_vapid_key_must_match_the_subscription(keys: VapidKeys, tmp_path: Path) -> None:
    other = load_or_create_vapid_keys(tmp_path / "other")
    with PushReceiver(application_server_key=other.public_key) as strict:
        sub = strict.new_subscription()
        [outcome] = send([message(sub)], keys)
        assert (outcome.status, outcome.http_status, outcome.attempts) == ("failed", 403, 1)
        assert [r.status for r in strict.rejections] == [403]


def test_gone_subscription_is_reported_gone(keys: VapidKeys, receiver: PushReceiver) -> None:
    sub = receiver.new_subscription()
    receiver.mark_gone(sub)

    [outcome] = send([message(sub)], keys)

    assert (outcome.status, outcome.http_status, outcome.attempts) == ("gone", 410, 1)
    assert receiver.received == []


def test_unknown_endpoint_is_reported_gone(keys: VapidKeys, receiver: PushReceiver) -> None:
    sub = receiver.new_subscription()
    sub["endpoint"] = receiver.origin + "/push/never-subscribed"

    [outcome] = send([message(sub)], keys)

    assert (outcome.status, outcome.http_status) == ("gone", 404)


def test_429_then_success_is_delivered_on_second_attempt(keys: VapidKeys, receiver: PushReceiver) -> None:
    sub = receiver.new_subscription()
    receiver.fail_next(sub, 1, status=429)

    [outcome] = send([message(sub, {"hello": "again"})], keys)

    assert (outcome.status, outcome.http_status, outcome.attempts) == ("delivered", 201, 2)
    assert outcome.error is None and outcome.elapsed > 0
    assert [p.payload for p in receiver.received_for(sub)] == [{"hello": "again"}]
    assert receiver.hits(sub) == 2
    assert receiver.rejections == []


def test_retry_after_is_honoured_up_to_the_cap(
    keys: VapidKeys, receiver: PushReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The waits the sender chooses, not the clock: a busy machine stretches every sleep.
    waits: list[float] = []
    backoff = _Sender._backoff

    def recorded_backoff(sender: _Sender, attempt: int, retry_after: float | None) -> float:
        waits.append(backoff(sender, attempt, retry_after))
        return waits[-1]

    monkeypatch.setattr(_Sender, "_backoff", recorded_backoff)
    honoured, capped = receiver.new_subscription(), receiver.new_subscription()
    receiver.fail_next(honoured, 1, status=503, retry_after=1)
    [outcome] = send([message(honoured)], keys, retry_max_delay=5)
    assert outcome.status == "delivered" and waits == [1.0]

    waits.clear()
    receiver.fail_next(capped, 1, status=429, retry_after=3600)
    [outcome] = send([message(capped)], keys, retry_max_delay=0.2)
    assert outcome.status == "delivered" and waits == [0.2]


def test_persistent_503_fails_after_max_attempts(keys: VapidKeys, receiver: PushReceiver) -> None:
    sub = receiver.new_subscription()
    receiver.fail_next(sub, 10, status=503)

    [outcome] = send([message(sub)], keys, max_attempts=3)

    assert (outcome.status, outcome.http_status, outcome.attempts) == ("failed", 503, 3)
    assert outcome.error is not None and "503" in outcome.error
    assert receiver.hits(sub) == 3


@pytest.mark.parametrize("status", [400, 403, 413])
def test_other_client_errors_fail_without_retry(keys: VapidKeys, receiver: PushReceiver, status: int) -> None:
    sub = receiver.new_subscription()
    receiver.fail_next(sub, 1, status=status)

    [outcome] = send([message(sub)], keys)

    assert (outcome.status, outcome.http_status, outcome.attempts) == ("failed", status, 1)
    assert receiver.hits(sub) == 1


def test_connection_errors_are_retried_then_fail(keys: VapidKeys, receiver: PushReceiver) -> None:
    with socket.socket() as probe:  # a port nobody listens on once the probe closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sub = receiver.new_subscription()
    sub["endpoint"] = f"http://127.0.0.1:{port}/push/x"

    [outcome] = send([message(sub)], keys, max_attempts=3)

    assert (outcome.status, outcome.http_status, outcome.attempts) == ("failed", None, 3)
    assert outcome.error is not None and "Connect" in outcome.error


def test_parallelism_is_bounded(keys: VapidKeys, receiver: PushReceiver) -> None:
    subs = [receiver.new_subscription() for _ in range(300)]

    outcomes = send([message(s) for s in subs], keys, concurrency=20)  # spread over 3 clients

    assert all(o.status == "delivered" for o in outcomes)
    assert len(receiver.received) == 300
    assert 1 < receiver.max_in_flight <= 20
    assert receiver.rejections == []


def test_a_given_client_is_used_and_left_open(keys: VapidKeys, receiver: PushReceiver) -> None:
    subs = [receiver.new_subscription() for _ in range(10)]

    async def run() -> tuple[list[DeliveryOutcome], bool]:
        async with httpx.AsyncClient() as client:
            outcomes = await deliver([message(s) for s in subs], keys=keys, subject=SUBJECT, client=client)
            return outcomes, client.is_closed

    outcomes, closed = asyncio.run(run())

    assert [o.status for o in outcomes] == ["delivered"] * 10
    assert not closed


def test_no_messages_no_work(keys: VapidKeys) -> None:
    assert send([], keys) == []


def test_bad_subject_is_refused(keys: VapidKeys, receiver: PushReceiver) -> None:
    sub = receiver.new_subscription()
    for subject in ("ops@couloir.example", "http://couloir.example", "mailto:nobody"):
        with pytest.raises(ValueError, match="subject"):
            asyncio.run(deliver([message(sub)], keys=keys, subject=subject))
    assert receiver.hits(sub) == 0


# --- the receiver itself refuses what a phone could not use -----------------------------


def test_receiver_rejects_a_push_encrypted_for_another_subscription(keys: VapidKeys, receiver: PushReceiver) -> None:
    target, other = receiver.new_subscription(), receiver.new_subscription()
    misdirected = message({**other, "endpoint": target["endpoint"]})

    [outcome] = send([misdirected], keys)

    assert (outcome.status, outcome.http_status) == ("failed", 400)
    assert [(r.endpoint, r.status) for r in receiver.rejections] == [(target["endpoint"], 400)]
    assert receiver.received == []


def test_receiver_rejects_forged_or_misaddressed_vapid(keys: VapidKeys) -> None:
    with PushReceiver() as receiver:
        sub = receiver.new_subscription()
        signing_key = serialization.load_pem_private_key(keys.private_pem.encode(), None)
        now = int(time.time())

        def post(authorization: str) -> int:
            headers = {"Authorization": authorization, "TTL": "60", "Content-Encoding": "aes128gcm"}
            return httpx.post(sub["endpoint"], content=b"x" * 100, headers=headers).status_code

        def token(**claims: Any) -> str:
            claims = {"aud": receiver.origin, "exp": now + 3600, "sub": SUBJECT, **claims}
            signed: str = vapid_jwt.sign(claims, signing_key)
            return signed

        k = keys.public_key
        assert post(f"WebPush {token()}") == 401
        assert post(f"vapid t={token()[:-4]}AAAA,k={k}") == 401  # signature broken
        assert post(f"vapid t={token(aud='http://127.0.0.1:1')},k={k}") == 401
        assert post(f"vapid t={token(exp=now + 25 * 3600)},k={k}") == 401
        assert post(f"vapid t={token(sub='ops@x.example')},k={k}") == 401
        assert post(f"vapid t={token()},k={k}") == 400  # valid token, undecryptable body
        assert [r.status for r in receiver.rejections] == [401] * 5 + [400]


# --- message validation -------------------------------------------------------------------


def test_largest_allowed_payload_fits_one_record(keys: VapidKeys, receiver: PushReceiver) -> None:
    sub = receiver.new_subscription()
    filler = "x" * (MAX_PLAINTEXT_BYTES - len('{"f":""}'))
    largest = message(sub, {"f": filler})
    assert len(largest.plaintext) == MAX_PLAINTEXT_BYTES

    [outcome] = send([largest], keys)

    assert outcome.status == "delivered"
    assert receiver.received_for(sub)[0].payload == {"f": filler}
    with pytest.raises(ValueError, match="3993"):
        message(sub, {"f": filler + "x"})


def test_multibyte_payload_size_counts_bytes(receiver: PushReceiver) -> None:
    sub = receiver.new_subscription()
    with pytest.raises(ValueError, match="payload"):
        message(sub, {"f": "é" * 2000})  # 2000 characters, 4000 bytes


@pytest.mark.parametrize("ttl", [0, -1, True, 1.5])
def test_ttl_must_be_a_positive_integer(receiver: PushReceiver, ttl: Any) -> None:
    with pytest.raises(ValueError, match="ttl"):
        message(receiver.new_subscription(), ttl=ttl)


def test_urgency_must_be_known(receiver: PushReceiver) -> None:
    with pytest.raises(ValueError, match="urgency"):
        message(receiver.new_subscription(), urgency="urgent")


@pytest.mark.parametrize("topic", ["", "has space", "slash/", "a" * 33, "padded=="])
def test_invalid_topic_is_refused(receiver: PushReceiver, topic: str) -> None:
    with pytest.raises(ValueError, match="topic"):
        message(receiver.new_subscription(), topic=topic)


def test_make_topic_is_stable_and_valid(receiver: PushReceiver) -> None:
    topic = make_topic("contact-request: Ada → Grace / event 7")
    assert topic == make_topic("contact-request: Ada → Grace / event 7")
    assert topic != make_topic("contact-request: Ada → Grace / event 8")
    assert message(receiver.new_subscription(), topic=topic).topic == topic
    assert len(topic) == 32


def test_malformed_subscription_keys_are_refused(receiver: PushReceiver) -> None:
    sub = receiver.new_subscription()
    good_p256dh, good_auth = sub["keys"]["p256dh"], sub["keys"]["auth"]
    for p256dh, auth in [
        (good_p256dh[:-4], good_auth),  # truncated point
        ("C" + good_p256dh[1:], good_auth),  # 0x08 prefix: not an uncompressed point
        (good_p256dh, good_auth[:-2]),  # short auth secret
        (good_p256dh, good_auth + "!"),  # outside the alphabet
    ]:
        sub["keys"] = {"p256dh": p256dh, "auth": auth}
        with pytest.raises(ValueError):
            message(sub)


# --- endpoint validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://fcm.googleapis.com/fcm/send/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://172.16.0.1/x",
        "https://192.168.1.1/x",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/x",
        "https://0.0.0.0/x",
        "https://224.0.0.1/x",
        "https://240.0.0.1/x",
        "https://[::1]/x",
        "https://[::]/x",
        "https://[fe80::1]/x",
        "https://[fc00::1]/x",
        "https://[ff02::1]/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://[2002:a00:1::]/x",  # 6to4 of 10.0.0.1
        "https://[64:ff9b::a00:1]/x",  # NAT64 of 10.0.0.1
        "https://localhost/x",
        "https://push.localhost/x",
        "https://2130706433/x",  # 127.0.0.1 as one integer, resolved without DNS
        "https://user:pw@93.184.215.14/x",
        "https://evil.example@93.184.215.14/x",
        "https://93.184.215.14:99999/x",
        "https:///x",
        "https://[::1/x",
        "ftp://93.184.215.14/x",
        "https://93.184.215.14/x y",
        "https://93.184.215.14/" + "a" * 2048,
    ],
)
def test_production_refuses_non_public_endpoints(url: str) -> None:
    with pytest.raises(ValueError, match="push endpoint"):
        validate_push_endpoint(url, allow_private=False)


def test_production_accepts_public_https() -> None:
    url = "https://93.184.215.14/wpush/v2/abc"
    assert validate_push_endpoint(url, allow_private=False) == url
    assert validate_push_endpoint("https://[2606:4700::1]/x", allow_private=False)


def test_hostnames_are_judged_by_what_they_resolve_to() -> None:
    zone = {
        "fcm.googleapis.com": ["142.250.74.10", "2a00:1450:4001:80b::200a"],
        "rebind.example": ["93.184.215.14", "10.0.0.5"],
        "internal.example": ["192.168.0.10"],
    }
    calls: list[tuple[str, int]] = []

    def fake_resolve(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return zone.get(host, [])

    url = "https://fcm.googleapis.com/fcm/send/abc:def"
    assert validate_push_endpoint(url, allow_private=False, resolve=fake_resolve) == url
    assert calls == [("fcm.googleapis.com", 443)]
    for refused in ("https://internal.example/x", "https://rebind.example/x"):
        with pytest.raises(ValueError, match="non-public"):
            validate_push_endpoint(refused, allow_private=False, resolve=fake_resolve)
    with pytest.raises(ValueError, match="does not resolve"):
        validate_push_endpoint("https://nx.example/x", allow_private=False, resolve=fake_resolve)


def test_development_allows_the_local_receiver(receiver: PushReceiver) -> None:
    endpoint = receiver.new_subscription()["endpoint"]
    assert endpoint.startswith("http://127.0.0.1:")
    assert validate_push_endpoint(endpoint, allow_private=True) == endpoint
    for refused in ("ftp://127.0.0.1/x", "http://u@127.0.0.1/x", "http:///x"):
        with pytest.raises(ValueError, match="push endpoint"):
            validate_push_endpoint(refused, allow_private=True)
