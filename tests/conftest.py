"""Real parts: a real SQLite file and a real PostgreSQL database built by migrating, and the app
served by uvicorn on a real socket. Every test talks HTTP to it."""

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from alembic import command
from fastapi import FastAPI
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from api.cli import alembic_config
from api.core.config import Settings
from api.core.db import metadata
from api.main import create_app
from api.matching.crowd import crowd_of

PG_ENV = "COULOIR_TEST_DATABASE_URL"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A fresh, empty database of each kind for this run."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'couloir.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests skipped (CI sets it)")
    yield from fresh_postgres_database(base)


def fresh_postgres_database(base: str) -> Iterator[str]:
    name = f"couloir_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> Iterator[str]:
    """A new, empty database of each kind for one test (migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} is not set")
    yield from fresh_postgres_database(os.environ[PG_ENV])


@dataclass
class Server:
    base_url: str
    settings: Settings
    engine: Engine
    app: FastAPI

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


def start_server(tmp_path: Path, database_url: str, **overrides) -> Iterator[Server]:
    port = free_port()
    # Tests tick the nudge scheduler themselves, and push to a receiver on 127.0.0.1.
    overrides = {"run_scheduler_in_process": False, "push_allow_private_endpoints": True} | overrides
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        public_base_url=f"http://127.0.0.1:{port}",
        **overrides,
    )
    app = create_app(settings)
    # As `couloir serve`: the app, not uvicorn, reads X-Forwarded-For.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield Server(base_url=settings.public_base_url, settings=settings, engine=app.runtime.engine, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.runtime.close()


# Generous limits for the suite; rate limiting has its own strict servers.
TEST_LIMITS = {
    "join_rate_per_ip": (10_000, 60),
    "magic_link_rate_per_ip": (10_000, 60),
    "mail_rate_per_address": (10_000, 60),
    # Crash and scale-out bursts re-check in faster than any person; per address, the defaults are kept.
    "checkin_rate_per_attendee": (10_000, 60),
    "connect_rate_per_attendee": (10_000, 60),
    "requests_waiting_per_attendee": (10_000, 3600),
    # The suite's bursts share a loaded machine with the test clients' threads: a read is not refused for
    # the wait it is expected to have (shedding has its own servers, tests/test_request_slots.py).
    "queue_wait_ms": 60_000,
}


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    migrate(database_url)
    return database_url


@pytest.fixture(scope="session")
def server(migrated_url: str, tmp_path_factory) -> Iterator[Server]:
    yield from start_server(tmp_path_factory.mktemp("data"), migrated_url, **TEST_LIMITS)


def wipe(engine: Engine) -> None:
    # Only tables the migrations made: a model without its migration is test_migrations' finding.
    existing = set(inspect(engine).get_table_names())
    tables = [t.name for t in reversed(metadata.sorted_tables) if t.name in existing]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
    crowd_of(engine).forget()  # the server's copy of who is present, emptied with the tables


@pytest.fixture
def srv(server: Server) -> Server:
    """The shared server, with every table emptied: tests cannot see each other's rows."""
    wipe(server.engine)
    return server


@pytest.fixture
def db(srv: Server) -> Iterator[Session]:
    """Direct access to the same database, to check what the API stored or to move time."""
    with Session(srv.engine, expire_on_commit=False) as session:
        yield session
