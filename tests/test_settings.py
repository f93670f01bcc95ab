import os
import secrets
import stat
import subprocess
import time

import httpx
import pytest
from pydantic import ValidationError

from api.core.config import Settings
from tests.conftest import free_port
from tests.test_cli import COULOIR


def test_secret_key_is_generated_once_with_0600(tmp_path):
    settings = Settings(data_dir=tmp_path, environment="production")
    key = settings.signing_key()
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 43  # 256 bits and more, base64url
    assert Settings(data_dir=tmp_path, environment="production").signing_key() == key


@pytest.mark.parametrize("placeholder", ["changethis", "secret", "short-but-not-a-placeholder"])
def test_placeholder_secrets_are_refused_outside_development(tmp_path, placeholder):
    with pytest.raises(ValidationError, match="COULOIR_SECRET_KEY"):
        Settings(data_dir=tmp_path, environment="production", secret_key=placeholder)
    assert Settings(data_dir=tmp_path, environment="development", secret_key=placeholder).signing_key() == placeholder


@pytest.mark.parametrize("key", ["a" * 36, "ab" * 18, "changethis" * 4, "0123456789" * 4, "Passw0rd!" * 4])
def test_low_entropy_secrets_are_refused_outside_development(tmp_path, key):
    for environment in ("production", "test"):
        with pytest.raises(ValidationError, match="COULOIR_SECRET_KEY .* not random enough"):
            Settings(data_dir=tmp_path, environment=environment, secret_key=key)
    assert Settings(data_dir=tmp_path, environment="development", secret_key=key).signing_key() == key


@pytest.mark.parametrize("draw", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(32)])
def test_random_secrets_of_256_bits_are_accepted(tmp_path, draw):
    for _ in range(500):
        key = draw()
        assert Settings(data_dir=tmp_path, environment="production", secret_key=key).signing_key() == key


def serve(env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [COULOIR, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/api/health").status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline and server.poll() is None, server.stderr.read().decode()
        time.sleep(0.1)


def test_the_api_docs_are_not_served_in_production_unless_asked(tmp_path):
    env = os.environ | {
        "COULOIR_DATA_DIR": str(tmp_path),
        "COULOIR_ENVIRONMENT": "production",
        "COULOIR_SECRET_KEY": secrets.token_urlsafe(32),
    }
    env.pop("COULOIR_DATABASE_URL", None)
    subprocess.run([COULOIR, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    for asked, expected in ((None, 404), ("true", 200)):
        server, base = serve(env | {"COULOIR_API_DOCS": asked} if asked else env)
        try:
            answers = [httpx.get(f"{base}{path}") for path in ("/api/docs", "/api/openapi.json")]
        finally:
            server.terminate()
            server.wait(timeout=10)
        assert [answer.status_code for answer in answers] == [expected, expected]
        if expected == 404:  # nor the app's page in their place
            assert all(answer.headers["content-type"].startswith("application/json") for answer in answers)


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COULOIR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COULOIR_DATABASE_URL", "postgresql+psycopg://u@db/couloir")
    monkeypatch.setenv("COULOIR_LANGUAGES", '["fr"]')
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@db/couloir"
    assert settings.languages == ["fr"]


def test_sqlite_is_the_default_in_the_data_dir(tmp_path):
    assert Settings(data_dir=tmp_path).sqlalchemy_url == f"sqlite:///{tmp_path.resolve() / 'couloir.db'}"


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_a_process_must_serve_at_least_one_request_at_a_time(tmp_path, monkeypatch, value):
    monkeypatch.setenv("COULOIR_REQUESTS_IN_PROGRESS", value)
    with pytest.raises(ValidationError, match="requests_in_progress"):
        Settings(data_dir=tmp_path)
