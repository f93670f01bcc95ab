"""Caps on what one request may take: its body (enforced while reading, so a missing or lying Content-Length
cannot get past it), and how many requests run at once in a process."""

import asyncio
import re
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import error_response


class BodySizeLimit:
    """Request bodies are read whole before the app sees them (then replayed to it), within bounds:

    - `max_bytes` for every path; a path matching `large_paths` (file imports) may send up to `large_bytes`,
      but only with a valid organizer's token (`may_send_large`, given the request's headers), checked before
      a byte is read: anyone else's large upload is refused at once (401) and costs no memory;
    - at most `large_at_once` large bodies are held at once in the process, the others wait in line unread;
    - a body must have arrived `seconds` after its request began (else 408): a sender that trickles it cannot
      keep its buffer, its connection and its place in line forever.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        seconds: float,
        large_paths: re.Pattern[str] | None = None,
        large_bytes: int = 0,
        may_send_large: Callable[[dict[bytes, bytes]], bool] = lambda _: False,
        large_at_once: int = 1,
    ):
        self.app = app
        self.max_bytes = max_bytes
        self.seconds = seconds
        self.large_paths = large_paths
        self.large_bytes = large_bytes
        self.may_send_large = may_send_large
        self.large_slots = _PerLoop(lambda: asyncio.Semaphore(large_at_once))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        size = int(declared) if declared is not None and declared.isdigit() else None
        # A body of unknown size (chunked) may be large; no Content-Length and no chunks: no body.
        may_be_large = size > self.max_bytes if size is not None else b"transfer-encoding" in headers
        if not (may_be_large and self.large_paths is not None and self.large_paths.fullmatch(scope["path"])):
            await self._read_then_serve(scope, receive, send, self.max_bytes, size)
            return
        if not self.may_send_large(headers):
            detail = "Sending a file needs a valid organizer's access token"
            headers_out = {"WWW-Authenticate": "Bearer"}
            await error_response(401, "NotAuthenticated", detail, headers_out)(scope, receive, send)
            return
        async with self.large_slots.get():
            await self._read_then_serve(scope, receive, send, self.large_bytes, size)

    async def _read_then_serve(self, scope: Scope, receive: Receive, send: Send, limit: int, size: int | None) -> None:
        if size is not None and size > limit:
            await self._refuse(scope, receive, send, limit)
            return
        chunks: list[bytes] = []
        read = 0
        try:
            async with asyncio.timeout(self.seconds):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":  # the client left before sending its body
                        return
                    chunk = message.get("body", b"")
                    read += len(chunk)
                    if read > limit:
                        chunks.clear()
                        await self._refuse(scope, receive, send, limit)
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            chunks.clear()
            detail = f"The request body did not arrive within {self.seconds:g} seconds"
            await error_response(408, "RequestTimeout", detail, {"Connection": "close"})(scope, receive, send)
            return
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        await self.app(scope, _replay(body, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = error_response(413, "PayloadTooLarge", f"Request bodies are limited to {limit} bytes")
        await response(scope, receive, send)


class _PerLoop:
    """One object per event loop (a test client runs each in a loop of its own); the service runs one."""

    def __init__(self, make: Callable[[], asyncio.Semaphore]):
        self.make = make
        self._loop: asyncio.AbstractEventLoop | None = None
        self._value: asyncio.Semaphore | None = None

    def get(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._value = loop, self.make()
        return self._value


def _replay(body: bytes, receive: Receive) -> Receive:
    """The buffered body once, then the real channel (so a disconnect is still seen when it happens)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class RequestSlots:
    """At most `slots` API requests in progress in this process; the others wait in line, in arrival order.

    Past a few requests per core, more at once only add waiting inside the process: for a database
    connection (a pool overflowing opens and closes connections, each costing the database a process),
    for the interpreter lock between threads, and with locks and snapshots held meanwhile. Waiting here
    holds nothing. The database pool is sized from the same number, so a request never waits for one.

    Requests served in groups (`grouped`: exact paths, api/core/group_commit.py) take no slot: a group holds
    one connection for all of its requests, and a slot each would cap a group at `slots` requests.
    """

    def __init__(self, app: ASGIApp, slots: int, grouped: frozenset[str] = frozenset()):
        self.app = app
        self.slots = slots
        self.grouped = grouped
        self._semaphore = _PerLoop(lambda: asyncio.Semaphore(slots))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/api" or path.startswith("/api/")) or path in self.grouped:
            await self.app(scope, receive, send)  # the app's own files touch no database
            return
        async with self._semaphore.get():
            await self.app(scope, receive, send)
