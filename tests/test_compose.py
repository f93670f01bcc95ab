"""compose.yaml cannot be run here (no Docker engine on the test machines): check what can be checked
without one, so the file cannot drift from the code. Every command it runs is one the CLI has, with
options the CLI knows; every COULOIR_ variable it sets is a setting; replicas leave nudges to the worker
and are probed on the readiness route the app serves; the database keeps its data in a volume."""

import re
from pathlib import Path

import pytest
import typer.main
import yaml

from api.cli import app as cli
from api.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COULOIR_SERVICES = ("migrate", "api", "worker")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_runs_replicas_a_worker_and_postgres_with_a_volume(compose):
    services = compose["services"]
    assert {"postgres", "migrate", "api", "worker", "proxy"} <= services.keys()
    assert services["api"]["deploy"]["replicas"] >= 2
    volume = next(v.split(":")[0] for v in services["postgres"]["volumes"] if v.endswith(":/var/lib/postgresql/data"))
    assert volume in compose["volumes"]
    # Migrations run once before anything that uses the schema; the proxy waits for ready replicas.
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["proxy"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert (ROOT / services["proxy"]["volumes"][0].split(":")[0]).is_file()


def test_every_command_is_one_the_cli_has(compose):
    commands = typer.main.get_command(cli).commands
    for name in COULOIR_SERVICES:
        program, subcommand, *args = compose["services"][name]["command"]
        assert program == "couloir" and subcommand in commands, name
        options = {opt for param in commands[subcommand].params for opt in param.opts}
        assert {arg for arg in args if arg.startswith("--")} <= options, name


def test_every_variable_is_a_setting_and_secrets_are_required(compose):
    fields = set(Settings.model_fields)
    for name in COULOIR_SERVICES:
        env = compose["services"][name]["environment"]
        assert {key.removeprefix("COULOIR_").lower() for key in env} <= fields, name
        assert env["COULOIR_RUN_SCHEDULER_IN_PROCESS"] == "false"  # the worker nudges, not the replicas
        assert (
            env["COULOIR_DATABASE_URL"].startswith("postgresql+psycopg://")
            and "@postgres:5432/" in env["COULOIR_DATABASE_URL"]
        )
        # Compose refuses to start without them (${VAR:?message}) rather than run with generated keys
        # that would differ between replicas.
        for secret in ("COULOIR_SECRET_KEY", "COULOIR_VAPID_PRIVATE_KEY"):
            assert re.fullmatch(rf"\$\{{{secret}:\?[^}}]+\}}", env[secret]), secret


def test_replicas_are_probed_on_the_readiness_route(compose, srv):
    probes = [
        " ".join(compose["services"]["api"]["healthcheck"]["test"]),
        next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if "urlopen(" in line),
    ]
    for probe in probes:
        path = re.search(r"http://127\.0\.0\.1:8000(/\S+?)'", probe).group(1)
        with srv.client() as client:
            assert client.get(path).json()["status"] == "ready"


def test_the_proxy_asks_for_https_and_leaves_api_answers_uncompressed():
    """HSTS from the TLS proxy; no compression by the proxy, which would compress API answers the service
    deliberately sends plain (BREACH: a secret next to reflected input)."""
    directives = [line.split("#", 1)[0].strip() for line in (ROOT / "deploy" / "Caddyfile").read_text().splitlines()]
    hsts = [re.fullmatch(r'header Strict-Transport-Security "max-age=(\d+)[^"]*"', d) for d in directives]
    assert [int(m[1]) >= 365 * 24 * 3600 for m in hsts if m] == [True]
    assert not [d for d in directives if d.split(" ", 1)[0] == "encode"]
