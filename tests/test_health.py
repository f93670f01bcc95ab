from sqlalchemy import create_engine

from api.core.migrations import current_revisions
from tests.conftest import migrate, start_server


def test_health_reports_database(srv):
    with srv.client() as client:
        response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_unknown_route_uses_the_error_shape(srv):
    with srv.client() as client:
        response = client.get("/api/nowhere")
    assert response.status_code == 404
    assert response.json()["error"] == "NotFound"


def test_ready_when_the_database_is_at_the_head_revision(srv):
    with srv.client() as client:
        response = client.get("/api/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations": "current"}


def test_not_ready_one_migration_behind(empty_url, tmp_path):
    migrate(empty_url)
    migrate(empty_url, "-1", down=True)
    behind = current_revision(empty_url)
    server = start_server(tmp_path, empty_url)
    srv = next(server)
    try:
        with srv.client() as client:
            response = client.get("/api/health/ready")
            live = client.get("/api/health")
    finally:
        server.close()
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "NotReady"
    assert behind in body["detail"] and "couloir migrate" in body["detail"]
    # Still alive: the process answers, it is just not to be sent traffic.
    assert live.status_code == 200


def test_not_ready_without_a_database(tmp_path):
    # A SQLite file in a directory that does not exist cannot be opened.
    server = start_server(tmp_path, f"sqlite:///{tmp_path / 'missing' / 'couloir.db'}")
    srv = next(server)
    try:
        with srv.client() as client:
            response = client.get("/api/health/ready")
    finally:
        server.close()
    assert response.status_code == 503
    assert response.json() == {"error": "NotReady", "detail": "The database does not answer"}


def current_revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            (revision,) = current_revisions(conn)
    finally:
        engine.dispose()
    return revision
