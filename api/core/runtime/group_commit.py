"""Group commit: concurrent requests of one kind are served together, in one transaction or statement,
instead of one commit and its round trips each; and in a worker thread that goes from one group to the next
while there is one, instead of a hop into a worker thread and back to the event loop for each.

No timer: the first request runs at once, alone. The requests that arrive while a group is in the database
wait for it to finish and then go together, so a group is as large as the load makes it, and a quiet
server answers as fast as before. One group at a time per process: two in flight made smaller groups that
cost more CPU per check-in than they saved in waiting (bench_matching, alternated: bench/RESULTS.md). Two
requests with the same `key` (one attendee's retries, say) are never in the same group: the second waits
for the next.

The work of a group answers each request on its own: a result, or the exception that request raises
(a 404 for one unknown poster does not fail the others). A phone that hangs up does not stop its group.
"""

import asyncio
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from fastapi.concurrency import run_in_threadpool

Request = TypeVar("Request")
Result = TypeVar("Result")

# One statement's parameters stay small, and one slow group does not hold too many phones.
MAX_GROUP = 64


class GroupCommit(Generic[Request, Result]):
    """`await submit(request)` runs `serve(group)` in a worker thread for a group of requests; `serve` returns
    one result or exception per request, in the group's order."""

    def __init__(
        self, serve: Callable[[Sequence[Request]], Sequence[Result | Exception]], key: Callable[[Request], Hashable]
    ) -> None:
        self._serve = serve
        self._key = key
        # Per event loop: a future is answered on the loop that awaits it (tests run several loops).
        self._queues: WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[Request, Result]] = WeakKeyDictionary()

    async def submit(self, request: Request) -> Result:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future[Result] = loop.create_future()
        with queue.lock:
            queue.waiting.append((request, future))
            idle, queue.serving = not queue.serving, True
        if idle:
            queue.runner = loop.create_task(run_in_threadpool(self._serve_waiting, queue, loop))
        # Shielded: a cancelled request leaves its future to be answered (and ignored).
        return await asyncio.shield(future)

    def _serve_waiting(self, queue: "_Queue[Request, Result]", loop: asyncio.AbstractEventLoop) -> None:
        """In a worker thread: group after group, until none waits; the event loop answers each group's requests
        while this thread serves the next: a hop back to the loop and another into a worker thread between two
        groups made each group wait under a burst of check-ins."""
        try:
            while group := self._take_group(queue):
                try:
                    outcomes = self._serve([request for request, _ in group])
                except Exception as failure:  # noqa: BLE001 - the whole group failed (the database is down, say)
                    outcomes = [failure] * len(group)
                loop.call_soon_threadsafe(_answer, group, outcomes)
        except BaseException:  # the event loop closed, say: the next request starts a thread again
            with queue.lock:
                queue.serving = False
            raise

    def _take_group(self, queue: "_Queue[Request, Result]") -> list[tuple[Request, asyncio.Future[Result]]]:
        """The next group, taken under the lock that `submit` adds requests under; when none waits, the queue
        is marked idle at once, so a request that arrives after starts a thread of its own."""
        with queue.lock:
            group = self._next_group(queue)
            queue.serving = bool(group)
            return group

    def _next_group(self, queue: "_Queue[Request, Result]") -> list[tuple[Request, asyncio.Future[Result]]]:
        """The waiting requests that go next, in arrival order: at most one per key."""
        group: list[tuple[Request, asyncio.Future[Result]]] = []
        later: list[tuple[Request, asyncio.Future[Result]]] = []
        keys: set[Hashable] = set()
        for entry in queue.waiting:
            key = self._key(entry[0])
            if key in keys or len(group) == MAX_GROUP:
                later.append(entry)
            else:
                keys.add(key)
                group.append(entry)
        queue.waiting = later
        return group


def _answer(group: list[tuple[Request, asyncio.Future[Result]]], outcomes: Sequence[Result | Exception]) -> None:
    """On the event loop: each request's result, or the exception that answers it."""
    for (_, future), outcome in zip(group, outcomes, strict=True):
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class _Queue(Generic[Request, Result]):
    def __init__(self) -> None:
        self.lock = threading.Lock()  # `waiting` and `serving` are shared by the event loop and the worker thread
        self.waiting: list[tuple[Request, asyncio.Future[Result]]] = []
        self.serving = False
        self.runner: asyncio.Task[None] | None = None  # referenced, or a running task may be garbage-collected
