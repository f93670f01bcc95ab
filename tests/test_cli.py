"""The `couloir` command as a newcomer runs it: migrate, demo (twice), organizer add, serve."""

import os
import re
import subprocess
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlmodel import Session

from api.tables import AgendaBreak, Attendee, Event, Talk, Topic, Zone
from tests.conftest import PG_ENV, free_port, fresh_postgres_database

COULOIR = str(Path(sys.executable).with_name("couloir"))


@pytest.fixture(params=["sqlite", "postgresql"])
def cli_env(request, tmp_path):
    env = os.environ | {"COULOIR_DATA_DIR": str(tmp_path), "COULOIR_ENVIRONMENT": "development"}
    env.pop("COULOIR_DATABASE_URL", None)
    if request.param == "sqlite":
        yield env, f"sqlite:///{tmp_path / 'couloir.db'}"
        return
    if not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} is not set")
    for url in fresh_postgres_database(os.environ[PG_ENV]):
        yield env | {"COULOIR_DATABASE_URL": url}, url


def run(env, *args) -> str:
    result = subprocess.run([COULOIR, *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with Session(engine) as session:
        out = {
            m.__name__: session.exec(select(func.count()).select_from(m)).one()[0]
            for m in (Event, Zone, Topic, Attendee, Talk, AgendaBreak)
        }
    engine.dispose()
    return out


def test_demo_is_realistic_and_idempotent(cli_env):
    env, url = cli_env
    run(env, "migrate")
    first = run(env, "demo")
    assert re.search(r"Join code: [A-Z0-9]{8}", first)
    assert "/login#token=" in first
    after_first = counts(url)
    run(env, "demo")
    assert counts(url) == after_first
    assert after_first["Event"] == 1
    assert after_first["Zone"] >= 12 and after_first["Topic"] >= 40 and after_first["Attendee"] >= 300
    engine = create_engine(url)
    with Session(engine) as session:
        from api.agenda.service import current_break
        from api.core.db import utcnow

        event = session.exec(select(Event)).one()[0]
        pause = current_break(session, event.id, utcnow())
        assert pause is not None  # a break is on right now, with time to try the app before it ends
        assert pause.ends_at.replace(tzinfo=UTC) - utcnow() >= timedelta(minutes=40)
    engine.dispose()


def test_serve_with_the_demo_prints_the_way_in_once_it_answers(cli_env):
    env, _ = cli_env
    run(env, "migrate")
    port = free_port()
    server = subprocess.Popen(
        [COULOIR, "serve", "--port", str(port), "--demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        printed = []
        for line in server.stdout:
            printed.append(line)
            if line.startswith("Join code:"):
                break
        # Printed only after the service answered: the link works the moment a newcomer reads it.
        assert httpx.get(f"http://127.0.0.1:{port}/api/health").status_code == 200
        join_code = re.search(r"Join code: ([A-Z0-9]{8})", printed[-1]).group(1)
        assert printed[-1].endswith(f"/join/{join_code}\n")
        assert any(line.startswith("Couloir is ready.") for line in printed)
        assert "/login#token=" in next(server.stdout) + next(server.stdout) + next(server.stdout)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_organizer_add_prints_a_login_link_that_works(cli_env, tmp_path):
    env, _ = cli_env
    run(env, "migrate")
    out = run(env, "organizer", "add", "Chloe@Example.org")
    assert "chloe@example.org" in out
    token = re.search(r"/login#token=([\w-]+)", out).group(1)
    port = free_port()
    server = subprocess.Popen(
        [COULOIR, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "couloir serve did not come up"
            time.sleep(0.1)
        redeemed = httpx.post(f"{base}/api/auth/magic-link/redeem", json={"token": token})
        assert redeemed.status_code == 200
        me = httpx.get(
            f"{base}/api/organizers/me", headers={"Authorization": f"Bearer {redeemed.json()['access_token']}"}
        )
        assert me.json()["email"] == "chloe@example.org"
        assert httpx.post(f"{base}/api/auth/magic-link/redeem", json={"token": token}).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)
