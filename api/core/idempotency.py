"""Retried writes run once: the phone sends an `Idempotency-Key` it made for one action, and
sends the same key again when it retries (bad Wi-Fi, offline queue).

- The first request with a key runs and its response (status and body) is stored with the key.
- The same key with the same request replays that response, marked `Idempotent-Replayed: true`.
- The same key with another request (other body, other target, other endpoint) is refused (422).
- Keys are scoped per attendee. A unique constraint claims the key before the work starts, in the
  request's own transaction: a concurrent duplicate waits for the first to commit, then replays it.
- A refused request (any error) rolls back with its claim, so a retry is judged afresh.

Usage in an attendee's route (any domain): `RunOnce` takes the key, the caller, the route's name (the operation)
and its status code, and the request's session:

    @me.post("/blocks", status_code=201, ...)
    def block_attendee(data: BlockCreate, attendee: CurrentAttendee, session: SessionDep, once: RunOnce) -> Response:
        return once(data, lambda: service.block(session, attendee, data.attendee_id))
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import JSON, Column, ForeignKey, Insert, Integer, UniqueConstraint, Update, bindparam, delete, update
from sqlalchemy.engine import Connection
from sqlmodel import Field, Session, SQLModel, col, select

from api.core.db import ConflictInsert, UTCDateTime, conflict_insert, rowcount, utcnow
from api.core.deps import AttendeeClaims, SessionDep
from api.core.errors import InvalidInput

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# A UUID fits; so does any random id a client makes. Bounded so a key cannot bloat the table.
_KEY_FORMAT = re.compile(r"[A-Za-z0-9_\-:.]{8,64}")


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("attendee_id", "key"),)
    id: int = Field(default=None, primary_key=True)
    # Erasing an attendee erases their keys and the responses stored with them.
    attendee_id: int = Field(sa_column=Column(Integer, ForeignKey("attendee.id", ondelete="CASCADE"), nullable=False))
    key: str = Field(max_length=64)
    # sha256 of the operation and its request: what "the same request" means.
    fingerprint: str = Field(max_length=64)
    # Filled in the same transaction as the work, so a committed record always has its response.
    status_code: int | None = None
    response_body: Any = Field(default=None, sa_type=JSON, nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class MissingIdempotencyKey(InvalidInput):
    default_detail = (
        f"Send an {HEADER} header: a random id (a UUID, say) made once per action and sent again on retries"
    )


class IdempotencyKeyReused(InvalidInput):
    default_detail = f"This {HEADER} was already used for a different request: make a new key for a new action"


def is_idempotency_key(key: str) -> bool:
    return _KEY_FORMAT.fullmatch(key) is not None


# async: a header check needs no worker thread (FastAPI runs plain `def` dependencies in a pool).
async def idempotency_key(key: Annotated[str | None, Header(alias=HEADER)] = None) -> str:
    if key is None:
        raise MissingIdempotencyKey()
    if not is_idempotency_key(key):
        raise MissingIdempotencyKey(f"{HEADER} must be 8 to 64 letters, digits, or - _ : . characters")
    return key


IdempotencyKey = Annotated[str, Depends(idempotency_key)]


def fingerprint(operation: str, payload: BaseModel | dict[str, Any] | None) -> str:
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    canonical = json.dumps([operation, data], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    session: Session,
    *,
    attendee_id: int,
    key: str,
    operation: str,
    payload: BaseModel | dict[str, Any] | None,
    status_code: int,
    action: Callable[[], BaseModel | None],
) -> Response:
    """Run `action` once per (attendee, key) and answer with its response, or replay the stored one.

    `operation` names the endpoint and `payload` holds everything that identifies the request
    (body and path ids), so a key reused elsewhere is caught.
    """
    digest = fingerprint(operation, payload)
    claim, store = _statements(conflict_insert(session.get_bind()))
    # Core statements on the session's connection (same transaction): no ORM machinery on every write.
    connection = session.connection()
    claimed = connection.execute(
        claim, {"attendee_id": attendee_id, "key": key, "fingerprint": digest, "created_at": utcnow()}
    ).scalar_one_or_none()
    if claimed is None:
        return replay_stored(connection, attendee_id=attendee_id, key=key, digest=digest)
    result = action()
    body = result.model_dump(mode="json") if result is not None else None
    connection.execute(store, {"record_id": claimed, "status_code": status_code, "response_body": body})
    return answer(status_code, body)


@dataclass(frozen=True)
class Once:
    """An attendee's write, run once per Idempotency-Key: `once(payload, action)` is `run_once` for this
    request's session, caller, key, route (its name is the operation) and success status."""

    session: Session
    attendee_id: int
    key: str
    operation: str
    status_code: int

    def __call__(self, payload: BaseModel | dict[str, Any] | None, action: Callable[[], BaseModel | None]) -> Response:
        return run_once(
            self.session,
            attendee_id=self.attendee_id,
            key=self.key,
            operation=self.operation,
            payload=payload,
            status_code=self.status_code,
            action=action,
        )


