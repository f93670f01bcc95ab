"""Logging: human text by default, one JSON object per line with COULOIR_LOG_FORMAT=json (for a log
collector), and one line per request from RequestLog.

Request lines carry the route's template (`/api/contacts/{contact_id}`), never the concrete path or
query string, nor the client's address or headers: paths hold zone and join codes, queries may hold
search words, and addresses are personal data. Who the caller is never appears either."""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REQUEST_ID_HEADER = "X-Request-ID"
# An id given by the reverse proxy is kept (so its logs and ours join up) if it looks like one.
_REQUEST_ID_FORMAT = re.compile(r"[A-Za-z0-9._\-]{8,64}")
# The fields RequestLog attaches to its records, written as JSON fields.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("couloir.access")
error_log = logging.getLogger("couloir")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            entry["request_id"] = rid
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: str, level: str) -> None:
    """The service's own logs (when nothing configured logging before, e.g. a test runner)."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(make_formatter(log_format))
        root.addHandler(handler)
        root.setLevel(level)
    # httpx logs every request at INFO: thousands of lines per break once nudges go out.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def uvicorn_log_config(log_format: str, level: str) -> dict[str, Any]:
    """uvicorn's own loggers in the same format. Its access log is off: RequestLog replaces it."""
    formatter = {"()": JsonFormatter} if log_format == "json" else {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"couloir": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "couloir", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


class RequestLog:
    """One log line per HTTP request (method, route, status, duration), tagged with a request id that
    every other line logged while serving it carries too, and that is sent back as X-Request-ID.

    An exception no handler turned into an answer is logged here, with its traceback, while the request id
    is still set, and answered with a 500 that carries the id too: the line a person reads and the answer
    a phone got lead to each other."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode(), b"").decode("latin-1")
        rid = given if _REQUEST_ID_FORMAT.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = CLIENT_LEFT  # unless a response starts: the client went away before it was answered
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_log.exception("unhandled error in %s %s (request %s)", scope["method"], route_of(scope), rid)
            if status != CLIENT_LEFT:
                raise  # the answer had begun: the server drops the connection, so it is not taken as whole
            status = 500
            await send_with_id(_INTERNAL_ERROR)
            await send_with_id({"type": "http.response.body", "body": _INTERNAL_ERROR_BODY})
        finally:
            method, path = scope["method"], route_of(scope)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            fields = {"method": method, "path": path, "status": status, "duration_ms": duration_ms}
            access_log.info("%s %s %d %.1f ms", method, path, status, duration_ms, extra=fields)
            request_id.reset(token)


# The access log's status of a request that ended without an answer (nginx's "client closed request").
CLIENT_LEFT = 499
_INTERNAL_ERROR_BODY = json.dumps({"error": "InternalError", "detail": "Something went wrong on our side"}).encode()
_INTERNAL_ERROR = {
    "type": "http.response.start",
    "status": 500,
    "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_INTERNAL_ERROR_BODY)).encode()),
        (b"x-content-type-options", b"nosniff"),  # as every API answer (api/core/headers.py), which this is outside of
        (b"cache-control", b"no-store"),
    ],
}


def route_of(scope: Scope) -> str:
    """The matched route's template; for anything else only the first segment (no codes, no ids)."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        path: str = route.path
        return path
    first = scope["path"].lstrip("/").split("/", 1)[0]
    return f"/{first}/…" if first else "/"
