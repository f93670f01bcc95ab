"""Revision 0007 on a database in use: the demo conference and a device signed in, at the revision before it,
upgraded by `couloir migrate` as an operator runs it (on SQLite, with the service's engine, foreign keys on)."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from api.core.migrations import alembic_config
from tests.conftest import start_server
from tests.test_tokens import forge

COULOIR = str(Path(sys.executable).with_name("couloir"))
BEFORE = ScriptDirectory.from_config(alembic_config()).get_revision("0007").down_revision


def couloir(env: dict, *args: str) -> None:
    result = subprocess.run([COULOIR, *args], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def row_counts(engine) -> dict[str, int]:
    names = set(inspect(engine).get_table_names()) - {"alembic_version", "sqlite_sequence"}
    with engine.connect() as conn:
        return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in sorted(names)}


def test_0007_keeps_every_row_and_reference_and_the_devices_signed_in(empty_url, tmp_path):
    env = os.environ | {
        "COULOIR_DATA_DIR": str(tmp_path),
        "COULOIR_ENVIRONMENT": "development",
        "COULOIR_DATABASE_URL": empty_url,
    }
    # The demo is made by today's code, so at today's schema; migrating down to the revision before 0007 then
    # leaves the database 0007 met in use (later revisions' tables and columns go with their downgrades).
    couloir(env, "migrate")
    couloir(env, "demo")
    downgrade = "from alembic import command; from api.core.migrations import alembic_config; "
    result = subprocess.run(
        [sys.executable, "-c", downgrade + f"command.downgrade(alembic_config(), {BEFORE!r})"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    engine = create_engine(empty_url)
    # A phone signed in before the upgrade: its session keyed by its refresh token's jti, as then.
    jti = secrets.token_hex(16)
    with engine.begin() as conn:
        attendee_id, event_id = conn.execute(text("SELECT id, event_id FROM attendee ORDER BY id DESC LIMIT 1")).one()
        conn.execute(
            text(
                "INSERT INTO refresh_session (jti, attendee_id, expires_at, created_at) "
                "VALUES (:jti, :attendee, CURRENT_TIMESTAMP + INTERVAL '1 day', CURRENT_TIMESTAMP)"
                if engine.dialect.name == "postgresql"
                else "INSERT INTO refresh_session (jti, attendee_id, expires_at, created_at) "
                "VALUES (:jti, :attendee, datetime('now', '+1 day'), datetime('now'))"
            ),
            {"jti": jti, "attendee": attendee_id},
        )
        contacts_of_last = conn.execute(
            text("SELECT count(*) FROM contact WHERE owner_id = :a"), {"a": attendee_id}
        ).scalar_one()
    before = row_counts(engine)
    assert before["attendee"] > 10 and before["contact"] > 0 and before["presence"] > 0

    couloir(env, "migrate")

    after = row_counts(engine)
    assert {name: after[name] for name in before} == before
    assert not any(after[name] for name in after.keys() - before.keys())  # tables later revisions add: empty
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            schema = dict(conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
        assert all("AUTOINCREMENT" in schema[name] for name in ("attendee", "event", "zone", "contact"))

    # That phone is still signed in: its refresh token (signed without a session id) still rotates.
    key = secrets.token_urlsafe(48)
    now = int(time.time())
    refresh_token = forge(
        {"alg": "HS256", "typ": "JWT"},
        {"iss": "couloir", "aud": "couloir:refresh", "sub": f"attendee:{attendee_id}", "typ": "refresh",
         "iat": now, "exp": now + 3600, "jti": jti, "evt": event_id},
        key,
    )  # fmt: skip
    running = start_server(tmp_path / "server", empty_url, secret_key=key, run_scheduler_in_process=False)
    server = next(running)
    try:
        with server.client() as client:
            rotated = client.post("/api/auth/refresh", json={"refresh_token": refresh_token})
            assert rotated.status_code == 200, rotated.text
            with server.client(rotated.json()["access_token"]) as phone:
                assert phone.get("/api/me").json()["id"] == attendee_id
            # The references still hold, and still cascade: erasing that attendee takes their rows along.
            with server.client(rotated.json()["access_token"]) as phone:
                assert phone.delete("/api/me").status_code == 204
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT count(*) FROM contact WHERE owner_id = :a"), {"a": attendee_id}).scalar_one()
                == 0
            )
            assert conn.execute(text("SELECT count(*) FROM refresh_session")).scalar_one() == 0
        assert row_counts(engine)["contact"] <= before["contact"] - contacts_of_last
        # And their id is not given to the next person to join.
        with server.client() as client:
            joined = client.post("/api/join", json={"join_code": _join_code(engine, event_id), "display_name": "Next"})
        assert joined.status_code == 201, joined.text
        assert joined.json()["attendee"]["id"] > attendee_id
    finally:
        running.close()
        engine.dispose()


def _join_code(engine, event_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT join_code FROM event WHERE id = :e"), {"e": event_id}).scalar_one()