# async: it only reads the request (the session is the route's own, made on the event loop too).
async def _once(request: Request, claims: AttendeeClaims, session: SessionDep, key: IdempotencyKey) -> Once:
    route = request.scope["route"]
    return Once(session, claims.subject_id, key, route.name, route.status_code or status.HTTP_200_OK)


RunOnce = Annotated[Once, Depends(_once)]


@cache
def _statements(insert: ConflictInsert) -> tuple[Insert, Update]:
    """The claim and the storing of its answer, built once per dialect's INSERT: building them costs more CPU
    than running them."""
    claim = (
        insert(IdempotencyRecord)
        .values(
            attendee_id=bindparam("attendee_id"),
            key=bindparam("key"),
            fingerprint=bindparam("fingerprint"),
            created_at=bindparam("created_at"),
        )
        .on_conflict_do_nothing(index_elements=["attendee_id", "key"])
        .returning(col(IdempotencyRecord.id))
    )
    store = (
        update(IdempotencyRecord)
        .where(col(IdempotencyRecord.id) == bindparam("record_id"))
        .values(status_code=bindparam("status_code"), response_body=bindparam("response_body"))
    )
    return claim, store


_STORED = select(IdempotencyRecord.fingerprint, IdempotencyRecord.status_code, IdempotencyRecord.response_body).where(
    IdempotencyRecord.attendee_id == bindparam("attendee_id"), IdempotencyRecord.key == bindparam("key")
)


_ANSWERED = select(IdempotencyRecord.id).where(
    IdempotencyRecord.attendee_id == bindparam("attendee_id"), IdempotencyRecord.key == bindparam("key")
)


def has_stored_answer(connection: Connection, *, attendee_id: int, key: str) -> bool:
    """Whether this key's request has run and its answer is stored (committed: a record carries its answer
    from its first commit), so sending it again replays that answer, or is refused as another request's key."""
    return connection.execute(_ANSWERED, {"attendee_id": attendee_id, "key": key}).first() is not None


def replay_stored(connection: Connection, *, attendee_id: int, key: str, digest: str) -> Response:
    """The stored answer for a key already claimed (its claim has committed)."""
    record = connection.execute(_STORED, {"attendee_id": attendee_id, "key": key}).one()
    return replay(record.fingerprint, record.status_code, record.response_body, digest)


def replay(stored_fingerprint: str, status_code: int, body: Any, digest: str) -> Response:
    """The answer stored with a key, if it was given for the same request (`digest`); refused otherwise."""
    if stored_fingerprint != digest:
        raise IdempotencyKeyReused()
    response = answer(status_code, body)
    response.headers[REPLAYED_HEADER] = "true"
    return response


def answer(status_code: int, body: Any) -> Response:
    if body is None:
        return Response(status_code=status_code)
    return JSONResponse(status_code=status_code, content=body)


def purge_records(session: Session, older_than: datetime) -> int:
    """Forget the keys made before `older_than`: a phone retries within minutes or hours, not days later."""
    return rowcount(session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < older_than)))
