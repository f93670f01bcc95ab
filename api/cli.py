"""The `couloir` command: serve, migrate, worker, demo, organizer add."""

import threading
import time
from typing import Any

import httpx
import typer
import uvicorn
from alembic import command
from sqlmodel import Session

from api.auth.service import create_magic_link
from api.core.config import get_settings
from api.core.db import make_engine
from api.core.logs import configure_logging, uvicorn_log_config
from api.core.migrations import alembic_config
from api.core.serving import HTTP_PROTOCOL, run_workers
from api.organizers.service import add_organizer

app = typer.Typer(help="Couloir: hallway networking for conferences.", no_args_is_help=True)
organizer_app = typer.Typer(help="Manage organizers.", no_args_is_help=True)
app.add_typer(organizer_app, name="organizer")


@app.command()
def migrate(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Bring the database schema up to date."""
    command.upgrade(alembic_config(), revision)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", envvar="HOST"),
    port: int = typer.Option(8000, envvar="PORT"),
    workers: int = typer.Option(1, min=1, help="Processes, each with its own socket on the port; on SQLite keep 1"),
    with_demo: bool = typer.Option(
        False, "--demo", help="Once the service answers, create (or refresh) the demo and print how to get in"
    ),
) -> None:
    """Run the API (and the built PWA) with uvicorn."""
    settings = get_settings()
    if with_demo:
        # Built once the service answers, so the demo's break and one-time link start when a newcomer can use
        # them, and the way in is the last thing printed, not buried under the start-up output.
        threading.Thread(target=_demo_when_ready, args=(f"http://127.0.0.1:{port}/api/health",), daemon=True).start()
    options: dict[str, Any] = dict(
        host=host,
        port=port,
        workers=workers,
        factory=True,
        http=HTTP_PROTOCOL,
        proxy_headers=False,  # the app reads X-Forwarded-For itself (api/core/forwarded.py)
        timeout_keep_alive=settings.keep_alive_seconds,
        log_config=uvicorn_log_config(settings.log_format, settings.log_level),
        access_log=False,  # the app logs each request itself, without addresses or query strings
    )
    if workers == 1:
        uvicorn.run("api.main:create_app", **options)
    else:
        run_workers(uvicorn.Config("api.main:create_app", **options))


@app.command()
def worker(once: bool = typer.Option(False, "--once", help="Run one tick, print what it did, and exit")) -> None:
    """Send nudges during breaks. Run it beside API replicas started with COULOIR_RUN_SCHEDULER_IN_PROCESS=false;
    several workers may run at once, each nudge is still sent once."""
    from api.push import scheduler

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    engine = make_engine(settings)
    try:
        if once:
            typer.echo(scheduler.tick(engine, settings))
        else:
            scheduler.run(engine, settings, threading.Event())
    finally:
        engine.dispose()


@app.command()
def demo() -> None:
    """Create (or refresh) the demo conference and print how to get in."""
    typer.echo(_build_demo())


def _build_demo() -> str:
    from api.demo import build_demo

    settings = get_settings()
    engine = make_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            summary = build_demo(session, settings)
            session.commit()
    finally:
        engine.dispose()
    return summary


def _demo_when_ready(health_url: str, give_up_after: float = 300) -> None:
    deadline = time.monotonic() + give_up_after
    while time.monotonic() < deadline:
        try:
            if httpx.get(health_url, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    else:
        typer.echo("The service did not answer: no demo was made.", err=True)
        return
    typer.echo(f"\nCouloir is ready.\n{_build_demo()}")


@organizer_app.command("add")
def organizer_add(email: str) -> None:
    """Create an organizer (if new) and print a one-time login link."""
    settings = get_settings()
    engine = make_engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        organizer = add_organizer(session, email)
        link = create_magic_link(session, settings, organizer_id=organizer.id)
        session.commit()
    typer.echo(f"Organizer {organizer.email} (id {organizer.id}).")
    typer.echo(f"One-time login link, valid {settings.magic_link_minutes} minutes:\n{link}")
