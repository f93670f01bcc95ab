"""Engine and the column types every domain shares (sessions are made per request in api.core.deps)."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Dialect, Engine, Result
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel, create_engine

from api.core.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def reference(target: str, *, nullable: bool = False, on_delete: str = "CASCADE", **kw: Any) -> Column[int]:
    """An integer foreign key column; by default its row goes when the referenced row goes."""
    return Column(Integer, ForeignKey(target, ondelete=on_delete), nullable=nullable, **kw)


# The dialect's INSERT (the two have the same on_conflict_do_nothing/do_update).
ConflictInsert = Callable[[Any], postgresql.Insert | sqlite.Insert]


def conflict_insert(bind: Engine | Connection) -> ConflictInsert:
    """The dialect's INSERT, which has on_conflict_do_nothing/do_update (SQLite and PostgreSQL alike)."""
    return postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert


def utcnow() -> datetime:
    return datetime.now(UTC)


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched (Session.execute types its CursorResult as any Result)."""
    return cast(CursorResult[Any], result).rowcount


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which has no time zones) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(settings: Settings) -> Engine:
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # A connection for each request in progress (RequestSlots), and one for the group of check-ins in
        # flight (api/presence/groups.py).
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, pool_size=settings.requests_in_progress + 1
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pool_pre_ping: it costs a round trip on every request. A connection the server closed (restart,
    # failover) fails one request, and SQLAlchemy then discards the whole pool's stale connections.
    # A connection for each request in progress (RequestSlots), kept open; the overflow serves the
    # scheduler and cleanup threads and the rate limiter's own short connection. Check-in groups have a pool
    # of their own (api/presence/groups.py).
    return create_engine(url, pool_size=settings.requests_in_progress, max_overflow=10)
