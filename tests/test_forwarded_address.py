"""Behind a reverse proxy every phone arrives from the proxy's address: per-address limits must count the
address the trusted proxy forwards, and only a trusted proxy's."""

import pytest

from tests.conftest import migrate
from tests.processes import ServiceProcess, service_env


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'couloir.db'}"
    migrate(url)
    return url


def joins_from(process: ServiceProcess, addresses: list[str]) -> list[int]:
    """Failed joins count against the address too, so a made-up join code is enough."""
    with process.client() as client:
        return [
            client.post(
                "/api/join", json={"join_code": "NOSUCHCODE", "display_name": "Ann"}, headers={"X-Forwarded-For": a}
            ).status_code
            for a in addresses
        ]


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [
        ("*", [404, 404, 404, 404]),  # four phones, four addresses: nobody is limited
        ("10.9.9.9", [404, 404, 429, 429]),  # the header of an untrusted sender is ignored: one address
    ],
)
def test_per_address_limit_counts_the_forwarded_address_of_a_trusted_proxy(sqlite_url, tmp_path, trusted, expected):
    env = service_env(sqlite_url, tmp_path, forwarded_allow_ips=trusted) | {"COULOIR_JOIN_RATE_PER_IP": "[2, 60]"}
    with ServiceProcess(env, tmp_path / "serve.log") as process:
        assert joins_from(process, ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]) == expected


def test_one_forwarded_address_is_still_limited(sqlite_url, tmp_path):
    env = service_env(sqlite_url, tmp_path, forwarded_allow_ips="*") | {"COULOIR_JOIN_RATE_PER_IP": "[2, 60]"}
    with ServiceProcess(env, tmp_path / "serve.log") as process:
        assert joins_from(process, ["203.0.113.7"] * 3) == [404, 404, 429]
