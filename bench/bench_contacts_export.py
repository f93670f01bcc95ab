"""Benchmark exporting an attendee's contacts as vCard (3.0, 4.0) and CSV.

Builds, on a scratch SQLite file, one attendee with N contacts (500 by default) carrying realistic,
tricky data (accents, emoji, commas, long notes), then times in one run:
- the export service in-process (query + render), and
- GET /api/contacts/export.vcf and .csv over HTTP against a uvicorn server in this process,
next to GET /api/me (a small authenticated read of the same server) as the baseline.

    .venv/bin/python bench/bench_contacts_export.py [--contacts 500] [--rounds 20]
"""

import argparse
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlmodel import Session

from api.attendees.models import Attendee
from api.auth.service import open_session
from api.contacts import service
from api.contacts.models import Contact
from api.contacts.vcard import render_csv, render_vcards
from api.core.config import Settings
from api.core.db import make_engine
from api.events.models import Event
from api.main import create_app
from tests.conftest import free_port, migrate


def build(settings: Settings, contacts: int) -> str:
    engine = make_engine(settings)
    migrate(settings.sqlalchemy_url)
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        event = Event(
            slug="bench",
            name="Platform Days, Paris; 2026",
            subject="platform engineering",
            timezone="Europe/Paris",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=8),
            languages=["fr", "en"],
            join_code="BENCHBEN",
        )
        session.add(event)
        session.flush()
        me = Attendee(event_id=event.id, display_name="Moi Même", language="en")
        session.add(me)
        session.flush()
        session.add_all(
            Contact(
                owner_id=me.id,
                name=f"Zoë Ñúñez-Éloïse {i} 🚀",
                headline="Staff engineer, SRE; on-call",
                company="Société Générale, Inc.",
                email=f"person{i}@example.org",
                phone="+33 6 12 34 56 78",
                website_url=f"https://example.org/people/{i}",
                event_name=event.name,
                zone_name="Bar à café",
                shared_topics=["Observability", "Kubernetes", "eBPF"],
                how="qr",
                met_at=now,
                note="Parlé de tracing, de coûts; rappeler lundi.\n" * 8,
                tags=["follow-up", "hiring"],
            )
            for i in range(contacts)
        )
        tokens = open_session(session, settings, attendee=me)
        session.commit()
    engine.dispose()
    return tokens.access_token


def timed(fn, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def row(label: str, samples: list[float], size: int | None = None) -> str:
    p50 = statistics.median(samples)
    p95 = sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]
    extra = f"  {size / 1024:8.0f} KiB" if size else ""
    return f"{label:<46} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms{extra}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        settings = Settings(
            environment="test", data_dir=Path(data_dir), public_base_url=f"http://127.0.0.1:{port}", pwa_dir=None
        )
        token = build(settings, args.contacts)
        app = create_app(settings)
        engine = app.runtime.engine

        def export_in_process(version: str) -> int:
            with Session(engine) as session:
                me = session.get(Attendee, 1)
                cards = [service.card_of(c, me.language) for c in service.my_contacts(session, me)]
                return len(render_vcards(cards, version) if version != "csv" else render_csv(cards))

        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.01)
        client = httpx.Client(base_url=settings.public_base_url, headers={"Authorization": f"Bearer {token}"})
        print(f"{args.contacts} contacts, {args.rounds} rounds each")
        for version in ("3.0", "4.0", "csv"):
            size = export_in_process(version)
            print(
                row(
                    f"in-process export {version}",
                    timed(lambda version=version: export_in_process(version), args.rounds),
                    size,
                )
            )
        for path in (
            "/api/contacts/export.vcf?version=3.0",
            "/api/contacts/export.vcf?version=4.0",
            "/api/contacts/export.csv",
        ):
            response = client.get(path)
            assert response.status_code == 200, response.text
            print(
                row(f"HTTP GET {path}", timed(lambda path=path: client.get(path), args.rounds), len(response.content))
            )
        print(row("HTTP GET /api/me (baseline)", timed(lambda: client.get("/api/me"), args.rounds)))
        server.should_exit = True


if __name__ == "__main__":
    main()
