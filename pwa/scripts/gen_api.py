"""Regenerate the PWA's typed API client from the FastAPI app, without a running server.

    .venv/bin/python pwa/scripts/gen_api.py

Writes pwa/src/api/openapi.json (the schema, for review and the staleness test) and
pwa/src/api/schema.d.ts (openapi-typescript's types, used by client.ts). Both are committed.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PWA = Path(__file__).resolve().parent.parent
API_DIR = PWA / "src" / "api"
sys.path.insert(0, str(PWA.parent))  # the repo root, so `api` imports without an install


def openapi_json() -> str:
    from api.core.config import Settings
    from api.main import create_app

    with tempfile.TemporaryDirectory() as data_dir:
        # A throwaway data dir: create_app writes a signing key there; no database is opened.
        app = create_app(Settings(environment="development", data_dir=Path(data_dir), pwa_dir=None))
        return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


def schema_types(openapi_path: Path, out: Path) -> None:
    binary = PWA / "node_modules" / ".bin" / "openapi-typescript"
    if not binary.exists():
        raise SystemExit("pwa/node_modules is missing: run `npm ci` in pwa/ first")
    subprocess.run([str(binary), str(openapi_path), "-o", str(out)], check=True, capture_output=True)


def main() -> None:
    openapi = API_DIR / "openapi.json"
    openapi.write_text(openapi_json(), encoding="utf-8")
    schema_types(openapi, API_DIR / "schema.d.ts")
    print(f"wrote {openapi.relative_to(PWA.parent)} and {(API_DIR / 'schema.d.ts').relative_to(PWA.parent)}")


if __name__ == "__main__":
    main()
