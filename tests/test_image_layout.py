"""The Docker image cannot be built here (no Docker engine, and its base images cannot be pulled): its layout
is built instead. The service stage's COPY lines are replayed into an empty folder, a fresh virtual
environment is installed there by its RUN line's pip command, and its CMD runs with its ENV and nothing of
this checkout's environment. What this proves is the image's file list, install and commands; what it
cannot is its base image (python:3.11-slim-bookworm; here the machine's Python 3.11)."""

import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def instructions(stage: str) -> list[tuple[str, str]]:
    """(instruction, arguments) of one stage of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    found, inside = [], False
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "FROM":
            inside = rest.split()[-1] == stage
        elif inside:
            found.append((word, rest.strip()))
    return found


def test_the_service_stage_layout_installs_migrates_and_serves(tmp_path):
    built_pwa = ROOT / "pwa" / "dist" / "index.html"
    if not built_pwa.exists():
        pytest.skip("the PWA is not built (make test builds it first)")
    steps = instructions("service")
    assert steps, "no 'service' stage in the Dockerfile"
    app, data = tmp_path / "app", tmp_path / "data"
    data.mkdir()
    paths = {"/app": str(app), "/data": str(data)}

    def here(path: str) -> str:
        for image_path, local in paths.items():
            if path == image_path or path.startswith(image_path + "/"):
                return local + path[len(image_path) :]
        return path

    port = free_port()
    env = {"PATH": f"{tmp_path / 'venv' / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    workdir, cmd = app, []
    for instruction, arguments in steps:
        if instruction == "WORKDIR":
            workdir = Path(here(arguments))
            workdir.mkdir(parents=True, exist_ok=True)
        elif instruction == "ENV":
            env |= {name: here(value) for name, _, value in (pair.partition("=") for pair in arguments.split())}
        elif instruction == "COPY":
            *sources, destination = arguments.split()
            if sources[0] == "--from=pwa":  # the pwa stage's `npm run build`, which `make test` ran here
                sources = [str(ROOT / "pwa" / "dist")]
            target = Path(here(destination)) if destination.startswith("/") else workdir / destination
            for source in sources:
                source_path = ROOT / source
                if source_path.is_dir():  # as Docker does: its contents, not the folder itself
                    shutil.copytree(source_path, target, dirs_exist_ok=True)
                else:
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source_path, target / source_path.name)
        elif instruction == "RUN":
            pip = arguments.split("&&")[0].split()
            assert pip[:2] == ["pip", "install"], arguments
            subprocess.run([sys._base_executable, "-m", "venv", tmp_path / "venv"], check=True)
            # pip's cache only saves downloads; the image's --no-cache-dir keeps it out of the image.
            command = [str(tmp_path / "venv" / "bin" / "pip"), *(a for a in pip[1:] if a != "--no-cache-dir")]
            subprocess.run(command, cwd=workdir, check=True, env=env, capture_output=True)
        elif instruction == "CMD":
            cmd = shlex.split(arguments.strip("[]").replace(",", " "))
    assert not (app / "tests").exists() and not (app / ".git").exists()  # only what the image copies

    # What compose.yaml's env file gives a replica; the rest is the image's ENV.
    env |= {"COULOIR_SECRET_KEY": secrets.token_urlsafe(48), "COULOIR_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    assert cmd[:2] == ["sh", "-c"] and "--host 0.0.0.0 --port 8000" in cmd[2], cmd
    command = cmd[2].replace("--host 0.0.0.0 --port 8000", f"--host 127.0.0.1 --port {port}")
    log = tmp_path / "service.log"
    with log.open("wb") as out:
        service = subprocess.Popen(["sh", "-c", command], cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/api/health/ready", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert service.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        assert ready.json() == {"status": "ready", "database": "ok", "migrations": "current"}
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert (data / "couloir.db").exists()  # the database lives in the image's volume
    finally:
        service.terminate()
        service.wait(timeout=20)
