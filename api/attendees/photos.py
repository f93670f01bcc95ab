"""Attendees' photos: what a phone sends is decoded, cropped to a square, resized and re-encoded here, so what
is stored and served is a small JPEG with no metadata (no EXIF, no GPS, no camera serial).

Bounds. The upload is an ordinary request body, under the general cap (`Settings.max_body_bytes`): the app
shrinks the picture on the phone before sending it (pwa/src/features/profile/photo.ts), so hallway Wi-Fi
carries kilobytes, and no path for large bodies opens to attendees (whom the join code mints by the dozen).
A small file can still decode to a huge image (a "decompression bomb"): the pixel count is checked from the
header, before any pixel is decoded.
"""

import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from api.core.errors import CouloirError, InvalidInput

ACCEPTED_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# A 16-megapixel phone photo still passes; beyond, decoding alone would take tens of MB per request.
MAX_PIXELS = 4096 * 4096
SIDE = 256  # the square served: sharp on a phone's card at 2-3x, a few KB in a vCard
JPEG_QUALITY = 82
MEDIA_TYPE = "image/jpeg"


class UnsupportedPhotoType(CouloirError):
    status_code = 415
    default_detail = "A photo must be a JPEG, PNG or WebP image (Content-Type image/jpeg, image/png or image/webp)"


class UnreadablePhoto(InvalidInput):
    default_detail = "This file is not a readable JPEG, PNG or WebP image"


class PhotoTooLarge(InvalidInput):
    default_detail = f"This image has too many pixels: at most {MAX_PIXELS:,} (4096 × 4096)"


def processed(data: bytes, content_type: str | None) -> tuple[bytes, str]:
    """The photo as stored and served (JPEG bytes, its ETag) from what was sent, or a 4xx error."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in ACCEPTED_TYPES:
        raise UnsupportedPhotoType()
    if not data:
        raise UnreadablePhoto("The photo is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the declared format's decoder may read it: a TIFF or a PSD sent as image/png is refused.
            with Image.open(io.BytesIO(data), formats=[ACCEPTED_TYPES[declared]]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise PhotoTooLarge()
                # A JPEG can be decoded at a fraction of its size directly: less memory, less time.
                image.draft("RGB", (SIDE * 2, SIDE * 2))
                image.load()
                # Phones store "which way is up" in EXIF, which is dropped: turn the pixels first.
                upright = ImageOps.exif_transpose(image)
                square = ImageOps.fit(_rgb(upright), (SIDE, SIDE), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise (PhotoTooLarge() if "pixels" in str(exc) else UnreadablePhoto()) from None
    except (OSError, SyntaxError, ValueError, EOFError):  # truncated or corrupt data, as Pillow reports it
        raise UnreadablePhoto() from None
    out = io.BytesIO()
    # A new image, saved without exif=, icc_profile= or any info: nothing of the original's metadata remains.
    square.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    image_bytes = out.getvalue()
    return image_bytes, hashlib.sha256(image_bytes).hexdigest()[:32]


def _rgb(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: a transparent background becomes white, as on the card."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
