"""`couloir serve` closes idle keep-alive connections after COULOIR_KEEP_ALIVE_SECONDS, so the proxy in front
(which keeps its idle connections 2 minutes) never sends on a connection the service is closing."""

import socket
import time

from tests.conftest import migrate
from tests.processes import ServiceProcess, service_env

KEEP_ALIVE = 7
UVICORN_DEFAULT = 5


def health_on(connection: socket.socket, host: str) -> bytes:
    """One keep-alive GET /api/health on an open connection; returns the status line."""
    connection.sendall(f"GET /api/health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(4096)
    head, body = received.split(b"\r\n\r\n", 1)
    lines = head.lower().split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length"))
    while len(body) < length:
        body += connection.recv(4096)
    return head.split(b"\r\n")[0]


def test_an_idle_connection_is_closed_after_the_configured_keep_alive(tmp_path):
    url = f"sqlite:///{tmp_path / 'couloir.db'}"
    migrate(url)
    # Longer than uvicorn's own default (5 s): a connection still open past that proves the setting is
    # used, whatever the machine's load (load can only delay a close, never hasten it).
    env = service_env(url, tmp_path, keep_alive_seconds=str(KEEP_ALIVE))
    with ServiceProcess(env, tmp_path / "serve.log") as process:
        host = f"127.0.0.1:{process.port}"
        with socket.create_connection(("127.0.0.1", process.port), timeout=5) as connection:
            assert health_on(connection, host) == b"HTTP/1.1 200 OK"
            assert health_on(connection, host) == b"HTTP/1.1 200 OK"  # kept alive while in use
            time.sleep(UVICORN_DEFAULT + 1)
            assert health_on(connection, host) == b"HTTP/1.1 200 OK"  # still open past uvicorn's default
            idle_since = time.monotonic()
            connection.settimeout(60)
            assert connection.recv(1) == b""  # then closed by the server
            assert time.monotonic() - idle_since >= KEEP_ALIVE - 0.5  # and not before its time
