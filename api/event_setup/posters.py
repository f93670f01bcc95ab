"""Zone posters: a large QR of the zone's check-in URL, the zone's name, its manual code and a one-line
invitation in French and English. Drawn in millimetres on an A4 page (A5 has the same proportions).

Each poster shows its version: the first characters of a hash of the zone's check-in token. Rotating
the token changes it, so a printed poster whose version differs from the one served now is outdated.
"""

import hashlib
import io
import math
import re
from html import escape

import segno

from api.event_setup.schemas import PosterSize
from api.events.models import Event, Zone
from api.events.service import fold

WIDTH, HEIGHT = 210, 297  # mm
QR_SIZE = 150  # mm: scannable from a few metres
PAGE_SIZES = {PosterSize.A4: ("210mm", "297mm"), PosterSize.A5: ("148mm", "210mm")}
INVITATION_FR = "Vous êtes ici ? Scannez, et rencontrez qui partage vos sujets."
INVITATION_EN = "Here? Scan, and meet people who share your topics."
NO_CAMERA = "Pas de caméra ? Saisissez ce code dans Couloir · No camera? Type this code in Couloir"


def checkin_url(base_url: str, zone: Zone) -> str:
    return f"{base_url}/z/{zone.checkin_token}"


def poster_version(zones: list[Zone]) -> str:
    """Changes when any of these zones' tokens is rotated (or, for several, when a zone comes or goes)."""
    material = "\n".join(f"{z.id}:{z.checkin_token}" for z in sorted(zones, key=lambda z: z.id))
    return hashlib.sha256(material.encode()).hexdigest()[:8]


def file_name(zone: Zone, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(zone.name)).strip("-") or f"zone-{zone.id}"
    return f"poster-{slug}.{extension}"


def _qr(url: str) -> segno.QRCode:
    # Level M at least (segno raises it when the symbol size allows): a poster gets creased and glared.
    return segno.make_qr(url, error="m")


def qr_png(url: str) -> bytes:
    """The QR alone, for organizers who lay out their own posters."""
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=16, border=4)
    return buffer.getvalue()


def _qr_path(url: str) -> tuple[str, int]:
    """The dark modules as one path of filled rows (no hairline seams in print), and the symbol's size."""
    rows = [tuple(row) for row in _qr(url).matrix_iter(scale=1, border=4)]  # segno yields tuples, typed Iterable
    parts = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                run = x
                while run < len(row) and row[run]:
                    run += 1
                parts.append(f"M{x} {y}h{run - x}v1h{x - run}z")
                x = run
            else:
                x += 1
    return "".join(parts), len(rows)


def _fitted_size(text: str, largest: float, width: float = 190) -> float:
    # About 0.6 em per character in a sans-serif: long names shrink to stay on one line.
    return math.floor(min(largest, width / (0.6 * max(len(text), 1))) * 100) / 100


def poster_svg(event: Event, zone: Zone, base_url: str, *, standalone: bool = True) -> str:
    """The poster as SVG; `standalone` adds the XML declaration and size of a downloadable file."""
    path, modules = _qr_path(checkin_url(base_url, zone))
    scale = QR_SIZE / modules
    qr_x, qr_y = (WIDTH - QR_SIZE) / 2, 58
    name, event_name = escape(zone.name), escape(event.name)
    size = ' width="210mm" height="297mm"' if standalone else ""
    lines = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"{size} '
            f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" text-anchor="middle">'
        ),
        f"<title>Couloir · {name}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="105" y="24" font-size="{_fitted_size(event.name, 8)}" fill="#555">{event_name}</text>',
        f'<text x="105" y="45" font-size="{_fitted_size(zone.name, 18)}" font-weight="700">{name}</text>',
        f'<path class="qr" transform="translate({qr_x} {qr_y}) scale({scale:.6f})" fill="#000" d="{path}"/>',
        f'<text x="105" y="226" font-size="6">{escape(INVITATION_FR)}</text>',
        f'<text x="105" y="236" font-size="6" fill="#444" font-style="italic">{escape(INVITATION_EN)}</text>',
        (
            f'<text x="105" y="262" font-size="16" font-weight="700" letter-spacing="3" '
            f'font-family="ui-monospace, Menlo, Consolas, monospace">{escape(zone.code)}</text>'
        ),
        f'<text x="105" y="272" font-size="3.6" fill="#555">{escape(NO_CAMERA)}</text>',
        f'<text x="105" y="290" font-size="3" fill="#888">Couloir · poster {poster_version([zone])}</text>',
        "</svg>",
    ]
    svg = "\n".join(lines)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{svg}\n' if standalone else svg


def posters_html(event: Event, zones: list[Zone], base_url: str, size: PosterSize) -> str:
    """Every zone's poster, one per page, ready for the browser's "Print" (or "Save as PDF")."""
    width, height = PAGE_SIZES[size]
    pages = "\n".join(
        f'<section class="page" aria-label="{escape(zone.name)}">{poster_svg(event, zone, base_url, standalone=False)}'
        f"</section>"
        for zone in zones
    )
    empty = "<p>No zones yet: add the event's zones, then print their posters.</p>" if not zones else ""
    return f"""<!doctype html>
<html lang="{escape(event.languages[0])}">
<head>
<meta charset="utf-8">
<title>Posters · {escape(event.name)}</title>
<style>
@page {{ size: {size.value}; margin: 0; }}
html, body {{ margin: 0; }}
.page {{ width: {width}; height: {height}; break-after: page; page-break-after: always; overflow: hidden; }}
.page:last-child {{ break-after: auto; page-break-after: auto; }}
.page svg {{ display: block; width: 100%; height: 100%; }}
@media screen {{
  body {{ background: #ddd; padding: 1rem 0; font-family: system-ui, sans-serif; }}
  .page {{ background: #fff; margin: 0 auto 1rem; box-shadow: 0 1px 4px rgba(0, 0, 0, .3); }}
}}
</style>
</head>
<body>
{pages}{empty}
</body>
</html>
"""
