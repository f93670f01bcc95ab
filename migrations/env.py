from alembic import context
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


def _render_item(type_, obj, autogen_context):
    """Render our column types as plain SQLAlchemy ones: migrations must not import app code."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
