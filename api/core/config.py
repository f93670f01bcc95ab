"""Settings from the environment (prefix COULOIR_), with safe defaults for a laptop."""

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values people paste from tutorials; refused as secret keys outside development.
PLACEHOLDER_SECRETS = {"changethis", "change-me", "changeme", "secret", "your-secret-key", "dev", "test"}
SECRET_KEY_FILE = "secret_key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COULOIR_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    languages: list[str] = ["fr", "en"]

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Couloir <no-reply@couloir.invalid>"
    smtp_starttls: bool = True

    access_token_minutes: int = 30
    refresh_token_days: int = 60
    magic_link_minutes: int = 15
    max_body_bytes: int = 256 * 1024

    # Fixed-window rate limits: (max hits, window seconds).
    join_rate_per_ip: tuple[int, int] = (30, 60)
    magic_link_rate_per_email: tuple[int, int] = (5, 900)
    magic_link_rate_per_ip: tuple[int, int] = (20, 900)

    jwt_issuer: str = "couloir"
    pwa_dir: Path | None = Field(default=None, description="Built PWA to serve at /")

    @model_validator(mode="after")
    def _check_secret(self) -> "Settings":
        if self.secret_key is not None and self.environment != "development":
            key = self.secret_key.strip()
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise ValueError(
                    "COULOIR_SECRET_KEY is a placeholder or shorter than 32 characters; "
                    "unset it to have one generated, or give a random value of at least 256 bits"
                )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'couloir.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    def signing_key(self) -> str:
        """The configured key, or one generated at first run and kept in the data dir (0600)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_KEY_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # Written aside then hard-linked: two processes starting together never read a half-written key.
            tmp = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_urlsafe(48))  # 384 bits
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text(encoding="utf-8").strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
