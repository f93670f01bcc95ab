"""What one API process keeps from one request to the next, and how its busiest routes are served.

- `Runtime`, one per app (tests make several apps in one process: nothing here is a module global): the
  settings, the database engine, request admission (api/core/limits.py), and the routes whose requests are
  served in groups (`Grouped`, see group_commit.py), each registered once, by the domain that owns it, when
  the app is made (api/main.py).
- one_hop.py: a busy route's blocking work in one worker-thread hop.

A route reaches its process's runtime through `runtime_of(request)`; a grouped request is served through
`serve_grouped(request, grouped, item)`.
"""

import functools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from sqlalchemy.engine import Engine

from api.core.config import Settings
from api.core.db import make_engine
from api.core.limits import Admission
from api.core.runtime.group_commit import GroupCommit

Item = TypeVar("Item")
Result = TypeVar("Result")


def _the_service_engine(engine: Engine, settings: Settings) -> Engine:
    return engine


@dataclass(frozen=True, eq=False)
class Grouped(Generic[Item, Result]):
    """A route whose requests are served in groups: its exact `path` (its requests take no request slot each,
    see RequestSlots), how a group is served (`serve(engine, settings, items)`: one result or exception per
    item, in order), what two items of one group never share (`key`), and the engine its groups run on, made
    from the service's (`engine`)."""

    path: str
    serve: Callable[[Engine, Settings, Sequence[Item]], Sequence[Result | Exception]]
    key: Callable[[Item], Hashable]
    engine: Callable[[Engine, Settings], Engine] = _the_service_engine


class Runtime:
    """One API process's settings, database engine, admission and groups."""

    def __init__(self, settings: Settings, grouped: Sequence[Grouped[Any, Any]] = ()) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.admission = Admission(
            settings.requests_in_progress, settings.requests_queued, settings.queue_wait_ms / 1000
        )
        self._groups: dict[Grouped[Any, Any], tuple[Engine, GroupCommit[Any, Any]]] = {}
        for registered in grouped:
            engine = registered.engine(self.engine, settings)
            serve = functools.partial(registered.serve, engine, settings)
            self._groups[registered] = (engine, GroupCommit(serve, registered.key))

    @property
    def grouped_paths(self) -> frozenset[str]:
        return frozenset(grouped.path for grouped in self._groups)

    def engine_of(self, grouped: Grouped[Any, Any]) -> Engine:
        """The engine `grouped`'s groups run on."""
        return self._groups[grouped][0]

    async def submit(self, grouped: Grouped[Item, Result], item: Item) -> Result:
        """`item` served with the others of `grouped` that arrive meanwhile: its own result, or its exception."""
        commit: GroupCommit[Item, Result] = self._groups[grouped][1]
        return await commit.submit(item)

    def close(self) -> None:
        """Give back every database connection, the groups' own engines' too."""
        for engine, _ in self._groups.values():
            if engine is not self.engine:
                engine.dispose()
        self.engine.dispose()


class CouloirApp(FastAPI):
    """The FastAPI app, holding its process's runtime."""

    def __init__(self, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime


def runtime_of(request: Request) -> Runtime:
    """The runtime of the app serving `request`."""
    app: CouloirApp = request.app
    return app.runtime


async def serve_grouped(request: Request, grouped: Grouped[Item, Result], item: Item) -> Result:
    """`item` served in a group of `grouped` by the process serving `request`."""
    return await runtime_of(request).submit(grouped, item)
