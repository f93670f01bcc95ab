"""`couloir serve` as a real process, the way it runs in production: for tests that kill it, run several
of it, or read what it writes to stderr."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.core.config import Settings
from api.core.db import make_engine
from tests.conftest import TEST_LIMITS, Server, free_port

COULOIR = Path(sys.executable).parent / "couloir"


def service_env(database_url: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a replica: every process of one deployment shares the database and the data dir
    (the secret and VAPID keys made there at first start)."""
    env = os.environ | {
        "COULOIR_ENVIRONMENT": "test",
        "COULOIR_DATABASE_URL": database_url,
        "COULOIR_DATA_DIR": str(data_dir),
        "COULOIR_RUN_SCHEDULER_IN_PROCESS": "false",
        "COULOIR_PUSH_ALLOW_PRIVATE_ENDPOINTS": "true",
    }
    env |= {f"COULOIR_{name.upper()}": json.dumps(limit) for name, limit in TEST_LIMITS.items()}
    return env | {f"COULOIR_{name.upper()}": value for name, value in settings.items()}


class ServiceProcess:
    """One `couloir serve` on its own port (with `workers` processes); `kill()` is kill -9, `start()` again
    restarts it on that port."""

    def __init__(self, env: dict[str, str], log_path: Path, port: int | None = None, workers: int = 1):
        self.port = port or free_port()
        self.workers = workers
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = env | {"COULOIR_PUBLIC_BASE_URL": env.get("COULOIR_PUBLIC_BASE_URL", self.base_url)}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> "ServiceProcess":
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [COULOIR, "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.base_url}/api/health/ready", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"couloir serve did not become ready:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no rollback; what the database has is all there is."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    def __enter__(self) -> "ServiceProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def as_server(process: ServiceProcess, database_url: str, data_dir: Path) -> Server:
    """What tests/factories.py needs to build data through this process (and to reach its database)."""
    settings = Settings(
        environment="test", data_dir=data_dir, database_url=database_url, public_base_url=process.base_url
    )
    return Server(base_url=process.base_url, settings=settings, engine=make_engine(settings), app=None)
