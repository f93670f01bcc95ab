"""How the service serves the built app: the shell for the app's routes, the right types and cache
headers for the service worker and manifest, a strict CSP, and /api left to the API. Runs against a
stand-in build, so it needs neither npm nor a browser."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_LIMITS, Server, migrate, start_server

SHELL = "<!doctype html><title>Couloir</title>"


@pytest.fixture(scope="module")
def fake_build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dist")
    (root / "assets").mkdir()
    (root / "icons").mkdir()
    (root / "index.html").write_text(SHELL)
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (root / "manifest.webmanifest").write_text('{"name": "Couloir"}')
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /api/\n")
    (root / "icons" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "assets" / "index-Ab12.js").write_text("console.log(1)")
    (tmp_path_factory.getbasetemp() / "secret.txt").write_text("not for the web")
    return root


@pytest.fixture(scope="module")
def served(tmp_path_factory, fake_build: Path) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('serving-db') / 'couloir.db'}"
    migrate(url)
    yield from start_server(tmp_path_factory.mktemp("serving-data"), url, pwa_dir=fake_build, **TEST_LIMITS)


@pytest.mark.parametrize("path", ["/", "/join/ABCD2345", "/z/AbCdEfGhIjKlMnOpQrStUv", "/login", "/agenda"])
def test_app_routes_get_the_shell(served, path):
    with served.client() as client:
        response = client.get(path)
    assert response.status_code == 200
    assert response.text == SHELL
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


def test_the_shell_has_a_strict_content_security_policy(served):
    with served.client() as client:
        headers = client.get("/").headers
    csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'"  # no inline script, no eval
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_service_worker_is_never_stale_and_may_control_the_whole_app(served):
    with served.client() as client:
        response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["service-worker-allowed"] == "/"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/robots.txt", "text/plain"),
        ("/icons/icon-192.png", "image/png"),
    ],
)
def test_root_files_have_their_types(served, path, content_type):
    with served.client() as client:
        response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    assert "content-security-policy" in response.headers


def test_hashed_assets_are_cached_for_good(served):
    with served.client() as client:
        response = client.get("/assets/index-Ab12.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("path", ["/assets/index-gone.js", "/favicon.ico", "/icons/missing.png"])
def test_missing_files_are_404_not_the_shell(served, path):
    with served.client() as client:
        response = client.get(path)
    assert response.status_code == 404
    assert "html" not in response.headers["content-type"]


def test_no_file_outside_the_build_is_served(served):
    with served.client() as client:
        for path in ["/..%2Fsecret.txt", "/%2E%2E/secret.txt", "/icons/..%2F..%2Fsecret.txt"]:
            response = client.get(path)
            assert "not for the web" not in response.text, path


def test_the_api_keeps_its_own_answers(served):
    """The shell never answers under /api: unknown routes and wrong methods keep the API's errors."""
    with served.client() as client:
        unknown = client.get("/api/nowhere")
        bare = client.get("/api")
        wrong_method = client.get("/api/join")
        health = client.get("/api/health")
    assert unknown.status_code == 404 and unknown.json()["error"] == "NotFound"
    assert bare.status_code == 404 and bare.json()["error"] == "NotFound"
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "MethodNotAllowed"
    assert health.json()["status"] == "ok"
    assert "content-security-policy" not in health.headers


def test_no_app_is_served_without_a_build(tmp_path):
    url = f"sqlite:///{tmp_path / 'couloir.db'}"
    migrate(url)
    for server in start_server(tmp_path, url, pwa_dir=tmp_path / "not-built"):
        with server.client() as client:
            response = client.get("/")
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"


def test_settings_default_to_this_checkouts_build():
    from api.core.config import Settings

    assert Settings().pwa_dir == Path(__file__).resolve().parents[2] / "pwa" / "dist"


def test_app_files_are_compressed_but_api_answers_are_not(served, fake_build):
    (fake_build / "assets" / "big-Cd34.js").write_text("const couloir = 1;\n" * 500)
    with served.client() as client:
        script = client.get("/assets/big-Cd34.js", headers={"Accept-Encoding": "gzip"})
        api = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert script.headers["content-encoding"] == "gzip"
    assert script.text == "const couloir = 1;\n" * 500
    assert "content-encoding" not in api.headers
