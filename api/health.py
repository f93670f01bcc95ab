"""Liveness (`/api/health`: the process answers) and readiness (`/api/health/ready`: it can serve,
i.e. its database answers and carries the schema this code expects, and it is not saturated). A load
balancer sends traffic only to ready replicas; a replica started before `couloir migrate` finished stays
out until it has. Saturated means the process refused a request for lack of capacity in the last few
seconds (api/core/limits.py, Admission): a balancer can send the next ones elsewhere, an operator add a
replica. Readiness takes no request slot, so it answers at once even then."""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.core.deps import EngineDep
from api.core.errors import CouloirError, responses
from api.core.migrations import current_revisions, head_revisions
from api.core.runtime import runtime_of

log = logging.getLogger("couloir")
router = APIRouter(prefix="/api", tags=["health"])
READY_PATH = "/api/health/ready"


class Health(BaseModel):
    status: str
    database: str


class Readiness(BaseModel):
    status: str
    database: str
    migrations: str


class NotReady(CouloirError):
    status_code = 503
    default_detail = "Not ready to serve"


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(engine: EngineDep) -> Health | JSONResponse:
    """Up, and the database answers."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure to answer is "unreachable"
        log.warning("health: the database does not answer", exc_info=True)
        return JSONResponse(status_code=503, content={"status": "degraded", "database": "unreachable"})
    return Health(status="ok", database="ok")


@router.get("/health/ready", responses=responses(NotReady))
def readiness(engine: EngineDep, request: Request) -> Readiness:
    """Ready for traffic: the database answers, its migrations are at this code's head, and this process is
    not saturated (it refused no request for lack of capacity in the last few seconds)."""
    saturated = runtime_of(request).admission.saturated()
    if saturated:
        raise NotReady(saturated)
    try:
        with engine.connect() as conn:
            current = current_revisions(conn)
    except Exception as exc:
        raise NotReady("The database does not answer") from exc
    expected = head_revisions()
    if current != expected:
        found = ", ".join(sorted(current)) or "none"
        raise NotReady(
            f"The database schema is at {found}, this code needs {', '.join(sorted(expected))}: run `couloir migrate`"
        )
    return Readiness(status="ready", database="ok", migrations="current")
