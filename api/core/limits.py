"""Caps on what one request may take: its body (enforced while reading, so a missing or lying Content-Length
cannot get past it), and how many requests run at once in a process, which wait and which are refused."""

import asyncio
import math
import re
import time
import weakref
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import Overloaded, error_response
from api.core.serving import ARRIVED


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
        if self._loop is not loop or self._value is None:
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


# How long a refused request is told to wait (Retry-After, seconds); phones add jitter and back off further.
RETRY_AFTER_SECONDS = 2
# A request still waiting for a slot after this many times `queue_wait` is refused then.
WAIT_BACKSTOP = 10
# Readiness says "saturated" while the process refused a request for lack of capacity this recently.
SATURATED_SECONDS = 10.0
_READS = frozenset({"GET", "HEAD"})


class Admission:
    """How many API requests a process serves at once, and which of the others wait or are refused.

    At most `slots` requests in progress. Past a few per core, more at once only add waiting inside the
    process: for a database connection (the pool is sized from the same number), for the interpreter lock
    between threads, with locks and snapshots held meanwhile. The others wait for a slot, holding nothing:
    writes (any method but GET and HEAD: what a phone queues and must not lose) before reads, each in
    arrival order. A request that cannot be served soon is refused at once (503 Overloaded, Retry-After)
    rather than held until the phone gives up: a read when `queued` reads wait already, or when it would
    wait longer than `queue_wait` seconds (the requests ahead of it, over the slots, times the time a
    request held a slot lately); a write when `queued` writes wait. One that waited `WAIT_BACKSTOP` times
    `queue_wait` anyway (requests slower than the recent ones) is refused then.

    A read that finds no free slot counts, in its expected wait, the time it already waited in the process
    before reaching admission (from when its first byte was read, `ARRIVED` stamped by `couloir serve`, to
    its turn on a busy event loop). With a slot free it is served whatever it waited: on a machine short of
    CPU every request is late, and refusing one that nothing else competes with would only waste its wait.

    Requests served in groups (check-ins) never wait nor are refused, but count while in progress: the slots
    they fill are not free for reads, so a burst of check-ins runs with fewer reads beside it, and a process
    short of CPU spends it on check-ins first.

    The process is saturated (readiness says so) while it refused one in the last `SATURATED_SECONDS`.
    """

    def __init__(self, slots: int, queued: int, queue_wait: float):
        self.slots = slots
        self.queued = queued
        self.queue_wait = queue_wait
        # One line per event loop (a test client runs each in a loop of its own); the service runs one.
        self._lines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Line] = weakref.WeakKeyDictionary()
        self.refused_at = -math.inf

    def line(self) -> "_Line":
        loop = asyncio.get_running_loop()
        line = self._lines.get(loop)
        if line is None:
            line = self._lines[loop] = _Line(self, loop)
        return line

    def refused(self) -> None:
        self.refused_at = time.monotonic()

    def saturated(self) -> str | None:
        """Why this process cannot take more requests now, if it cannot."""
        ago = time.monotonic() - self.refused_at
        if ago < SATURATED_SECONDS:
            return f"Saturated: this process refused a request for lack of capacity {ago:.1f} s ago"
        return None


class _Line:
    def __init__(self, admission: Admission, loop: asyncio.AbstractEventLoop):
        self.admission = admission
        self.loop = loop
        self.free = admission.slots  # below 0 while requests in groups fill more than every slot
        self.writes: deque[asyncio.Future[bool]] = deque()
        self.reads: deque[asyncio.Future[bool]] = deque()
        self.held = 0.0  # how long a request held its slot lately (a moving average, seconds)

    def expected_wait(self, ahead: int) -> float:
        return (ahead + 1) / self.admission.slots * self.held

    async def enter(self, write: bool, waited: float = 0.0) -> bool:
        """Take a slot (True), after waiting for one if need be; False: refused. `waited`: how long the
        request already waited in the process before it asked."""
        if self.free > 0:  # nobody waits while a slot is free: a leaving request hands its slot to the next
            self.free -= 1
            return True
        admission = self.admission
        waiting = self.writes if write else self.reads
        if len(waiting) >= admission.queued or (
            not write and waited + self.expected_wait(len(self.writes) + len(self.reads)) > admission.queue_wait
        ):
            admission.refused()
            return False
        turn: asyncio.Future[bool] = self.loop.create_future()
        waiting.append(turn)
        backstop = self.loop.call_later(admission.queue_wait * WAIT_BACKSTOP, _expire, turn)
        try:
            granted = await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled() and turn.result():
                self.leave()  # handed a slot just as the request went away: pass it on
            elif turn in waiting:
                waiting.remove(turn)
            raise
        finally:
            backstop.cancel()
        if not granted:
            if turn in waiting:  # a leaving request may have dropped it already
                waiting.remove(turn)
            admission.refused()
        return granted

    def enter_grouped(self) -> None:
        self.free -= 1

    def leave(self, held: float | None = None) -> None:
        if held is not None:
            self.held += (held - self.held) / 8
        if self.free < 0:
            self.free += 1
            return
        for waiting in (self.writes, self.reads):
            while waiting:
                turn = waiting.popleft()
                if not turn.done():
                    turn.set_result(True)
                    return
        self.free += 1


def _expire(turn: asyncio.Future[bool]) -> None:
    if not turn.done():
        turn.set_result(False)


class RequestSlots:
    """API requests through `admission` (see Admission): those it refuses get 503 Overloaded with
    Retry-After at once. The app's own files touch no database and take no slot.

    Requests served in groups (`grouped`: exact paths, api/core/runtime/group_commit.py) never wait for a slot: a
    group holds one connection for all of its requests, and waiting for a slot each would cap a group at
    `slots` requests; they fill slots meanwhile all the same (see Admission). Paths of `exempt` take none
    (readiness, which must answer when the process is saturated).
    """

    def __init__(
        self,
        app: ASGIApp,
        admission: Admission,
        grouped: frozenset[str] = frozenset(),
        exempt: frozenset[str] = frozenset(),
    ):
        self.app = app
        self.admission = admission
        self.grouped = grouped
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/api" or path.startswith("/api/")) or path in self.exempt:
            await self.app(scope, receive, send)  # the app's own files touch no database
            return
        line = self.admission.line()
        if path in self.grouped:
            line.enter_grouped()
            try:
                await self.app(scope, receive, send)
            finally:
                line.leave()
            return
        arrived = scope.get(ARRIVED)  # not stamped by servers other than `couloir serve` (the tests')
        waited = time.monotonic() - arrived if arrived is not None else 0.0
        if not await line.enter(write=scope.get("method") not in _READS, waited=waited):
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            response = error_response(Overloaded.status_code, "Overloaded", Overloaded.default_detail, headers)
            await response(scope, receive, send)
            return
        started = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            line.leave(time.monotonic() - started)
