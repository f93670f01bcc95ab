"""A real Web Push receiver for tests: an HTTP server on 127.0.0.1 that checks each push the way a
push service and a browser together would (VAPID signature, audience and expiry; RFC 8030
headers; aes128gcm decryption with the subscription's private key) and records what the phone
would show. It shares no code with the sender, so a test that passes proves the bytes on the wire.

    with PushReceiver() as receiver:
        sub = receiver.new_subscription()
        ...deliver to sub["endpoint"]...
        assert receiver.received_for(sub)[0].payload == {...}
        assert receiver.rejections == []
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_BODY_BYTES = 4096  # what real push services accept
MAX_TOKEN_LIFETIME = 24 * 3600  # RFC 8292
SINK_PATH = "/sink"  # accepts any POST unchecked: a baseline for benchmarks
_URGENCIES = frozenset({"very-low", "low", "normal", "high"})
_TOPIC_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")

Subscription = dict[str, Any]  # browser-shaped: {"endpoint", "expirationTime", "keys": {...}}


@dataclass(frozen=True)
class ReceivedPush:
    endpoint: str  # identifies the subscription
    payload: Any  # the decrypted JSON
    ttl: int
    urgency: str | None
    topic: str | None
    received_at: float  # time.time()


@dataclass(frozen=True)
class Rejection:
    endpoint: str
    status: int
    reason: str


@dataclass
class _Subscriber:
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    gone: bool = False
    failures: deque[tuple[int, int | None]] = field(default_factory=deque)
    hits: int = 0


class _Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(value: str) -> bytes:
    return base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)


def _auth_params(params: str) -> dict[str, str]:
    """`t=abc,k=def` -> {"t": "abc", "k": "def"}"""
    pairs = (part.strip().partition("=") for part in params.split(","))
    return {name: value for name, _, value in pairs}


def _endpoint_of(subscription: Subscription | str) -> str:
    return subscription if isinstance(subscription, str) else subscription["endpoint"]


class PushReceiver:
    """Thread-safe; use as a context manager. If `application_server_key` is given, pushes
    signed with another VAPID key are refused with 403, as real push services do."""

    def __init__(self, *, application_server_key: str | None = None) -> None:
        self._application_server_key = application_server_key
        self._lock = threading.Lock()
        self._subscribers: dict[str, _Subscriber] = {}
        self._received: list[ReceivedPush] = []
        self._rejections: list[Rejection] = []
        self._in_flight = 0
        self.max_in_flight = 0
        self.sink_posts = 0
        self._server = _Server(self)
        self.origin = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # shutdown() waits up to one interval
            name="push-receiver",
            daemon=True,
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # --- test controls ----------------------------------------------------------------------

    def new_subscription(self, path: str | None = None) -> Subscription:
        """A subscription as a browser makes one: P-256 ECDH key pair plus 16-byte auth secret.
        `path` defaults to /push/<random id>."""
        path = path or f"/push/{secrets.token_urlsafe(12)}"
        if not path.startswith("/") or path == SINK_PATH:
            raise ValueError("path must start with / and not be the sink")
        key = ec.generate_private_key(ec.SECP256R1())
        auth_secret = secrets.token_bytes(16)
        with self._lock:
            if path in self._subscribers:
                raise ValueError(f"subscription {path} already exists")
            self._subscribers[path] = _Subscriber(key, auth_secret)
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.origin + path,
            "expirationTime": None,
            "keys": {"p256dh": _b64url_encode(public), "auth": _b64url_encode(auth_secret)},
        }

    def mark_gone(self, subscription: Subscription | str) -> None:
        """Answer 410 Gone from now on, as for an unsubscribed browser."""
        with self._lock:
            self._subscriber(subscription).gone = True

    def fail_next(
        self,
        subscription: Subscription | str,
        times: int,
        *,
        status: int = 503,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next `times` pushes with `status` (and Retry-After seconds if given)."""
        with self._lock:
            self._subscriber(subscription).failures.extend([(status, retry_after)] * times)

    # --- observations -----------------------------------------------------------------------

    @property
    def received(self) -> list[ReceivedPush]:
        with self._lock:
            return list(self._received)

    @property
    def rejections(self) -> list[Rejection]:
        with self._lock:
            return list(self._rejections)

    def received_for(self, subscription: Subscription | str) -> list[ReceivedPush]:
        endpoint = _endpoint_of(subscription)
        with self._lock:
            return [push for push in self._received if push.endpoint == endpoint]

    def hits(self, subscription: Subscription | str) -> int:
        """Every POST the subscription's endpoint got, whatever the answer."""
        with self._lock:
            return self._subscriber(subscription).hits

    def _subscriber(self, subscription: Subscription | str) -> _Subscriber:
        endpoint = _endpoint_of(subscription)
        if not endpoint.startswith(self.origin + "/"):
            raise ValueError(f"{endpoint} is not on this receiver")
        return self._subscribers[endpoint[len(self.origin) :]]

    # --- request handling (server threads) --------------------------------------------------

    def handle(self, path: str, headers: Message, body: bytes) -> tuple[int, dict[str, str]]:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            return self._handle(path, headers, body)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _handle(self, path: str, headers: Message, body: bytes) -> tuple[int, dict[str, str]]:
        if path == SINK_PATH:
            with self._lock:
                self.sink_posts += 1
            return 201, {}
        endpoint = self.origin + path
        with self._lock:
            subscriber = self._subscribers.get(path)
            if subscriber is None:
                return 404, {}
            subscriber.hits += 1
            if subscriber.gone:
                return 410, {}
            if subscriber.failures:
                status, retry_after = subscriber.failures.popleft()
                return status, {} if retry_after is None else {"Retry-After": str(retry_after)}
        try:
            push = self._accept(endpoint, subscriber, headers, body)
        except _Rejected as exc:
            with self._lock:
                self._rejections.append(Rejection(endpoint, exc.status, exc.reason))
            return exc.status, {}
        with self._lock:
            self._received.append(push)
        return 201, {"Location": f"{self.origin}/message/{secrets.token_urlsafe(8)}"}

    def _accept(self, endpoint: str, subscriber: _Subscriber, headers: Message, body: bytes) -> ReceivedPush:
        self._verify_vapid(headers.get("Authorization", ""))
        ttl = headers.get("TTL", "")
        if not ttl.isdigit():
            raise _Rejected(400, f"TTL header missing or invalid: {ttl!r}")
        urgency = headers.get("Urgency")
        if urgency is not None and urgency not in _URGENCIES:
            raise _Rejected(400, f"invalid Urgency {urgency!r}")
        topic = headers.get("Topic")
        if topic is not None and not _TOPIC_RE.fullmatch(topic):
            raise _Rejected(400, f"invalid Topic {topic!r}")
        if headers.get("Content-Encoding") != "aes128gcm":
            raise _Rejected(415, f"Content-Encoding {headers.get('Content-Encoding')!r}")
        if len(body) > MAX_BODY_BYTES:
            raise _Rejected(413, f"body of {len(body)} bytes")
        try:
            plaintext = http_ece.decrypt(
                body,
                private_key=subscriber.private_key,
                auth_secret=subscriber.auth_secret,
                version="aes128gcm",
            )
            payload = json.loads(plaintext)
        except (http_ece.ECEException, ValueError, struct.error) as exc:
            raise _Rejected(400, f"undecryptable body: {exc!r}") from None
        return ReceivedPush(endpoint, payload, int(ttl), urgency, topic, time.time())

    def _verify_vapid(self, authorization: str) -> None:
        """RFC 8292: `vapid t=<ES256 JWT>,k=<signing public key>`."""
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise _Rejected(401, f"Authorization scheme {scheme!r} is not vapid")
        fields = _auth_params(params)
        token, key = fields.get("t", ""), fields.get("k", "")
        if self._application_server_key is not None and key != self._application_server_key:
            raise _Rejected(403, "VAPID key differs from the subscription's applicationServerKey")
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(_b64url_decode(header_b64))
            claims = json.loads(_b64url_decode(claims_b64))
            signature = _b64url_decode(signature_b64)
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url_decode(key))
        except ValueError as exc:  # binascii.Error and JSONDecodeError included
            raise _Rejected(401, f"malformed VAPID token: {exc}") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise _Rejected(401, "VAPID token header and claims must be JSON objects")
        if header.get("alg") != "ES256" or len(signature) != 64:
            raise _Rejected(401, f"VAPID token is not ES256: {header}")
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise _Rejected(401, "VAPID signature does not verify") from None
        if claims.get("aud") != self.origin:
            raise _Rejected(401, f"VAPID aud {claims.get('aud')!r} is not {self.origin}")
        exp = claims.get("exp")
        now = time.time()
        if not isinstance(exp, int) or not now < exp <= now + MAX_TOKEN_LIFETIME:
            raise _Rejected(401, f"VAPID exp {exp!r} not within 24 h ahead")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https://")):
            raise _Rejected(401, f"VAPID sub {sub!r} is not mailto: or https:")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: senders reuse connections
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > 1 << 20:
            self.close_connection = True  # the unread body would corrupt the next request
            self._answer(411, {"Connection": "close"})
            return
        body = self.rfile.read(int(length))
        status, headers = self.server.receiver.handle(self.path, self.headers, body)
        self._answer(status, headers)

    def _answer(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per push would drown test output


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default backlog of 5 stalls bursts of new connections

    def __init__(self, receiver: PushReceiver) -> None:
        self.receiver = receiver
        super().__init__(("127.0.0.1", 0), _Handler)
