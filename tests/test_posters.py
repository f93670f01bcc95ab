"""Zone posters: the QR they carry decodes to the zone's check-in URL, and rotation changes it."""

import io
import re
from xml.etree import ElementTree

import pytest
import zxingcpp
from PIL import Image

from tests import factories

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert(1)</script> & "Bar"'


@pytest.fixture
def venue(srv):
    token = factories.organizer_token(srv)
    event = factories.create_event(srv, token, name="Rhône Platform Days")
    coffee = factories.add_zone(srv, token, event["id"], "Coffee bar", "coffee")
    return {"token": token, "event": event, "coffee": coffee}


def get(srv, token, path: str, **params):
    with srv.client(token) as client:
        response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response


def decode_svg_qr(svg: ElementTree.Element) -> str:
    """Rasterize the poster's QR path (rows of filled runs, in modules) and read it like a phone would."""
    path = svg.find(f".//{SVG}path[@class='qr']")
    runs = [tuple(map(int, m)) for m in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path.get("d"))]
    assert "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in runs) == path.get("d"), "unexpected path syntax"
    modules = max(y for _, y, _ in runs) + 1 + 4  # the last dark row, plus the quiet zone below
    px = 6
    image = bytearray([255]) * (modules * px) ** 2
    for x, y, n in runs:
        for row in range(y * px, (y + 1) * px):
            start = row * modules * px + x * px
            image[start : start + n * px] = bytes(n * px)
    results = zxingcpp.read_barcodes(memoryview(image).cast("B", (modules * px, modules * px)))
    assert len(results) == 1
    return results[0].text


def decode_png(content: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(content)))
    assert len(results) == 1
    return results[0].text


def test_svg_poster_encodes_the_zones_checkin_url(srv, venue):
    event_id, coffee = venue["event"]["id"], venue["coffee"]
    response = get(srv, venue["token"], f"/api/events/{event_id}/zones/{coffee['id']}/poster.svg")
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "private, no-store"
    assert 'filename="poster-coffee-bar.svg"' in response.headers["content-disposition"]
    svg = ElementTree.fromstring(response.content)
    assert (svg.get("width"), svg.get("height")) == ("210mm", "297mm")
    assert decode_svg_qr(svg) == coffee["checkin_url"] == f"{srv.base_url}/z/{coffee['checkin_token']}"
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "Coffee bar" in texts and "Rhône Platform Days" in texts and coffee["code"] in texts
    assert any(t.startswith("Vous êtes ici ?") for t in texts)
    assert any(t.startswith("Here? Scan") for t in texts)
    # The version printed on the poster is the one in the header.
    version = response.headers["poster-version"]
    assert re.fullmatch(r"[0-9a-f]{8}", version) and f"Couloir · poster {version}" in texts


def test_png_qr_encodes_the_zones_checkin_url(srv, venue):
    event_id, coffee = venue["event"]["id"], venue["coffee"]
    response = get(srv, venue["token"], f"/api/events/{event_id}/zones/{coffee['id']}/poster.png")
    assert response.headers["content-type"] == "image/png"
    assert decode_png(response.content) == coffee["checkin_url"]


def test_rotating_the_token_changes_what_the_poster_encodes(srv, venue):
    event_id, coffee = venue["event"]["id"], venue["coffee"]
    base = f"/api/events/{event_id}/zones/{coffee['id']}"
    before = get(srv, venue["token"], f"{base}/poster.png")
    with srv.client(venue["token"]) as client:
        rotated = client.post(f"{base}/rotate-token").json()
    after_png = get(srv, venue["token"], f"{base}/poster.png")
    after_svg = get(srv, venue["token"], f"{base}/poster.svg")
    assert decode_png(after_png.content) == rotated["checkin_url"] != coffee["checkin_url"]
    assert decode_svg_qr(ElementTree.fromstring(after_svg.content)) == rotated["checkin_url"]
    assert rotated["code"] in after_svg.text
    # The UI compares versions to warn that posters printed before no longer work.
    assert after_png.headers["poster-version"] == after_svg.headers["poster-version"]
    assert after_png.headers["poster-version"] != before.headers["poster-version"]


def test_print_all_is_one_page_per_zone_with_escaped_names(srv, venue):
    event_id = venue["event"]["id"]
    nasty = factories.add_zone(srv, venue["token"], event_id, NASTY, "lounge")
    response = get(srv, venue["token"], f"/api/events/{event_id}/posters")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert "@page { size: A4; margin: 0; }" in html
    assert NASTY not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Bar&quot;" in html
    pages = re.findall(r'<section class="page"[^>]*>(.*?)</section>', html, re.DOTALL)
    assert len(pages) == 2
    decoded = sorted(decode_svg_qr(ElementTree.fromstring(page)) for page in pages)
    assert decoded == sorted([venue["coffee"]["checkin_url"], nasty["checkin_url"]])
    names = {"".join(t.itertext()) for page in pages for t in ElementTree.fromstring(page).iter(f"{SVG}text")}
    assert NASTY in names  # escaped in the markup, intact once read

    a5 = get(srv, venue["token"], f"/api/events/{event_id}/posters", size="A5")
    assert "@page { size: A5; margin: 0; }" in a5.text and "width: 148mm; height: 210mm" in a5.text
    with srv.client(venue["token"]) as client:
        assert client.get(f"/api/events/{event_id}/posters", params={"size": "A3"}).status_code == 422


def test_print_all_version_changes_with_any_rotation(srv, venue):
    event_id = venue["event"]["id"]
    lounge = factories.add_zone(srv, venue["token"], event_id, "Lounge", "lounge")
    before = get(srv, venue["token"], f"/api/events/{event_id}/posters").headers["poster-version"]
    assert get(srv, venue["token"], f"/api/events/{event_id}/posters").headers["poster-version"] == before
    with srv.client(venue["token"]) as client:
        client.post(f"/api/events/{event_id}/zones/{lounge['id']}/rotate-token")
    assert get(srv, venue["token"], f"/api/events/{event_id}/posters").headers["poster-version"] != before


def test_a_long_zone_name_still_fits_and_the_svg_is_well_formed(srv, venue):
    name = "Table des exposants — allée B, à gauche de l'escalier & près du vestiaire, face aux ascenseurs"
    zone = factories.add_zone(srv, venue["token"], venue["event"]["id"], name, "exhibitor_table")
    response = get(srv, venue["token"], f"/api/events/{venue['event']['id']}/zones/{zone['id']}/poster.svg")
    svg = ElementTree.fromstring(response.content)
    title = next(t for t in svg.iter(f"{SVG}text") if "".join(t.itertext()) == zone["name"])
    assert float(title.get("font-size")) * 0.6 * len(zone["name"]) <= 190
