"""The PWA's typed client is generated from the API (pwa/scripts/gen_api.py): fail when it is stale."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

PWA = Path(__file__).resolve().parents[2] / "pwa"
REGENERATE = "run `.venv/bin/python pwa/scripts/gen_api.py` and commit pwa/src/api/"


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_api", PWA / "scripts" / "gen_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_openapi_schema_is_current():
    committed = (PWA / "src" / "api" / "openapi.json").read_text(encoding="utf-8")
    assert load_generator().openapi_json() == committed, f"the API changed: {REGENERATE}"


def test_typescript_types_match_the_schema(tmp_path):
    generator = load_generator()
    if not (PWA / "node_modules" / ".bin" / "openapi-typescript").exists():
        pytest.skip("pwa/node_modules is missing (npm ci in pwa/): the OpenAPI check above still runs")
    out = tmp_path / "schema.d.ts"
    try:
        generator.schema_types(PWA / "src" / "api" / "openapi.json", out)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"openapi-typescript failed: {exc.stderr.decode()}")
    committed = (PWA / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, f"schema.d.ts is stale: {REGENERATE}"
