"""One error shape for the whole API: {"error": "Name", "detail": ...}."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.core.logs import request_id, route_of

log = logging.getLogger("couloir")


class ErrorBody(BaseModel):
    error: str
    detail: Any = None


class CouloirError(Exception):
    """Base of every domain error; the class name is the `error` field clients switch on."""

    status_code = 400
    default_detail = "Bad request"

    def __init__(self, detail: Any = None, *, headers: dict[str, str] | None = None):
        self.detail = detail if detail is not None else self.default_detail
        self.headers = headers
        super().__init__(str(self.detail))


# An access or refresh token whose session ended: signed out, its refresh token reused, or the account erased.
SIGNED_OUT = "This device was signed out, or its account no longer exists"


class NotAuthenticated(CouloirError):
    status_code = 401
    default_detail = "A valid access token is required"

    def __init__(self, detail: Any = None):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(CouloirError):
    status_code = 403
    default_detail = "You may not do this"


class NotFound(CouloirError):
    status_code = 404
    default_detail = "Not found"


class Conflict(CouloirError):
    status_code = 409
    default_detail = "Conflict"


class InvalidInput(CouloirError):
    status_code = 422
    default_detail = "Invalid input"


def invalid_field(field: str, msg: str) -> InvalidInput:
    """A refusal that names its field, shaped like a request validation error so clients show it by the field."""
    return InvalidInput([{"loc": ["body", field], "msg": msg, "type": "value_error"}])


class PayloadTooLarge(CouloirError):
    status_code = 413
    default_detail = "Request body too large"


class TooManyRequests(CouloirError):
    status_code = 429
    default_detail = "Too many requests, try again later"

    def __init__(self, retry_after: int):
        super().__init__(headers={"Retry-After": str(retry_after)})


class Overloaded(CouloirError):
    """Refused before any work because the process cannot serve it soon (api/core/limits.py): nothing was
    done, and the same request may be sent again after Retry-After."""

    status_code = 503
    default_detail = "The service is busy: try again in a moment"


_HTTP_NAMES = {
    400: "BadRequest",
    401: "NotAuthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "InvalidInput",
    429: "TooManyRequests",
}


# What FastAPI says when it cannot parse a request body at all (fastapi.routing).
_UNREADABLE_BODY = "There was an error parsing the body"


def error_response(status: int, error: str, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": error, "detail": detail}, headers=headers)


def responses(*errors: type[CouloirError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route, so the OpenAPI schema and generated client know its errors."""
    out: dict[int | str, dict[str, Any]] = {}
    for err in errors:
        out[err.status_code] = {"model": ErrorBody, "description": err.__name__}
    return out


def document_one_error_shape(app: FastAPI) -> None:
    """FastAPI documents its own 422 body (HTTPValidationError) on every route with input; ours is ErrorBody
    (see the handler below). The schema, and the client generated from it, must say what is really sent."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        error_body = {"$ref": "#/components/schemas/ErrorBody"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                invalid = operation.get("responses", {}).get("422")
                if invalid and "HTTPValidationError" in str(invalid):
                    invalid.update(description="InvalidInput", content={"application/json": {"schema": error_body}})
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorBody", ErrorBody.model_json_schema())
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """The answers to errors a route raises. An unexpected exception is logged and answered (500 InternalError)
    by api.core.logs.RequestLog, where the request id is still known."""
    document_one_error_shape(app)

    @app.exception_handler(CouloirError)
    async def _domain(request: Request, exc: CouloirError) -> JSONResponse:
        if exc.status_code >= 500:  # the service failing (not ready, say): why, with what caused it
            where = f"{request.method} {route_of(request.scope)} (request {request_id.get()})"
            log.error("%s in %s", type(exc).__name__, where, exc_info=exc)
        return error_response(exc.status_code, type(exc).__name__, exc.detail, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
            # FastAPI's answer to a body it cannot decode (not UTF-8, say): bad input like any other, so the
            # same 422 every route documents, not an undocumented 400.
            unreadable = {"loc": ["body"], "msg": "The request body is not valid JSON", "type": "json_invalid"}
            return error_response(422, "InvalidInput", [unreadable])
        name = _HTTP_NAMES.get(exc.status_code, "HTTPError")
        return error_response(exc.status_code, name, exc.detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return error_response(422, "InvalidInput", detail)
