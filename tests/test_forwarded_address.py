"""Behind a reverse proxy every phone arrives from the proxy's address: per-address limits must count the
address the trusted proxy saw, and only a trusted proxy's. A proxy appends that address to whatever
X-Forwarded-For the sender wrote, so the phone's address is the rightmost entry no trusted proxy added."""

import pytest

from tests.conftest import migrate
from tests.processes import ServiceProcess, service_env


@pytest.fixture
def database(empty_url) -> str:
    migrate(empty_url)
    return empty_url


def joins_from(process: ServiceProcess, forwarded: list[str]) -> list[int]:
    """Failed joins count against the address too, so a made-up join code is enough."""
    with process.client() as client:
        return [
            client.post(
                "/api/join", json={"join_code": "NOSUCHCODE", "display_name": "Ann"}, headers={"X-Forwarded-For": a}
            ).status_code
            for a in forwarded
        ]


def limited_service(database: str, tmp_path, trusted: str) -> ServiceProcess:
    env = service_env(database, tmp_path, forwarded_allow_ips=trusted) | {"COULOIR_JOIN_RATE_PER_IP": "[2, 60]"}
    return ServiceProcess(env, tmp_path / "serve.log")


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [
        ("*", [404, 404, 404, 404]),  # four phones, four addresses: nobody is limited
        ("10.9.9.9", [404, 404, 429, 429]),  # the header of an untrusted sender is ignored: one address
    ],
)
def test_per_address_limit_counts_the_forwarded_address_of_a_trusted_proxy(database, tmp_path, trusted, expected):
    with limited_service(database, tmp_path, trusted) as process:
        assert joins_from(process, ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]) == expected


def test_one_forwarded_address_is_still_limited(database, tmp_path):
    with limited_service(database, tmp_path, "*") as process:
        assert joins_from(process, ["203.0.113.7"] * 3) == [404, 404, 429]


@pytest.mark.parametrize("trusted", ["*", "127.0.0.1", "127.0.0.0/8, 10.0.0.0/8"])
def test_addresses_a_sender_writes_before_the_proxys_are_not_believed(database, tmp_path, trusted):
    """One phone rotating the header it sends, behind a proxy that appends the address it saw (nginx's
    $proxy_add_x_forwarded_for, most load balancers): still one address."""
    rotated = [f"198.51.100.{n}, 203.0.113.9" for n in range(1, 6)]
    with limited_service(database, tmp_path, trusted) as process:
        assert joins_from(process, rotated) == [404, 404, 429, 429, 429]


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_phone(database, tmp_path):
    """The phone, then an edge proxy (10.0.0.2, trusted) and the local one: the edge proxy's entry is skipped,
    the one before it counted, and what the phone wrote before that is not."""
    with limited_service(database, tmp_path, "127.0.0.1, 10.0.0.0/8") as process:
        forwarded = [f"192.0.2.{n}, 203.0.113.9, 10.0.0.2" for n in range(1, 4)] + ["203.0.113.10, 10.0.0.2"]
        assert joins_from(process, forwarded) == [404, 404, 429, 404]
