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
