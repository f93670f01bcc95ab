"""Settings from the environment (prefix COULOIR_), with safe defaults for a laptop."""

import math
import os
import secrets
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values people paste from tutorials; refused as secret keys outside development.
PLACEHOLDER_SECRETS = {"changethis", "change-me", "changeme", "secret", "your-secret-key", "dev", "test"}
# The least randomness a given secret key must show by `estimated_bits`. 256 random bits written out (32
# bytes in base64url or hex, as `secrets.token_urlsafe(32)` or `openssl rand -hex 32` give) measure 180 or
# more; a 36-letter word repeated, or one letter 36 times, far less.
MIN_SECRET_KEY_BITS = 160
SECRET_KEY_FILE = "secret_key"
REPO_PWA_BUILD = Path(__file__).resolve().parents[2] / "pwa" / "dist"


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
    # Programme and attendee files outgrow the general cap: a large conference's schedule is a few MB.
    max_import_bytes: int = 10 * 1024 * 1024
    # Import files held in memory at once per process (each up to max_import_bytes): more wait in line, unread.
    imports_in_progress: int = Field(default=2, ge=1)
    # How long a request's body may take to arrive: a large file on a venue's Wi-Fi takes seconds, a sender
    # trickling its body to hold memory and a connection is cut off.
    body_timeout_seconds: float = Field(default=60.0, gt=0)
    # How long a check-in lasts outside a break (in a break, it ends with the break).
    presence_ttl_minutes: int = Field(default=20, ge=1, le=24 * 60)

    # Rate limits are counted in Redis when this is set (e.g. redis://127.0.0.1:6379/0), in the database
    # otherwise; either way every replica sees the same hits. Keys start with the prefix (one Redis, several
    # deployments).
    redis_url: str | None = None
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or networks, or * when nothing
    # but the proxy can reach the service): per-address limits must count the phone's address, not the proxy's.
    # The phone's is the rightmost entry a trusted proxy did not add (api/core/forwarded.py).
    forwarded_allow_ips: str = "127.0.0.1"
    # How long an idle keep-alive connection stays open. Longer than any proxy in front keeps its idle
    # connections to us (Caddy: 2 minutes): else the proxy may send a request on a connection the service
    # is closing at that moment, and the phone gets an error (a reset connection, a 502).
    keep_alive_seconds: int = Field(default=150, ge=1)
    redis_prefix: str = "couloir"
    # API requests in progress at once per process (the rest wait in line); the database pool holds as
    # many connections. A process runs Python on one core at a time, so a few keep it and the database
    # busy, and 8 leave room for a slow request (the live dashboard takes seconds at 70,000 attendees);
    # many more only add waiting inside the process (bench_break with 4 did no better).
    requests_in_progress: int = Field(default=8, ge=1, le=1000)
    # Past these, a request is refused at once (503 Overloaded, Retry-After) rather than held until the
    # phone gives up (api/core/limits.py, Admission): reads (or writes) already waiting for a slot, per
    # process, and how long a read may be expected to wait for one.
    requests_queued: int = Field(default=64, ge=0, le=100_000)
    queue_wait_ms: int = Field(default=100, ge=1, le=60_000)
    # Fixed-window rate limits: (max hits, window seconds).
    join_rate_per_ip: tuple[int, int] = (30, 60)
    magic_link_rate_per_ip: tuple[int, int] = (20, 900)
    # Every mail to one address, of any kind (sign-in and confirmation links, invitations), spends its one
    # budget; past it the answer stays the same and nothing is sent. No longer than a sign-in link lives, so
    # whoever spends an address's budget, its owner still holds a mailed link that works until it refills.
    mail_rate_per_address: tuple[int, int] = (5, 900)
    report_rate_per_attendee: tuple[int, int] = (10, 3600)
    # A venue's Wi-Fi puts hundreds of phones behind one address, all checking in as a break starts: per
    # address, only a flood is refused. One person re-checks in often (a zone, the next, back), and a phone
    # back online replays its queue at once; a refused write stays queued on the phone and is retried.
    checkin_rate_per_ip: tuple[int, int] = (10_000, 60)
    checkin_rate_per_attendee: tuple[int, int] = (30, 60)
    # Contact requests and connect-QR scans together.
    connect_rate_per_ip: tuple[int, int] = (5_000, 60)
    connect_rate_per_attendee: tuple[int, int] = (30, 300)
    # Contact requests waiting for one person's answer, sent over the last window (seconds): past it strangers
    # wait (a 429), so a few throwaway accounts cannot bury someone under requests. One per sender anyway.
    requests_waiting_per_attendee: tuple[int, int] = (10, 3600)
    # Rendezvous proposals of one attendee waiting for an answer from people who are not their contacts.
    rendezvous_waiting_strangers: int = Field(default=5, ge=1)

    # Web Push. The VAPID key is made in the data dir at first run unless given here (PEM): replicas must
    # share one, since every browser subscription is bound to its public half.
    vapid_private_key: str | None = None
    # Push services write to this address when our pushes misbehave: give a real one in production.
    vapid_subject: str = Field(
        default="mailto:push@couloir.invalid", pattern=r"^(mailto:[^@\s]+@[^@\s]+|https://[^\s/?#@]+(/\S*)?)$"
    )
    # Endpoints on private, loopback or link-local addresses (and plain http) are refused unless this is on:
    # the tests' local receiver, or a self-hosted push service on the venue's network.
    push_allow_private_endpoints: bool = False
    nudges_per_break: int = Field(default=2, ge=0)
    nudges_per_day: int = Field(default=6, ge=0)
    # A match's score (see api.matching) from which it is worth a nudge: two shared topics, one rare topic,
    # or a shared topic and a goal that fits, at a typical event.
    nudge_match_score: float = Field(default=4.0, gt=0)
    # "Where to go" nudges go out in a break's first minutes only: later, people have found their spot.
    nudge_where_to_go_minutes: int = Field(default=5, ge=1)
    nudge_interval_seconds: float = Field(default=30.0, gt=0)
    # A push still "sending" this long after its claim was lost with the worker that claimed it (killed
    # mid-send): a contact-request push is queued again, a break nudge (its moment gone) marked failed.
    nudge_sending_timeout_minutes: int = Field(default=10, ge=1)
    # How long a retried write is recognised by its Idempotency-Key (an event lasts a few days).
    idempotency_retention_hours: int = Field(default=72, ge=1)
    # How often the scheduler runs the cleanup jobs (old keys, passed rate-limit windows, stuck pushes...).
    cleanup_interval_seconds: float = Field(default=300.0, gt=0)
    # Off when `couloir worker` runs beside the API replicas instead (both at once is safe, only redundant).
    run_scheduler_in_process: bool = True

    # "json": one JSON object per log line, for a log collector; "text" is for people.
    log_format: Literal["text", "json"] = "text"
    # INFO logs every request (one line each); WARNING keeps only what needs a look.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    jwt_issuer: str = "couloir"
    # Whether the interactive API docs (/api/docs) and the OpenAPI schema (/api/openapi.json) are served;
    # unset: in development and test only, since in production they only draw a map for a stranger.
    api_docs: bool | None = None
    # The build of pwa/ in this checkout; served at / when it has been built (`npm run build` in pwa/).
    pwa_dir: Path | None = Field(default=REPO_PWA_BUILD, description="Built PWA to serve at /")

    @model_validator(mode="after")
    def _check_secret(self) -> "Settings":
        if self.secret_key is not None and self.environment != "development":
            key = self.secret_key.strip()
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < 32 or estimated_bits(key) < MIN_SECRET_KEY_BITS:
                raise ValueError(
                    "COULOIR_SECRET_KEY is a placeholder, shorter than 32 characters or not random enough; "
                    "unset it to have one generated, or give a random value of at least 256 bits "
                    "(e.g. the output of `openssl rand -hex 32`)"
                )
        return self

    @model_validator(mode="after")
    def _check_mail_budget(self) -> "Settings":
        if self.mail_rate_per_address[1] > self.magic_link_minutes * 60:
            raise ValueError(
                "COULOIR_MAIL_RATE_PER_ADDRESS's window is longer than a sign-in link lives "
                "(COULOIR_MAGIC_LINK_MINUTES): an address's owner could be left with no working link"
            )
        return self

    def rate_limits(self) -> dict[str, tuple[int, int]]:
        """Every rate limit setting by name: (max hits, window seconds)."""
        return {
            name: getattr(self, name)
            for name, field in type(self).model_fields.items()
            if field.annotation == tuple[int, int]
        }

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'couloir.db').resolve()}"

    @property
    def serves_api_docs(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment != "production"

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


def estimated_bits(key: str) -> float:
    """How much randomness `key` shows: its length times the entropy of its own characters' frequencies. An
    upper bound (a keyboard run looks random to it), enough to refuse keys nobody drew at random."""
    return -sum(n * math.log2(n / len(key)) for n in Counter(key).values())


@lru_cache
def get_settings() -> Settings:
    return Settings()
