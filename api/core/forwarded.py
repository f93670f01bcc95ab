"""The phone's address behind a reverse proxy (what per-address rate limits count), from `X-Forwarded-For`.

Each proxy appends the address it saw to the header, after whatever the sender wrote there: only the entries
added by proxies we trust are true, and the leftmost ones are the client's to choose. The client is the
rightmost entry not added by a trusted proxy: walking from the right, every entry that is a trusted proxy's
own address was added by the proxy before it, and the first that is not is where the request came from.

`trusted` (COULOIR_FORWARDED_ALLOW_IPS) lists the proxies' addresses or networks; `*` trusts whatever
connects to us (nothing but the proxy can) and only that one: the client is the last entry it added.
Requests from anyone else keep the address they came from, whatever they write in the header.
"""

import ipaddress
from functools import lru_cache

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ForwardedAddress:
    def __init__(self, app: ASGIApp, trusted: str):
        self.app = app
        self.trust_any_peer = trusted.strip() == "*"
        self.networks: tuple[Network, ...] = () if self.trust_any_peer else _networks(trusted)
        self._is_trusted = lru_cache(maxsize=4096)(self._compute_trust)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("client"):
            peer, _ = scope["client"]
            if self.trust_any_peer or self._is_trusted(peer):
                self._take_forwarded(scope)
        await self.app(scope, receive, send)

    def _take_forwarded(self, scope: Scope) -> None:
        forwarded: list[str] = []
        for name, value in scope["headers"]:
            if name == b"x-forwarded-for":
                forwarded += [entry.strip() for entry in value.decode("latin-1").split(",")]
            elif name == b"x-forwarded-proto" and value in (b"http", b"https"):
                scope["scheme"] = value.decode()
        client = self.client_of(forwarded)
        if client:
            scope["client"] = (client, 0)

    def client_of(self, forwarded: list[str]) -> str | None:
        """The sender's address among the header's entries, in the order they were added."""
        if not forwarded:
            return None
        if self.trust_any_peer:
            return _host(forwarded[-1]) or None
        for entry in reversed(forwarded):
            host = _host(entry)
            if not self._is_trusted(host):
                return host or None
        return _host(forwarded[0]) or None  # proxies all the way: the first one is the sender

    def _compute_trust(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def _networks(trusted: str) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in trusted.split(",") if item.strip())
    except ValueError as bad:
        raise ValueError(f"COULOIR_FORWARDED_ALLOW_IPS: {bad} (addresses or networks, comma-separated, or *)") from None


def _host(entry: str) -> str:
    """An entry without its port, if it has one ("203.0.113.7:4711", "[2001:db8::1]:4711")."""
    if entry.startswith("["):
        return entry[1:].partition("]")[0]
    if entry.count(":") == 1:
        return entry.partition(":")[0]
    return entry
