"""The Couloir application: API routers under /api, the built PWA at /."""

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from api import health
from api.agenda import routes as agenda
from api.attendees import routes as attendees
from api.auth import routes as auth
from api.core.config import Settings, get_settings
from api.core.db import make_engine
from api.core.errors import NotFound, install_error_handlers
from api.core.limits import BodySizeLimit
from api.events import routes as events
from api.organizers import routes as organizers

ROUTERS = [
    health.router,
    auth.router,
    organizers.router,
    events.router,
    agenda.router,
    attendees.router,
    attendees.me,
    attendees.people,
]


def _operation_id(route: APIRoute) -> str:
    """Clean names for the generated client: `createZone`-style ids come from the function names."""
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings.signing_key()  # generated at first start, not on the first request
    app = FastAPI(
        title="Couloir",
        version="0.1.0",
        description="Hallway networking for conferences.",
        generate_unique_id_function=_operation_id,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.pwa_dir and (settings.pwa_dir / "index.html").exists():
        _serve_pwa(app, settings.pwa_dir)
    return app


def _serve_pwa(app: FastAPI, root: Path) -> None:
    index = root / "index.html"
    app.mount("/assets", StaticFiles(directory=root / "assets", check_dir=False), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def pwa(path: str) -> FileResponse:
        if path.startswith("api/"):
            raise NotFound("No such API route")
        file = (root / path).resolve()
        # Deep links (/z/<token>, /join/<code>) are the app's own routes: serve the shell.
        if path and file.is_file() and file.is_relative_to(root.resolve()):
            return FileResponse(file)
        return FileResponse(index)

