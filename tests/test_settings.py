import stat

import pytest
from pydantic import ValidationError

from api.core.config import Settings


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
