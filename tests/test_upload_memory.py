"""Large bodies are for organizers' file imports only: a stranger's upload is refused before it is read,
an organizer's wait in line for one of a few places, and a body must arrive in time. Measured on the real
`couloir serve` process: the most memory it ever held (VmHWM, from /proc), before and after a flood."""

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests import factories as f
from tests.conftest import migrate
from tests.processes import ServiceProcess, as_server, service_env

UPLOADS = 40
MB = 1024 * 1024
# The growth a flood may cause: far below its 40 × 10 MB, well above what a process's own noise reaches.
GROWTH_BOUND_MB = 120


@pytest.fixture
def database(empty_url) -> str:
    migrate(empty_url)
    return empty_url


def peak_rss_mb(process: ServiceProcess) -> float:
    with open(f"/proc/{process.process.pid}/status") as status:
        lines = status.read().splitlines()
    for line in lines:
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def flood(process: ServiceProcess, path: str, token: str | None) -> list[int | str]:
    body = b"x" * (10 * MB - 4096)  # under the import cap
    # A type no import reads: each body is read whole, then refused, so what is measured is how many bodies
    # are held at once, not what parsing one costs.
    headers = {"Content-Type": "text/plain"} | ({"Authorization": f"Bearer {token}"} if token else {})

    def upload(_: int) -> int | str:
        try:
            with httpx.Client(base_url=process.base_url, timeout=120) as client:
                return client.post(path, content=body, headers=headers).status_code
        except httpx.TransportError as gone:  # refused before its body was read, the connection closed mid-send
            return type(gone).__name__

    with ThreadPoolExecutor(UPLOADS) as pool:
        return list(pool.map(upload, range(UPLOADS)))


def test_many_unauthenticated_large_uploads_leave_the_memory_flat(database, tmp_path):
    with ServiceProcess(service_env(database, tmp_path), tmp_path / "serve.log") as process:
        before = peak_rss_mb(process)
        answers = flood(process, "/api/events/1/programme/import", token=None)
        after = peak_rss_mb(process)
    print(f"unauthenticated flood: VmHWM {before:.0f} MB -> {after:.0f} MB; answers {sorted(set(map(str, answers)))}")
    assert all(a == 401 or isinstance(a, str) for a in answers), answers
    assert after - before < GROWTH_BOUND_MB


def test_organizers_large_uploads_are_held_a_few_at_a_time(database, tmp_path):
    with ServiceProcess(service_env(database, tmp_path), tmp_path / "serve.log") as process:
        srv = as_server(process, database, tmp_path)
        organizer = f.organizer_token(srv)
        event = f.create_event(srv, organizer)
        srv.engine.dispose()
        before = peak_rss_mb(process)
        answers = flood(process, f"/api/events/{event['id']}/programme/import", token=organizer)
        after = peak_rss_mb(process)
    print(f"organizer flood: VmHWM {before:.0f} MB -> {after:.0f} MB; answers {sorted(set(map(str, answers)))}")
    assert answers == [415] * UPLOADS  # each read whole and judged (not a file type the import reads)
    assert after - before < GROWTH_BOUND_MB


def test_a_body_that_does_not_arrive_in_time_is_cut_off(database, tmp_path):
    env = service_env(database, tmp_path, body_timeout_seconds="1")
    with ServiceProcess(env, tmp_path / "serve.log") as process:
        with socket.create_connection(("127.0.0.1", process.port)) as slow:
            slow.sendall(b"POST /api/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
            slow.sendall(b"Content-Length: 100\r\n\r\n{")  # then nothing more
            slow.settimeout(30)
            started = time.monotonic()
            answer = b""
            while chunk := slow.recv(4096):  # until the service closes the connection
                answer += chunk
            waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 ") and b'"RequestTimeout"' in answer
    assert waited < 25  # cut off by the service, not by this test giving up
