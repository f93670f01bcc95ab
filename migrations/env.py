import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal, cast

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel.sql.sqltypes import AutoString

from api.core.config import get_settings
from api.core.db import UTCDateTime, make_engine
from api.tables import metadata


def run_migrations() -> None:
    # A caller (the CLI, the tests) may hand over its own connection; otherwise use the settings.
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(get_settings())
    with engine.connect() as conn:
        _migrate(conn)
    engine.dispose()


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy ones: migrations must not import app code."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with _sqlite_foreign_keys_off(connection):
        with context.begin_transaction():
            context.run_migrations()
            _check_foreign_keys(connection)


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's batch mode rebuilds a table by copy, drop and rename, and with foreign keys on (as the service's
    engine turns them on), dropping a table deletes the rows of the tables that reference it (ON DELETE
    CASCADE). Off while migrating, as SQLite's documentation prescribes for rebuilding a table; the pragma
    does nothing inside a transaction, so it is set on the driver's connection before any."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = cast(sqlite3.Connection, connection.connection.driver_connection)  # open: the connection is in use
    was_on = driver.execute("PRAGMA foreign_keys").fetchone()[0]
    driver.execute("PRAGMA foreign_keys=OFF")
    if driver.execute("PRAGMA foreign_keys").fetchone()[0]:
        raise RuntimeError("SQLite migrations must start outside a transaction: foreign keys could not be turned off")
    try:
        yield
    finally:
        if was_on:
            driver.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    """With foreign keys off, nothing stopped a migration from leaving a row whose reference is gone."""
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"rows referencing missing rows after migrating: {broken[:10]}")


run_migrations()
