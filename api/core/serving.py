"""`couloir serve --workers N`: N processes that each listen on a socket of their own on the same port
(SO_REUSEPORT), so that the kernel spreads new connections over them.

uvicorn's own workers share one listening socket, and the worker that wakes first accepts every connection
waiting, often a whole burst of them (bench/RESULTS.md). A phone keeps its connection for a whole break: one process
served most of the crowd while the other idled. uvicorn still supervises the workers (it restarts one that
dies, and handles SIGHUP, SIGTTIN and SIGTTOU).

The price: a worker that dies resets the connections still waiting in its own queue, where a shared queue
kept them for the others. Phones retry, and their writes carry Idempotency-Keys.
"""

import logging
import socket
import sys
import time
from collections.abc import Callable

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

logger = logging.getLogger("uvicorn.error")

# The scope key where each request is stamped with when its first byte was read (see ArrivalStamped).
ARRIVED = "couloir.arrived"
# How long a worker may take to answer its supervisor's health check before it is killed as hung (uvicorn's
# default is 5 s). A worker answers from a thread that needs the interpreter: on a loaded machine a worker
# still starting, or serving a burst, missed 5 s, and was killed and restarted again and again.
HEALTHCHECK_SECONDS = 60


def run_workers(config: uvicorn.Config) -> None:
    """Serve `config.app` in `config.workers` processes, each with its own listening socket."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    port = _free_port(family, config.host, config.port)
    logger.info("Couloir running on http://%s:%d, %d processes", config.host, port, config.workers)
    config.timeout_worker_healthcheck = HEALTHCHECK_SECONDS
    Multiprocess(config, sockets=[_SocketOfItsOwn(family, (config.host, port))]).run()  # type: ignore[list-item]


def _free_port(family: socket.AddressFamily, host: str, port: int) -> int:
    """`port` (or, for 0, the one the system picks), once it is known that nothing listens there. Sockets
    that share a port with SO_REUSEPORT do not refuse another of their kind: without this check, a second
    `couloir serve` on the same port would quietly take half of the first one's connections."""
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            logger.error("Cannot listen on %s:%d: %s", host, port, exc)
            sys.exit(STARTUP_FAILURE)
        bound: int = probe.getsockname()[1]
        return bound


class _SocketOfItsOwn:
    """Stands where uvicorn's supervisor expects the listening socket. uvicorn hands its sockets to the
    worker processes it spawns by pickling them: this one is unpickled in each worker as a new socket that
    the worker binds itself."""

    def __init__(self, family: socket.AddressFamily, address: tuple[str, int]) -> None:
        self.family, self.address = family, address

    def __reduce__(self) -> tuple[Callable[..., socket.socket], tuple[socket.AddressFamily, tuple[str, int]]]:
        return (_listening_socket, (self.family, self.address))


def _listening_socket(family: socket.AddressFamily, address: tuple[str, int]) -> socket.socket:
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError as exc:  # taken meanwhile by something that does not share it
        print(f"Cannot listen on {address[0]}:{address[1]}: {exc}", file=sys.stderr, flush=True)
        sys.exit(STARTUP_FAILURE)
    return sock


class ArrivalStamped(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, stamping each request with when its first byte was read (`ARRIVED`):
    on a busy event loop a request waits, after that, for its turn to run, and admission
    (api/core/limits.py) counts that wait too, which it could not see otherwise."""

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope[ARRIVED] = time.monotonic()  # type: ignore[literal-required]


# `couloir serve`'s uvicorn `http` option.
HTTP_PROTOCOL = f"{__name__}:{ArrivalStamped.__name__}"
