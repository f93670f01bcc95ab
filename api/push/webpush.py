"""Web Push delivery: VAPID keys, aes128gcm payload encryption, bounded parallel sending with
retries, and the address checks a subscription endpoint must pass before we ever POST to it.

Plain functions and dataclasses: no FastAPI, no database. Callers map outcomes back to their
subscriptions through `PushMessage.ref` and delete those whose outcome is "gone".
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import hashlib
import ipaddress
import json
import os
import random
import re
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import http_ece
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt as vapid_jwt

Urgency = Literal["very-low", "low", "normal", "high"]
DeliveryStatus = Literal["delivered", "gone", "failed"]
# (hostname, port) -> IP address strings; injectable so tests need no DNS.
Resolver = Callable[[str, int], Iterable[str]]

# One 4096-byte aes128gcm record minus its header (86), tag (16) and padding delimiter (1).
MAX_PLAINTEXT_BYTES = 3993
MAX_ENDPOINT_LENGTH = 2048
VAPID_KEY_FILE = "vapid_private_key.pem"
VAPID_TOKEN_LIFETIME = 12 * 3600  # RFC 8292 allows at most 24 h; services reject longer.
VAPID_HEADER_REUSE = 300  # a signed header is reused this long per audience, then re-signed

_URGENCIES: tuple[str, ...] = get_args(Urgency)
_DELIVERED = frozenset({200, 201, 202})
_GONE = frozenset({404, 410})
_TOPIC_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_SUBJECT_RE = re.compile(r"mailto:[^@\s]+@[^@\s]+|https://[^\s/?#@]+(/\S*)?")
_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
_HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_CONNECTIONS_PER_CLIENT = 8  # see _ClientLanes
_ERROR_TEXT_LIMIT = 200


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(value: str, what: str) -> bytes:
    # urlsafe_b64decode silently drops characters outside the alphabet, so check first.
    if not _B64URL_RE.fullmatch(value):
        raise ValueError(f"{what} is not URL-safe base64")
    unpadded = value.rstrip("=")
    return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))


def _load_p256_key(pem: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise TypeError("VAPID private key must be an EC P-256 key")
    return key


def _public_point(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


# --- VAPID keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VapidKeys:
    """The server's VAPID identity. `public_key` is the browser's `applicationServerKey`."""

    private_pem: str = field(repr=False)  # PKCS#8 PEM; kept out of repr so it never hits logs
    public_key: str  # uncompressed P-256 point, URL-safe base64 without padding
    _signing_key: ec.EllipticCurvePrivateKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = _load_p256_key(self.private_pem)
        if _b64url_encode(_public_point(key)) != self.public_key:
            raise ValueError("VAPID public key does not match the private key")
        object.__setattr__(self, "_signing_key", key)

    @classmethod
    def from_private_pem(cls, pem: str) -> VapidKeys:
        key = _load_p256_key(pem)
        return cls(private_pem=pem, public_key=_b64url_encode(_public_point(key)))


def load_or_create_vapid_keys(data_dir: Path) -> VapidKeys:
    """Load the VAPID key from `data_dir`, generating it (mode 0600) on first run.

    The key must outlive restarts: every browser subscription is bound to its public half.
    """
    path = data_dir / VAPID_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_new_key(path)
    return VapidKeys.from_private_pem(path.read_text())


def _write_new_key(path: Path) -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # mkstemp creates the file 0600; link() publishes it complete and never replaces a key
    # that a concurrently starting worker wrote first.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


# --- messages and outcomes ----------------------------------------------------------------


def make_topic(key: str) -> str:
    """Derive a valid Topic header (32 URL-safe base64 chars) from any string, stably.

    Messages sharing a topic replace each other while queued at the push service.
    """
    return _b64url_encode(hashlib.sha256(key.encode()).digest())[:32]


@dataclass(frozen=True, kw_only=True)
class PushMessage:
    """One push to one subscription. Validated on construction; the payload is serialised then,
    so later changes to the dict are not sent."""

    endpoint: str
    p256dh: str  # subscription's P-256 ECDH public key, URL-safe base64
    auth: str  # subscription's 16-byte auth secret, URL-safe base64
    payload: dict[str, Any]
    ttl: int  # seconds the push service keeps the message while the device is offline
    ref: Any  # opaque to this module; returned in the matching DeliveryOutcome
    urgency: Urgency = "normal"
    topic: str | None = None
    plaintext: bytes = field(init=False, repr=False, compare=False)
    _receiver_key: ec.EllipticCurvePublicKey = field(init=False, repr=False, compare=False)
    _auth_secret: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("endpoint must be an absolute http(s) URL")
        # bool is an int; 0 tells push services to drop the message if the phone is asleep.
        if isinstance(self.ttl, bool) or not isinstance(self.ttl, int) or self.ttl < 1:
            raise ValueError("ttl must be an integer number of seconds >= 1")
        if self.urgency not in _URGENCIES:
            raise ValueError(f"urgency must be one of {', '.join(_URGENCIES)}")
        if self.topic is not None and not _TOPIC_RE.fullmatch(self.topic):
            raise ValueError("topic must be 1-32 URL-safe base64 characters; derive one with make_topic()")
        plaintext = json.dumps(self.payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
        if len(plaintext) > MAX_PLAINTEXT_BYTES:
            raise ValueError(f"payload is {len(plaintext)} bytes as JSON; Web Push allows {MAX_PLAINTEXT_BYTES}")
        raw_key = _b64url_decode(self.p256dh, "p256dh")
        if len(raw_key) != 65 or raw_key[0] != 0x04:
            raise ValueError("p256dh must be an uncompressed P-256 point (65 bytes)")
        receiver_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
        auth_secret = _b64url_decode(self.auth, "auth")
        if len(auth_secret) != 16:
            raise ValueError("auth must be a 16-byte secret")
        object.__setattr__(self, "plaintext", plaintext)
        object.__setattr__(self, "_receiver_key", receiver_key)
        object.__setattr__(self, "_auth_secret", auth_secret)


@dataclass(frozen=True)
class DeliveryOutcome:
    ref: Any
    status: DeliveryStatus  # "gone": the subscription is dead, delete it
    http_status: int | None  # None when no response came back (connection error)
    attempts: int
    error: str | None = None
    elapsed: float = 0.0  # seconds from the first send attempt to the outcome, backoff included


# --- delivery -----------------------------------------------------------------------------


def _audience(endpoint: str) -> str:
    """The push service origin (scheme://host[:port]) that the VAPID token is bound to."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if parts.scheme == "https" else 80
    port = "" if parts.port in (None, default_port) else f":{parts.port}"
    return f"{parts.scheme}://{host}{port}"


def _encrypt(message: PushMessage) -> bytes:
    # RFC 8291: a fresh sender key pair per message; http_ece draws a fresh random salt.
    body: bytes = http_ece.encrypt(
        message.plaintext,
        private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=message._receiver_key,
        auth_secret=message._auth_secret,
        version="aes128gcm",
    )
    return body


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _VapidSigner:
    """Signs VAPID Authorization headers, reusing one per audience for a few minutes."""

    def __init__(self, keys: VapidKeys, subject: str) -> None:
        self._keys = keys
        self._subject = subject
        self._cache: dict[str, tuple[str, float]] = {}

    def authorization(self, audience: str) -> str:
        now = time.time()
        cached = self._cache.get(audience)
        if cached is not None and cached[1] > now:
            return cached[0]
        # A new claims dict per token: a shared one would carry one service's aud to the next.
        claims = {
            "aud": audience,
            "exp": int(now) + VAPID_TOKEN_LIFETIME,
            "sub": self._subject,
        }
        token = vapid_jwt.sign(claims, self._keys._signing_key)
        header = f"vapid t={token},k={self._keys.public_key}"
        self._cache[audience] = (header, now + VAPID_HEADER_REUSE)
        return header


class _ClientLanes:
    """httpx clients of a few connections each, leased least busy first.

    httpcore's pool does work quadratic in its connection count on every request
    (encode/httpx#3215); one client with 64 connections spent most of the sender's CPU there.
    """

    def __init__(self, clients: list[httpx.AsyncClient]) -> None:
        self._clients = clients
        self._in_flight = [0] * len(clients)

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, concurrency: int) -> AsyncIterator[_ClientLanes]:
        """Enough clients for `concurrency` requests; with that many leases at most, least-busy
        leasing never puts more on one client than it has connections."""
        per_client = min(concurrency, _CONNECTIONS_PER_CLIENT)
        limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
        tls = httpx.create_ssl_context()  # loading the CA bundle takes ~20 ms: do it once
        async with contextlib.AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(httpx.AsyncClient(verify=tls, timeout=_HTTP_TIMEOUT, limits=limits))
                for _ in range(-(-concurrency // per_client))
            ]
            yield cls(clients)

    @contextlib.contextmanager
    def lease(self) -> Iterator[httpx.AsyncClient]:
        lane = min(range(len(self._clients)), key=self._in_flight.__getitem__)
        self._in_flight[lane] += 1
        try:
            yield self._clients[lane]
        finally:
            self._in_flight[lane] -= 1


@dataclass(frozen=True)
class _Attempt:
    status: int | None  # None when no response came back
    retry_after: float | None
    error: str | None


@dataclass
class _Sender:
    lanes: _ClientLanes
    signer: _VapidSigner
    slots: asyncio.Semaphore
    max_attempts: int
    base_delay: float
    max_delay: float

    async def deliver_one(self, message: PushMessage) -> DeliveryOutcome:
        loop = asyncio.get_running_loop()
        # Hold a slot only while working on the wire, never while backing off.
        async with self.slots:
            started = loop.time()
            body = _encrypt(message)  # the same ciphertext serves every retry
            result = await self._post(message, body)
        attempt = 1
        while (status := self._classify(result.status, attempt)) is None:
            await asyncio.sleep(self._backoff(attempt, result.retry_after))
            attempt += 1
            async with self.slots:
                result = await self._post(message, body)
        return DeliveryOutcome(
            ref=message.ref,
            status=status,
            http_status=result.status,
            attempts=attempt,
            error=result.error,
            elapsed=loop.time() - started,
        )

    def _classify(self, http_status: int | None, attempt: int) -> DeliveryStatus | None:
        """The final status, or None to try again."""
        if http_status in _DELIVERED:
            return "delivered"
        if http_status in _GONE:
            return "gone"
        retryable = http_status is None or http_status == 429 or http_status >= 500
        return None if retryable and attempt < self.max_attempts else "failed"

    async def _post(self, message: PushMessage, body: bytes) -> _Attempt:
        headers = {
            "TTL": str(message.ttl),
            "Urgency": message.urgency,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": self.signer.authorization(_audience(message.endpoint)),
        }
        if message.topic is not None:
            headers["Topic"] = message.topic
        try:
            with self.lanes.lease() as client:
                response = await client.post(message.endpoint, content=body, headers=headers)
        except httpx.TransportError as exc:
            return _Attempt(None, None, f"{type(exc).__name__}: {exc}")
        if response.status_code in _DELIVERED:
            return _Attempt(response.status_code, None, None)
        detail = response.text[:_ERROR_TEXT_LIMIT].strip()
        return _Attempt(
            response.status_code,
            _parse_retry_after(response.headers.get("Retry-After")),
            f"HTTP {response.status_code}" + (f": {detail}" if detail else ""),
        )

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is None:
            # Jitter keeps a batch that failed together from retrying in lockstep.
            retry_after = self.base_delay * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
        return min(retry_after, self.max_delay)


async def deliver(
    messages: Iterable[PushMessage],
    *,
    keys: VapidKeys,
    subject: str,
    concurrency: int = 64,
    max_attempts: int = 4,
    client: httpx.AsyncClient | None = None,
    retry_base_delay: float = 0.5,
    retry_max_delay: float = 30.0,
) -> list[DeliveryOutcome]:
    """Encrypt, sign and send every message; one outcome per message, in input order.

    200/201/202 -> "delivered"; 404/410 -> "gone"; 429, 5xx and connection errors are retried
    with exponential backoff (Retry-After honoured, every wait capped at `retry_max_delay`)
    up to `max_attempts` sends; anything else -> "failed" at once.
    Endpoints must already have passed `validate_push_endpoint`. A given `client` is used
    as is (it must not follow redirects); otherwise clients are opened for this call.
    """
    if not _SUBJECT_RE.fullmatch(subject):
        raise ValueError("VAPID subject must be a mailto: address or an https:// URL")
    if concurrency < 1 or max_attempts < 1:
        raise ValueError("concurrency and max_attempts must be >= 1")
    messages = list(messages)
    if not messages:
        return []
    async with contextlib.AsyncExitStack() as stack:
        if client is None:
            lanes = await stack.enter_async_context(_ClientLanes.open(concurrency))
        else:
            lanes = _ClientLanes([client])
        sender = _Sender(
            lanes=lanes,
            signer=_VapidSigner(keys, subject),
            slots=asyncio.Semaphore(concurrency),
            max_attempts=max_attempts,
            base_delay=retry_base_delay,
            max_delay=retry_max_delay,
        )
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(sender.deliver_one(m)) for m in messages]
    return [task.result() for task in tasks]


