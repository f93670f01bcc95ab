"""Where the Alembic migrations live, and whether a database is at their head."""

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

ROOT = Path(__file__).resolve().parents[2]


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


@lru_cache
def head_revisions() -> frozenset[str]:
    """The revisions this code expects (read from migrations/ once: they do not change while running)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(conn: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(conn).get_current_heads())
