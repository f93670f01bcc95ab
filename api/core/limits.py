"""Caps on what one request may take: its body (enforced while reading, so a missing or lying Content-Length
cannot get past it), and how many requests run at once in a process."""

import asyncio
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import error_response


class BodySizeLimit:
    """`max_bytes` for every path, except the paths matching a pattern of `path_limits`, which get its cap."""

    def __init__(self, app: ASGIApp, max_bytes: int, path_limits: Sequence[tuple[re.Pattern[str], int]] = ()):
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = path_limits

    def _limit_for(self, path: str) -> int:
        for pattern, limit in self.path_limits:
            if pattern.fullmatch(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        # Bodies are small (a few hundred KB, an imported file a few MB): read the whole body, then replay it.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left before sending its body
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = error_response(413, "PayloadTooLarge", f"Request bodies are limited to {limit} bytes")
        await response(scope, receive, send)


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
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _semaphore_of_this_loop(self) -> asyncio.Semaphore:
        # One per event loop (a test client runs each in a loop of its own); the service runs one.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._semaphore = loop, asyncio.Semaphore(self.slots)
        return self._semaphore

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/api" or path.startswith("/api/")) or path in self.grouped:
            await self.app(scope, receive, send)  # the app's own files touch no database
            return
        async with self._semaphore_of_this_loop():
            await self.app(scope, receive, send)
