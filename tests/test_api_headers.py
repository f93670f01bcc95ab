"""Every API answer says how it may be handled: never sniffed into another type, never kept by a cache
(answers carry profiles, contacts, exports, who is nearby, tokens), whatever its status."""

from tests import factories as f


def test_every_api_answer_is_nosniff_and_never_stored(srv):
    h = f.hallway(srv)
    ann = h.person(srv, "Ann Ada", ["Observability", "Kubernetes"])
    h.person(srv, "Bob Byte", ["Observability"])
    event_id = h.event["id"]
    with srv.client(ann.token) as client:
        answers = [
            client.get("/api/me"),
            client.get("/api/me/suggestions"),
            client.get("/api/contacts"),
            client.get("/api/contact-requests"),
            client.get("/api/contacts/export.vcf"),
            client.get("/api/contacts/export.csv"),
            client.get("/api/me/export"),
            client.get("/api/me/card-qr.svg"),
            client.get("/api/contacts/123456"),  # 404
            client.post("/api/contact-requests", json={}, headers={"Idempotency-Key": f.new_key()}),  # 422
            client.get("/api/health"),
        ]
    with srv.client() as client:
        answers.append(client.get("/api/me"))  # 401
        answers.append(client.post("/api/join", content=b"x" * (srv.settings.max_body_bytes + 1)))  # 413
    with srv.client(h.organizer) as client:
        answers.append(client.get(f"/api/events/{event_id}/dashboard.csv"))
    assert [a.status_code for a in answers] == [200] * 8 + [404, 422, 200, 401, 413, 200]
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff", answer.url
        assert "no-store" in answer.headers["Cache-Control"], answer.url


def test_the_card_qr_runs_nothing_and_the_dashboard_csv_has_its_own_name(srv):
    h = f.hallway(srv, name="DevOps Days")
    ann = h.person(srv, "Ann Ada", ["Observability"])
    with srv.client(ann.token) as client:
        qr = client.get("/api/me/card-qr.svg")
    with srv.client(h.organizer) as client:
        dashboard = client.get(f"/api/events/{h.event['id']}/dashboard.csv")
    assert qr.headers["Content-Type"].startswith("image/svg+xml")
    assert qr.headers["Content-Security-Policy"] == "default-src 'none'"
    name = dashboard.headers["Content-Disposition"]
    assert name.startswith('attachment; filename="couloir-dashboard-devops-days-') and name.endswith('.csv"')
