"""The real `couloir serve` process writes its logs as one JSON object per line when told to, text
otherwise, and neither holds tokens or personal data."""

import json
import re

import pytest
from sqlalchemy import create_engine, text

from tests import factories as f
from tests.conftest import migrate, start_server
from tests.processes import ServiceProcess, as_server, service_env


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'couloir.db'}"
    migrate(url)
    return url


def test_json_logs_one_object_per_line_without_secrets(sqlite_url, tmp_path):
    process = ServiceProcess(service_env(sqlite_url, tmp_path, log_format="json"), tmp_path / "serve.log")
    with process:
        srv = as_server(process, sqlite_url, tmp_path)
        h = f.hallway(srv)
        with srv.client() as client:
            joined = client.post(
                "/api/join",
                json={"join_code": h.event["join_code"], "display_name": "Zoé Quesnel", "email": "zoe@example.org"},
            ).json()
        token = joined["tokens"]["access_token"]
        poster = h.zones["coffee"]["checkin_url"]
        with srv.client(token) as client:
            checked_in = client.post(
                "/api/me/check-ins",
                json={"token": poster},
                headers={"Idempotency-Key": f.new_key(), "X-Request-ID": "proxy-req-0001"},
            )
            missing = client.get(f"/api/contacts/{10**6}")
        srv.engine.dispose()
    assert checked_in.status_code == 201 and checked_in.headers["X-Request-ID"] == "proxy-req-0001"
    assert missing.status_code == 404 and len(missing.headers["X-Request-ID"]) == 32

    lines = [line for line in process.log_path.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # each line is one object
    # Outside production the console mailer prints each mail in place of sending it (here the link confirming
    # Zoé's email, and her address): that is its job. Every other line must hold none of it.
    assert [e["message"].split()[:3] for e in entries if e["logger"] == "couloir.mail"] == [
        ["console", "mailer:", "to=zoe@example.org"]
    ]
    text = "\n".join(line for line, e in zip(lines, entries, strict=True) if e["logger"] != "couloir.mail")
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    assert any(e["logger"] == "uvicorn.error" and "startup complete" in e["message"] for e in entries)
    requests = [e for e in entries if e["logger"] == "couloir.access"]
    check_in = next(e for e in requests if e["request_id"] == "proxy-req-0001")
    assert (check_in["method"], check_in["path"], check_in["status"]) == ("POST", "/api/me/check-ins", 201)
    assert isinstance(check_in["duration_ms"], float) and check_in["duration_ms"] > 0
    # The route's template, not the concrete path.
    assert {"method": "GET", "path": "/api/contacts/{contact_id}", "status": 404} in [
        {k: e[k] for k in ("method", "path", "status")} for e in requests
    ]
    assert len({e["request_id"] for e in requests}) == len(requests)

    secrets = [
        token,
        joined["tokens"]["refresh_token"],
        h.organizer,
        h.event["join_code"],
        poster.rsplit("/", 1)[-1],
        "zoe@example.org",
        "Zoé",
        "Quesnel",
    ]
    assert [s for s in secrets if s in text] == []
    # Nor the client's address, which uvicorn's own access log would write ('127.0.0.1:53124 - "GET …').
    assert re.search(r'\d+\.\d+\.\d+\.\d+:\d+ - "', text) is None


def test_text_logs_by_default(sqlite_url, tmp_path):
    with ServiceProcess(service_env(sqlite_url, tmp_path), tmp_path / "serve.log") as process:
        with process.client() as client:
            assert client.get("/api/health").status_code == 200
    lines = process.log_path.read_text().splitlines()
    assert any(re.search(r" INFO couloir\.access: GET /api/health 200 [\d.]+ ms$", line) for line in lines)
    assert not any(line.startswith("{") for line in lines)


def test_log_level_warning_drops_the_request_lines(sqlite_url, tmp_path):
    env = service_env(sqlite_url, tmp_path, log_level="WARNING")
    with ServiceProcess(env, tmp_path / "serve.log") as process:
        with process.client() as client:
            assert client.get("/api/health").status_code == 200
    assert "couloir.access" not in process.log_path.read_text()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_server_error_logs_its_traceback_with_the_request_id(empty_url, tmp_path, log_format):
    migrate(empty_url)
    with ServiceProcess(service_env(empty_url, tmp_path, log_format=log_format), tmp_path / "serve.log") as process:
        engine = create_engine(empty_url)
        with engine.begin() as connection:  # a real failure: the events' table is gone under the service
            connection.execute(text("ALTER TABLE event RENAME TO event_gone"))
        engine.dispose()
        with process.client() as client:
            failed = client.post("/api/join", json={"join_code": "ANYCODE1", "display_name": "Ann"})
    assert failed.status_code == 500 and failed.json()["error"] == "InternalError"
    rid = failed.headers["X-Request-ID"]  # the phone's answer names the log lines of its request
    assert failed.headers["X-Content-Type-Options"] == "nosniff" and failed.headers["Cache-Control"] == "no-store"
    text_ = process.log_path.read_text()
    assert "Exception in ASGI application" not in text_  # logged once, where the request id is known
    if log_format == "json":
        entries = [json.loads(line) for line in text_.splitlines() if line.strip()]
        errors = [e for e in entries if e["level"] == "ERROR"]
        assert len(errors) == 1 and errors[0]["request_id"] == rid
        assert "POST /api/join" in errors[0]["message"] and "Traceback" in errors[0]["exception"]
        assert "event" in errors[0]["exception"]
    else:
        error = text_.index(f"ERROR couloir: unhandled error in POST /api/join (request {rid})")
        assert text_[error:].splitlines()[1] == "Traceback (most recent call last):"


def test_the_app_shell_answers_paths_no_file_can_have(migrated_url, tmp_path):
    """URL paths reach the file system (the app's files): a name too long for it, or with a NUL byte, is
    simply no file of ours."""
    (tmp_path / "pwa" / "icons").mkdir(parents=True)
    (tmp_path / "pwa" / "index.html").write_text("<!doctype html><title>Couloir</title>")
    server = start_server(tmp_path, migrated_url, pwa_dir=tmp_path / "pwa")
    srv = next(server)
    try:
        with srv.client() as client:
            answers = {
                path: client.get(path).status_code
                for path in [
                    "/join/" + "A" * 300,
                    "/z/a%00b",
                    "/" + "a" * 300,
                    "/icons/" + "b" * 300 + ".png",
                    "/icons",
                ]
            }
    finally:
        server.close()
    assert answers == {
        "/join/" + "A" * 300: 200,
        "/z/a%00b": 200,
        "/" + "a" * 300: 200,
        "/icons/" + "b" * 300 + ".png": 404,
        "/icons": 200,
    }
