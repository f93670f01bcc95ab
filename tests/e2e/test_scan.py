"""The scan screen: camera asked for there only, a zone poster read through a fake camera, the QR
decoder loaded lazily, the manual code fallback, and a refused camera."""

from pathlib import Path

import pytest
import segno
from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import Session, select

from api.presence.models import CheckInRecord, Presence
from tests.e2e.browser import PHONE, eventually, launch, outbox_items, seed_session
from tests.factories import add_zone, join

WIDTH, HEIGHT = 640, 480


def write_y4m(path: Path, text: str, frames: int = 3) -> None:
    """A camera feed showing `text` as a QR code: Y plane from the QR matrix, neutral chroma (I420)."""
    rows = list(segno.make(text, error="m").matrix_iter(scale=1, border=4))
    scale = min(WIDTH, HEIGHT) * 8 // 10 // len(rows)
    left, top = (WIDTH - len(rows) * scale) // 2, (HEIGHT - len(rows) * scale) // 2
    luma = bytearray([255]) * (WIDTH * HEIGHT)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * WIDTH + left + x * scale
                    luma[start : start + scale] = bytes(scale)
    chroma = bytes([128]) * (WIDTH * HEIGHT // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F15:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)


def sign_in(context, app_server, event, name: str = "Scan Tester") -> dict:
    """Seeds a signed-in phone: join through the API, then hand the tokens to the app's storage."""
    joined = join(app_server, event["join_code"], name=name)
    seed_session(context, joined["tokens"])
    return joined


def check_ins_of(server, attendee_id: int) -> int:
    """Check-ins the server recorded for this attendee (one row per check-in, kept for the heatmap)."""
    with Session(server.engine) as session:
        return session.exec(
            select(func.count()).select_from(CheckInRecord).where(CheckInRecord.attendee_id == attendee_id)
        ).one()


@pytest.fixture
def zone(app_server, event) -> dict:
    return add_zone(app_server, event["organizer_token"], event["id"], "Coffee bar")


def camera_showing(playwright, text: str, tmp_path: Path):
    """A browser whose camera films a QR code of `text`."""
    feed = tmp_path / f"qr-{abs(hash(text))}.y4m"
    write_y4m(feed, text)
    return launch(
        playwright,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={feed}",
    )


def test_a_zone_poster_is_read_through_the_camera(playwright, app_server, event, zone, tmp_path):
    browser = camera_showing(playwright, zone["checkin_url"], tmp_path)
    context = browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url, permissions=["camera"])
    me = sign_in(context, app_server, event)["attendee"]
    page = context.new_page()
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if request.resource_type == "script" else None)

    page.goto("/here")
    expect(page.get_by_role("heading", name="Hello Scan Tester")).to_be_visible()
    assert not any("jsQR" in url for url in scripts), "the QR decoder must not load before the scan screen"

    page.get_by_role("link", name="Scan", exact=True).click()
    page.get_by_role("button", name="Turn on the camera").click()
    # Read, sent, and the Here screen shows the zone.
    expect(page.get_by_text("You're at Coffee bar")).to_be_visible()
    assert any("jsQR" in url for url in scripts)
    assert outbox_items(page) == []
    assert check_ins_of(app_server, me["id"]) == 1
    # The camera is off once the poster is read.
    page.get_by_role("link", name="Scan", exact=True).click()
    expect(page.get_by_role("button", name="Turn on the camera")).to_be_visible()
    browser.close()


def test_a_zone_link_opened_from_the_phone_camera_app(phone, app_server, event, zone):
    me = sign_in(phone, app_server, event)["attendee"]
    page = phone.new_page()
    page.goto(f"/z/{zone['checkin_token']}")
    expect(page.get_by_role("heading", name="Hello Scan Tester")).to_be_visible()
    expect(page.get_by_text("You're at Coffee bar")).to_be_visible()
    assert check_ins_of(app_server, me["id"]) == 1

    # "I'm leaving" ends the presence on the server.
    page.get_by_role("button", name="I'm leaving").click()
    expect(page.get_by_text("Scan a zone's poster to check in")).to_be_visible()

    def left() -> bool:
        with Session(app_server.engine) as session:
            return session.exec(select(Presence).where(Presence.attendee_id == me["id"])).first() is None

    eventually(left)


def test_refused_camera_leaves_the_manual_code(playwright, app_server, event, zone):
    # A camera exists, but the person says no (the prompt is dismissed without the camera permission).
    browser = launch(playwright, "--use-fake-device-for-media-stream")
    context = browser.new_context(**PHONE, locale="en-US", base_url=app_server.base_url)
    sign_in(context, app_server, event)
    page = context.new_page()
    page.goto("/scan")
    page.get_by_role("button", name="Turn on the camera").click()
    expect(page.get_by_role("alert")).to_contain_text("Camera access was refused")
    page.get_by_label("Zone code").fill(zone["code"].lower())
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("You're at Coffee bar")).to_be_visible()
    browser.close()


def test_an_unknown_zone_code_is_explained(phone, app_server, event, zone):
    sign_in(phone, app_server, event)
    page = phone.new_page()
    page.goto("/scan")
    page.get_by_label("Zone code").fill("ZZZZ9")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("alert")).to_have_text("This zone is unknown: scan its poster again, or type its code.")
    assert outbox_items(page) == []


def test_no_camera_leaves_the_manual_code(phone, app_server, event):
    sign_in(phone, app_server, event)
    page = phone.new_page()
    page.goto("/scan")
    page.get_by_role("button", name="Turn on the camera").click()
    expect(page.get_by_role("alert")).to_contain_text("No camera is available")
    expect(page.get_by_label("Zone code")).to_be_visible()
