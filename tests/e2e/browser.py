"""Helpers for driving Debian's Chromium with Playwright (never `playwright install`: see RECIPES)."""

import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# How long a test waits for the page before it fails (Playwright's own default is 5 s for expect()).
PATIENCE_MS = 30_000
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def launch(playwright, *extra_args: str):
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS + list(extra_args)
    )


def eventually(check, timeout: float = PATIENCE_MS / 1000):
    """Polls `check` until it returns a truthy value: the phone syncs in the background."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {check.__doc__ or check}")
        time.sleep(0.05)
    return result


def seed_session(context, tokens: dict) -> None:
    """Hands a token pair (from the API's join) to the app's storage: the phone is signed in."""
    page = context.new_page()
    page.goto("/join")
    page.evaluate(
        """tokens => new Promise((resolve, reject) => {
            const open = indexedDB.open("couloir", 1);
            open.onupgradeneeded = () => {
                open.result.createObjectStore("kv");
                open.result.createObjectStore("outbox", { keyPath: "key" }).createIndex("createdAt", "createdAt");
            };
            open.onsuccess = () => {
                const tx = open.result.transaction("kv", "readwrite");
                tx.objectStore("kv").put(tokens, "session");
                tx.oncomplete = () => { open.result.close(); resolve(); };
                tx.onerror = () => reject(tx.error);
            };
            open.onerror = () => reject(open.error);
        })""",
        tokens,
    )
    page.close()


def outbox_items(page) -> list[dict]:
    """The writes waiting on the phone, as stored in IndexedDB."""
    return page.evaluate(
        """() => new Promise(resolve => {
            const open = indexedDB.open("couloir");
            open.onsuccess = () => {
                const all = open.result.transaction("outbox").objectStore("outbox").getAll();
                all.onsuccess = () => { open.result.close(); resolve(all.result); };
            };
        })"""
    )


def wait_for_service_worker(page) -> None:
    """Until the service worker controls the page (offline and push need it); says its state if it never does."""
    try:
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=PATIENCE_MS)
    except Exception as exc:
        state = page.evaluate(
            """() => navigator.serviceWorker.getRegistrations().then(rs => rs.map(r =>
                [r.scope, r.active && r.active.state, r.installing && r.installing.state,
                 r.waiting && r.waiting.state]))"""
        )
        raise AssertionError(f"no service worker controls {page.url}: {state}") from exc
