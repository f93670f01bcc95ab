"""Draw Couloir's app icons as PNG files, with no image library: an open ring (the hallway) around a dot
(you, checked in). Shapes are signed distance functions, so edges are anti-aliased.

    python3 pwa/scripts/make_icons.py        # writes pwa/public/icons/*.png (committed)
"""

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "public" / "icons"
BACKGROUND = (0x0B, 0x5D, 0x4B)
RING = (0xFF, 0xFF, 0xFF)
DOT = (0x7F, 0xD8, 0xBC)
GAP = math.radians(40)  # half the opening of the ring, facing right


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def coverage(distance: float) -> float:
    """A signed distance (in pixels, negative inside) to the share of the pixel covered."""
    return min(1.0, max(0.0, 0.5 - distance))


def rounded_square(x: float, y: float, size: float, radius: float) -> float:
    qx = abs(x - size / 2) - (size / 2 - radius)
    qy = abs(y - size / 2) - (size / 2 - radius)
    return math.hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - radius


def open_ring(x: float, y: float, radius: float, width: float) -> float:
    """An arc with round ends, open on the right."""
    angle = math.atan2(y, x)
    if abs(angle) > GAP:
        return abs(math.hypot(x, y) - radius) - width / 2
    ends = [(radius * math.cos(a), radius * math.sin(a)) for a in (GAP, -GAP)]
    return min(math.hypot(x - ex, y - ey) for ex, ey in ends) - width / 2


def blend(under: tuple, over: tuple, alpha: float) -> tuple:
    return tuple(round(u + (o - u) * alpha) for u, o in zip(under, over, strict=True))


def icon(size: int, *, full_bleed: bool, scale: float) -> bytes:
    """`scale`: the ring's outer diameter as a share of the icon (smaller for maskable safe zones)."""
    ring_width = size * scale * 0.16
    ring_radius = size * scale / 2 - ring_width / 2
    dot_radius = ring_width * 0.75
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            x, y = px + 0.5, py + 0.5
            alpha = 1.0 if full_bleed else coverage(rounded_square(x, y, size, size * 0.22))
            cx, cy = x - size / 2, y - size / 2
            color = blend(BACKGROUND, RING, coverage(open_ring(cx, cy, ring_radius, ring_width)))
            color = blend(color, DOT, coverage(math.hypot(cx, cy) - dot_radius))
            row += bytes((*color, round(alpha * 255)))
        rows.append(bytes(row))
    return png(size, size, rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icons = {
        "icon-192.png": icon(192, full_bleed=False, scale=0.62),
        "icon-512.png": icon(512, full_bleed=False, scale=0.62),
        # Maskable: the platform crops to a shape within the central 80 % circle.
        "maskable-512.png": icon(512, full_bleed=True, scale=0.5),
        # iOS rounds the corners itself and shows transparency as black.
        "apple-touch-icon.png": icon(180, full_bleed=True, scale=0.6),
    }
    for name, data in icons.items():
        (OUT / name).write_bytes(data)
        print(f"wrote {OUT / name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