# --- endpoint validation ------------------------------------------------------------------


def _system_resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValueError(f"push endpoint host {host!r} does not resolve ({exc.strerror})") from None
    return [str(info[4][0]) for info in infos]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which is where it leads."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _is_public(embedded)
    # is_global alone lets multicast through, so every category is checked.
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def validate_push_endpoint(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> str:
    """Return `url` if we may POST pushes to it, else raise ValueError saying why.

    Production (`allow_private=False`): https only, and the host, whether an IP literal or a
    name resolved with `resolve` (default: socket.getaddrinfo, which blocks), must lead only
    to public addresses; this keeps a forged subscription from making the server call its own
    network. `allow_private=True` (development, the test receiver) also accepts http and any
    address, and resolves nothing. The check holds at subscription time; DNS may change later.
    """
    if len(url) > MAX_ENDPOINT_LENGTH:
        raise ValueError(f"push endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise ValueError("push endpoint contains whitespace or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError("push endpoint is not a valid URL") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise ValueError(f"push endpoint must be an {' or '.join(schemes)} URL")
    if "@" in parts.netloc:
        raise ValueError("push endpoint must not contain user info")
    host = parts.hostname
    if not host:
        raise ValueError("push endpoint has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValueError("push endpoint has an invalid port") from None
    if allow_private:
        return url
    if host.rstrip(".") == "localhost" or host.rstrip(".").endswith(".localhost"):
        raise ValueError("push endpoint must not point at localhost")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        resolved = list((resolve or _system_resolve)(host, port))
        if not resolved:
            raise ValueError(f"push endpoint host {host!r} does not resolve") from None
        addresses = [ipaddress.ip_address(a) for a in resolved]
    for address in addresses:
        if not _is_public(address):
            raise ValueError(f"push endpoint host {host!r} leads to non-public address {address}")
    return url
