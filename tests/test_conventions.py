"""API conventions: one error shape, capped bodies, clean OpenAPI."""

import httpx

from tests import factories
from tests.test_access import PUBLIC


def test_oversized_body_is_refused_with_413(srv):
    big = {"display_name": "x" * (srv.settings.max_body_bytes + 10), "join_code": "ABCD1234"}
    with srv.client() as client:
        response = client.post("/api/join", json=big)
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


def test_oversized_chunked_body_without_length_is_refused(srv):
    def chunks():
        yield b'{"display_name": "'
        for _ in range(srv.settings.max_body_bytes // 1000 + 5):
            yield b"x" * 1000
        yield b'", "join_code": "ABCD1234"}'

    with httpx.Client(base_url=srv.base_url) as client:
        response = client.post("/api/join", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_validation_errors_use_the_error_shape(srv):
    with srv.client() as client:
        response = client.post("/api/join", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "InvalidInput" and isinstance(body["detail"], list)


def test_method_not_allowed_uses_the_error_shape(srv):
    with srv.client() as client:
        response = client.put("/api/health")
    assert response.status_code == 405
    assert response.json()["error"] == "MethodNotAllowed"


def test_openapi_has_clean_unique_operation_ids(srv):
    with srv.client() as client:
        schema = client.get("/api/openapi.json").json()
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert all(i.replace("_", "").isalnum() and i.islower() for i in ids)
    assert all(path.startswith("/api/") for path in schema["paths"])


def test_openapi_says_which_operations_are_public_and_where_and_under_which_licence_it_is_served(srv):
    with srv.client() as client:
        schema = client.get("/api/openapi.json").json()
        operations = [
            (method.upper(), path, operation)
            for path, operations in schema["paths"].items()
            for method, operation in operations.items()
        ]
        security = {(method, path): operation["security"] for method, path, operation in operations}
        # Each public operation, called with no token, is not refused for the lack of one.
        public = sorted(operation for operation, needs in security.items() if needs == [])
        for method, path in public:
            answer = client.request(method, path.replace("{", "").replace("}", ""), json={})
            assert answer.status_code != 401, (method, path)
    # The very routes the access test lets anyone call.
    assert {operation["operationId"] for _, _, operation in operations if operation["security"] == []} == PUBLIC
    assert all(needs in ([], [{"HTTPBearer": []}]) for needs in security.values())
    assert security[("GET", "/api/me")] == [{"HTTPBearer": []}]
    assert schema["servers"] == [{"url": "/", "description": "The Couloir instance serving this schema"}]
    assert schema["info"]["license"]["identifier"] == "AGPL-3.0-or-later"


def test_list_pages_are_capped(srv):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token)
    with srv.client(token) as client:
        response = client.get(f"/api/events/{event['id']}/attendees", params={"limit": 101})
    assert response.status_code == 422
