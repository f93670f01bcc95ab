"""The Couloir application: API routers under /api, the built PWA at /."""

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.convertors import Convertor, register_url_convertor
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api import health
from api.agenda import routes as agenda
from api.attendees import routes as attendees
from api.auth import routes as auth
from api.contacts import routes as contacts
from api.core.config import Settings, get_settings
from api.core.deps import holds_organizer_token
from api.core.errors import NotFound, Overloaded, install_error_handlers, responses
from api.core.forwarded import ForwardedAddress
from api.core.headers import ApiHeaders
from api.core.limits import BodySizeLimit, RequestSlots
from api.core.logs import RequestLog, configure_logging
from api.core.runtime import CouloirApp, Runtime
from api.dashboard import routes as dashboard
from api.event_setup import routes as event_setup
from api.events import routes as events
from api.matching import routes as matching
from api.organizers import routes as organizers
from api.personal_data import routes as personal_data
from api.presence import routes as presence
from api.push import routes as push
from api.push import scheduler as push_scheduler
from api.push.service import vapid_keys
from api.rendezvous import routes as rendezvous
from api.safety import routes as safety
from api.saved import routes as saved

# Requests are matched against routes in this order, one pattern after another: the routes every
# phone calls through a break come first.
ROUTERS = [
    presence.me,
    matching.router,
    health.router,
    auth.router,
    organizers.router,
    events.router,
    agenda.router,
    agenda.me,
    attendees.router,
    attendees.me,
    attendees.people,
    contacts.router,
    personal_data.router,
    event_setup.router,
    dashboard.router,
    presence.events,
    safety.me,
    rendezvous.router,
    safety.organizers,
    saved.me,
    push.public,
    push.me,
    push.events,
]


def _operation_id(route: APIRoute) -> str:
    """Clean names for the generated client: `createZone`-style ids come from the function names."""
    return route.name


@asynccontextmanager
async def _lifespan(app: CouloirApp) -> AsyncIterator[None]:
    runtime = app.runtime
    stop_scheduler = None
    if runtime.settings.run_scheduler_in_process:
        stop_scheduler = push_scheduler.start_in_thread(runtime.engine, runtime.settings)
    yield
    if stop_scheduler is not None:
        stop_scheduler()
    runtime.close()


def _document_public_operations(app: FastAPI) -> None:
    """Operations that need no access token say so (`security: []`): a reader, or a generated client, need not
    guess whether an operation without `security` takes one."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.setdefault("security", [])
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> CouloirApp:
    settings = settings or get_settings()
    configure_logging(settings.log_format, settings.log_level)
    settings.signing_key()  # generated at first start, not on the first request
    vapid_keys(settings)  # likewise: browsers subscribe with its public half
    # Routes whose requests are served in groups, each registered once.
    runtime = Runtime(settings, grouped=[presence.CHECK_INS])
    app = CouloirApp(
        runtime,
        lifespan=_lifespan,
        title="Couloir",
        version="0.1.0",
        description="Hallway networking for conferences.",
        license_info={"name": "GNU Affero General Public License v3.0 or later", "identifier": "AGPL-3.0-or-later"},
        # Relative: the instance that serves the schema serves the API (its own public URL is its operator's).
        servers=[{"url": "/", "description": "The Couloir instance serving this schema"}],
        generate_unique_id_function=_operation_id,
        # Off: not served, while app.openapi() still gives the schema (pwa/scripts/gen_api.py reads it).
        openapi_url="/api/openapi.json" if settings.serves_api_docs else None,
        docs_url="/api/docs" if settings.serves_api_docs else None,
        redoc_url=None,
    )
    install_error_handlers(app)
    _document_public_operations(app)
    for router in ROUTERS:
        # Any API request may be refused when the process is saturated (api/core/limits.py).
        app.include_router(router, responses=responses(Overloaded))
    # Inside the body cap: a phone slow to send its body does not hold a slot meanwhile.
    app.add_middleware(
        RequestSlots,
        admission=runtime.admission,
        grouped=runtime.grouped_paths,
        exempt=frozenset([health.READY_PATH]),
    )
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        seconds=settings.body_timeout_seconds,
        large_paths=event_setup.IMPORT_PATHS,
        large_bytes=settings.max_import_bytes,
        may_send_large=functools.partial(holds_organizer_token, settings=settings),
        large_at_once=settings.imports_in_progress,
    )
    app.add_middleware(ApiHeaders)
    if settings.pwa_dir and (settings.pwa_dir / "index.html").exists():
        _serve_pwa(app, settings.pwa_dir)
    app.add_middleware(ForwardedAddress, trusted=settings.forwarded_allow_ips)
    app.add_middleware(RequestLog)  # outermost: it times and tags everything below
    return app


# The built app's responses: no inline script or style, nothing from other origins, camera for this
# origin only (the scan screen), never framed.
_CSP = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
PWA_HEADERS = {
    "Content-Security-Policy": "; ".join(_CSP),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}
_MEDIA_TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript"}


class _NotApi(Convertor[str]):
    """A path the app's shell may answer: anything outside /api, whose misses keep the API's 404/405."""

    regex = r"(?!api(?:/|$)).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("not_api", _NotApi())


class _HashedAssets(StaticFiles):
    """Vite's assets carry a content hash in their names: cached for good."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(PWA_HEADERS)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def _pwa_file(file: Path) -> FileResponse:
    # Unhashed names (index.html, sw.js, the manifest, icons) are revalidated on every load, so a new
    # version is seen at once; the service worker script in particular must never be stale.
    headers = PWA_HEADERS | {"Cache-Control": "no-cache"}
    if file.name == "sw.js":
        headers["Service-Worker-Allowed"] = "/"
    return FileResponse(file, media_type=_MEDIA_TYPES.get(file.suffix), headers=headers)


class _CompressApp:
    """Gzip for the app's files (its JS shrinks to a third on hallway Wi-Fi), never for API answers,
    which may carry secrets next to reflected input (BREACH)."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        plain = scope["type"] != "http" or path == "/api" or path.startswith("/api/")
        await (self.app if plain else self.gzip)(scope, receive, send)


def _file_at(root: Path, path: str) -> Path | None:
    """The built file `path` names under `root`, if any. The path is the URL's: a name the file system cannot
    hold (too long, a NUL byte) is no file of ours rather than an error."""
    if not path:
        return None
    try:
        file = (root / path).resolve()
        return file if file.is_relative_to(root) and file.is_file() else None
    except (OSError, ValueError):
        return None


def _serve_pwa(app: FastAPI, root: Path) -> None:
    root = root.resolve()
    index = root / "index.html"
    app.add_middleware(_CompressApp)
    app.mount("/assets", _HashedAssets(directory=root / "assets", check_dir=False), name="assets")

    @app.get("/{path:not_api}", include_in_schema=False)
    def pwa(path: str) -> FileResponse:
        file = _file_at(root, path)
        if file is not None:
            return _pwa_file(file)
        if "." in path.rsplit("/", 1)[-1]:
            raise NotFound("No such file")  # a missing file is not an app route: never answer it with HTML
        # Deep links (/z/<token>, /join/<code>, /login) are the app's own routes: serve the shell.
        return _pwa_file(index)
