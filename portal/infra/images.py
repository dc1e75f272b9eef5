"""Safe decoding and normalisation of customer image uploads.

Everything here takes the uploaded bytes and returns freshly encoded bytes, so
views stay thin and no customer metadata (EXIF, GPS, ICC, comments) survives.
Formats are recognised by content only; the filename is never consulted.
"""

from __future__ import annotations

import functools
import math
import re
import struct
import warnings
from collections.abc import Iterable, Mapping
from io import BytesIO
from typing import Any

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from portal.infra.decode_slots import in_decode_slot
from portal.infra.image_pixels import affine as _affine
from portal.infra.image_pixels import encode as _encode
from portal.infra.image_pixels import on_white as _on_white
from portal.infra.image_pixels import resizable as _resizable
from portal.infra.image_pixels import to_srgb as _to_srgb

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_PIXELS = 40_000_000
MAX_BYTES = 15 * 1024 * 1024
PHOTO_SIZE = (413, 531)
LOGO_SIZE = (354, 118)
# A photo may be enlarged at most 1.5x (200 dpi on the printed card); below that it prints blurred.
MIN_PHOTO_SHARE = 2 / 3

# Everything Pillow (or pillow_heif) raises for corrupt or hostile files.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    RuntimeError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)
# Quarter turns clockwise (as the user sees them) -> Pillow transposition.
_CLOCKWISE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


class ImageRejected(ValueError):
    """An upload we refuse. ``str(exc)`` is the translated user message; ``code`` is stable."""

    def __init__(self, message: Any, code: str = "unreadable") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


def _megapixels(pixels: float) -> str:
    """Megapixels written the reader's way (12.5 / 12,5; 400, not 400.0): Babel, in the page's language."""
    from babel.numbers import format_decimal
    from flask import has_request_context
    from flask_babel import get_locale

    locale = (get_locale() if has_request_context() else None) or "en"
    return format_decimal(round(pixels / 1e6, 1), format="#,##0.#", locale=locale)


def _too_many_pixels(pixels: int | None, max_pixels: int) -> ImageRejected:
    mp = _megapixels(pixels) if pixels else f"> {_megapixels(max_pixels)}"
    return ImageRejected(
        _l(
            "The picture is too large (%(mp)s megapixels). The limit is %(limit)s megapixels.",
            mp=mp,
            limit=_megapixels(max_pixels),
        ),
        "too_many_pixels",
    )


_DAMAGED = _l("The picture is damaged or incomplete. Please take or choose it again.")
_BAD_SETTINGS = _l("The crop or rotation settings are invalid. Please adjust the photo again.")


def _unreadable(formats: Iterable[str]) -> ImageRejected:
    if "HEIF" in formats:
        return ImageRejected(
            _l("This file is not a picture we can read. Please upload a JPEG, PNG, WebP or HEIC photo."), "unreadable"
        )
    return ImageRejected(_l("Upload the logo as PNG, JPEG or WebP."), "unreadable")


@functools.cache
def _ensure_heif() -> None:
    """Register the HEIC/HEIF opener on first use only (it loads libheif); repeats are harmless."""
    import pillow_heif

    pillow_heif.register_heif_opener()


def _open(data: bytes, allowed: Iterable[str], max_pixels: int, max_bytes: int) -> Image.Image:
    """Identify the image from its header and enforce size limits, without decoding pixels."""
    if not data:
        raise ImageRejected(_l("The file is empty."), "empty")
    if len(data) > max_bytes:
        raise ImageRejected(
            _l("The file is too large (max %(mb)s MB).", mb=f"{max_bytes / 1024 / 1024:g}"), "too_large"
        )
    formats = [f.upper() for f in allowed]
    if "HEIF" in formats:
        _ensure_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(int(found.group(1)) if found else None, max_pixels) from exc
    except UnidentifiedImageError as exc:
        raise _unreadable(formats) from exc
    except _DECODE_ERRORS as exc:
        raise ImageRejected(_DAMAGED, "damaged") from exc
    width, height = img.size
    if width < 1 or height < 1:
        raise ImageRejected(_DAMAGED, "damaged")
    if width * height > max_pixels:
        raise _too_many_pixels(width * height, max_pixels)
    return img


def _draft(img: Image.Image, reduce: float) -> None:
    """Let a JPEG decode at 1/2, 1/4 or 1/8 of its size (4-64x less work), never below 1/``reduce``."""
    if img.format == "JPEG" and reduce >= 2:
        img.draft("RGB", (math.ceil(img.width / reduce), math.ceil(img.height / reduce)))


def _load(img: Image.Image) -> Image.Image:
    """Decode the pixels; truncated or corrupt data becomes ImageRejected."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img.load()
    except _DECODE_ERRORS as exc:
        raise ImageRejected(_DAMAGED, "damaged") from exc
    return img


def open_upload(
    data: bytes,
    *,
    allowed: Iterable[str] = PHOTO_FORMATS,
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_BYTES,
    draft_size: tuple[int, int] | None = None,
) -> Image.Image:
    """Open and fully decode an upload, refusing anything unsafe or unreadable.

    ``draft_size`` lets JPEGs decode at a reduced scale (never below that size) for speed.
    """
    img = _open(data, allowed, max_pixels, max_bytes)
    if draft_size and img.format == "JPEG":
        img.draft("RGB", (max(1, draft_size[0]), max(1, draft_size[1])))
    return _load(img)


def _orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(0x0112, 1))
    except (*_DECODE_ERRORS, TypeError, KeyError):  # broken EXIF only costs the draft speed-up
        return 1


def _orient(img: Image.Image, quarter: int = 0) -> Image.Image:
    """Apply the camera's EXIF orientation, then the user's clockwise quarter turns."""
    try:
        ImageOps.exif_transpose(img, in_place=True)
    except _DECODE_ERRORS:
        pass  # unreadable EXIF: keep the pixels as stored
    return img.transpose(_CLOCKWISE[quarter]) if quarter else img


def _quarter_turns(rotate: Any) -> int:
    """Accept 90, -90, 270.0 or "180" from the browser; anything not a quarter turn is refused."""
    try:
        value = float(rotate)
    except (TypeError, ValueError) as exc:
        raise ImageRejected(_BAD_SETTINGS, "bad_settings") from exc
    if not value.is_integer() or value % 90:
        raise ImageRejected(_BAD_SETTINGS, "bad_settings")
    return int(value) % 360


def _parse_crop(crop: Mapping[str, Any] | None) -> tuple[float, float, float, float] | None:
    """Validate the browser cropper's {x, y, width, height}; empty means "no crop"."""
    if not crop:
        return None
    try:
        box = tuple(float(crop[k]) for k in ("x", "y", "width", "height"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ImageRejected(_BAD_SETTINGS, "bad_settings") from exc
    if not all(math.isfinite(v) for v in box) or box[2] <= 0 or box[3] <= 0:
        raise ImageRejected(_BAD_SETTINGS, "bad_settings")
    return box  # type: ignore[return-value]


def _fit_box(
    box: tuple[float, float, float, float] | None, dims: tuple[int, int], size: tuple[int, int]
) -> tuple[float, float, float, float]:
    """Clamp the crop to the image and trim it (centred) to the target aspect, so faces never stretch."""
    w, h = dims
    x, y, bw, bh = box or (0.0, 0.0, float(w), float(h))
    x0, y0, x1, y1 = max(0.0, x), max(0.0, y), min(float(w), x + bw), min(float(h), y + bh)
    if x1 - x0 < 1 or y1 - y0 < 1:  # nothing of the image selected: fall back to centre
        x0, y0, x1, y1 = 0.0, 0.0, float(w), float(h)
    aspect = size[0] / size[1]
    if (x1 - x0) / (y1 - y0) > aspect:
        trim = (x1 - x0) - (y1 - y0) * aspect
        x0, x1 = x0 + trim / 2, x1 - trim / 2
    else:
        trim = (y1 - y0) - (x1 - x0) / aspect
        y0, y1 = y0 + trim / 2, y1 - trim / 2
    return x0, y0, x1, y1


def min_photo_size(size: tuple[int, int] = PHOTO_SIZE) -> tuple[int, int]:
    """The smallest picture (or selected part of one) that prints sharp enough at ``size``."""
    return math.ceil(size[0] * MIN_PHOTO_SHARE), math.ceil(size[1] * MIN_PHOTO_SHARE)


def _check_enough_pixels(width: float, height: float, size: tuple[int, int]) -> None:
    need = min_photo_size(size)
    if round(width) < need[0] or round(height) < need[1]:
        raise ImageRejected(_l(
            "The photo is too small: the part used for the card is %(width)d x %(height)d pixels, and the card "
            "needs at least %(min_width)d x %(min_height)d pixels or it prints blurred. Choose a larger photo or a "
            "larger part of it.",
            width=round(width), height=round(height), min_width=need[0], min_height=need[1]), "too_small")


@in_decode_slot
def normalise_photo(
    data: bytes, *, size: tuple[int, int] = PHOTO_SIZE, crop: Mapping[str, Any] | None = None,
    rotate: int | str = 0, check_size: bool = True,
) -> bytes:
    """Turn an uploaded photo into the card's exact-size, metadata-free RGB JPEG.

    ``rotate`` is clockwise degrees as seen on screen; ``crop`` is the cropper's box in
    pixels of the full-size, oriented and rotated image. Without a crop we centre-crop.
    A card photo smaller than ``min_photo_size(size)`` is refused (``check_size=False`` for thumbnails).
    """
    quarter = _quarter_turns(rotate)
    box = _parse_crop(crop)
    img = _open(data, PHOTO_FORMATS, MAX_PIXELS, MAX_BYTES)
    raw = img.size
    if img.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 while keeping >= the target's pixels per side
        swapped = (_orientation(img) in (5, 6, 7, 8)) != (quarter in (90, 270))
        x0, y0, x1, y1 = _fit_box(box, (raw[1], raw[0]) if swapped else raw, size)
        # libjpeg's scaled decode filters like an area average, so the LANCZOS after it may be short:
        # a 1,600 px phone upload decodes at 1/2 (4x fewer pixels to decode and to resize).
        _draft(img, min((x1 - x0) / size[0], (y1 - y0) / size[1]))
    loaded = img.size
    img = _orient(_load(img), quarter)
    fx, fy = loaded[0] / raw[0], loaded[1] / raw[1]
    if img.size != loaded:
        fx, fy = fy, fx
    return crop_decoded(img, (fx, fy), size=size, crop=crop, check_size=check_size)


def crop_decoded(img: Image.Image, scale: tuple[float, float], *, size: tuple[int, int] = PHOTO_SIZE,
                 crop: Mapping[str, Any] | None = None, check_size: bool = True) -> bytes:
    """``normalise_photo`` for a photo already decoded and turned upright at ``scale`` (decoded pixels per
    pixel of the full photo, across and down); ``crop`` in pixels of the full photo, centred without."""
    fx, fy = scale
    box = _parse_crop(crop)
    if box:
        box = (box[0] * fx, box[1] * fy, box[2] * fx, box[3] * fy)
    region = _fit_box(box, img.size, size)
    if check_size:
        _check_enough_pixels((region[2] - region[0]) / fx, (region[3] - region[1]) / fy, size)
    ratio, k = min((region[2] - region[0]) / size[0], (region[3] - region[1]) / size[1]), 1
    while ratio >= 2 * k:  # halve by averaging while the crop keeps the card's pixels (as a reduced JPEG decode)
        k *= 2
    if k > 1:
        img = _resizable(img).reduce(k)
        region = tuple(v / k for v in region)
    img = _resizable(img)
    if img.mode in ("RGB", "L") and "transparency" not in img.info:
        # Less than 2x left to shrink: bilinear sampling is within 42 dB of LANCZOS here, at a third of the cost.
        x0, y0, x1, y1 = region
        out = _affine(img, size, ((x1 - x0) / size[0], 0, x0, 0, (y1 - y0) / size[1], y0))
    else:
        out = img.resize(size, Image.Resampling.LANCZOS, box=region, reducing_gap=3.0)
    return _encode(_on_white(_to_srgb(out)), "JPEG", quality=88, optimize=True)


def thumbnail_jpeg(data: bytes, size: tuple[int, int] = (120, 154)) -> bytes:
    """Small centre-cropped JPEG for lists and previews."""
    return normalise_photo(data, size=size, check_size=False)


@in_decode_slot
def preview_jpeg(data: bytes, max_side: int = 1600) -> tuple[bytes, tuple[int, int]]:
    """A JPEG a browser can show of any photo we accept (HEIC included), turned as the camera held it,
    at most `max_side` px; with the size of the full photo so turned (the crop box is in its pixels).
    A big JPEG decodes at 1/2, 1/4 or 1/8 (never below `max_side`): the full photo is never in memory."""
    img = _open(data, PHOTO_FORMATS, MAX_PIXELS, MAX_BYTES)
    raw = img.size
    _draft(img, max(raw) / max_side)
    loaded = img.size
    img = _orient(_load(img))
    full = raw if img.size == loaded else (raw[1], raw[0])
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _encode(_on_white(_to_srgb(img)), "JPEG", quality=85), full


def _is_colour(img: Image.Image) -> bool:
    """True when any visible pixel's channel spread (max - min of r, g, b) exceeds 24."""
    r, g, b, a = img.convert("RGBA").split()
    high = ImageChops.lighter(ImageChops.lighter(r, g), b)
    low = ImageChops.darker(ImageChops.darker(r, g), b)
    coloured = ImageChops.subtract(high, low).point(lambda v: 255 if v > 24 else 0)
    visible = a.point(lambda v: 255 if v > 0 else 0)
    return ImageChops.darker(coloured, visible).getbbox() is not None


def min_logo_size(size: tuple[int, int] = LOGO_SIZE) -> tuple[int, int]:
    """A logo fitted to the frame may be enlarged at most 1.5x: it needs this width or this height."""
    return math.ceil(size[0] * MIN_PHOTO_SHARE), math.ceil(size[1] * MIN_PHOTO_SHARE)


def _check_logo(dims: tuple[int, int], size: tuple[int, int], fit: bool) -> None:
    width, height = dims
    need = min_logo_size(size)
    if width < need[0] and height < need[1]:
        raise ImageRejected(_l(
            "The logo is too small (%(width)d x %(height)d pixels) and would print blurred: the card's frame is "
            "%(frame_width)d x %(frame_height)d pixels, so the logo needs at least %(min_width)d pixels across or "
            "%(min_height)d pixels high.", width=width, height=height, frame_width=size[0], frame_height=size[1],
            min_width=need[0], min_height=need[1]), "logo_too_small")
    ratio = (width / height) / (size[0] / size[1])
    if not fit and not 0.9 <= ratio <= 1.1:
        raise ImageRejected(_l(
            "The logo is %(width)d x %(height)d pixels; the card's frame is %(frame_width)d x %(frame_height)d "
            "(3 : 1). It can be fitted with empty space around it: tick \"Fit the logo to the frame\" and upload it "
            "again, or upload a logo with the frame's proportions.", width=width, height=height,
            frame_width=size[0], frame_height=size[1]), "logo_needs_fit")


def normalise_logo(data: bytes, size: tuple[int, int] = LOGO_SIZE, *, fit: bool = True) -> tuple[bytes, bool]:
    """Fit a customer logo into the card's logo slot on a transparent canvas.

    Refuses a logo too small to print sharp, and (unless ``fit``) one whose proportions need padding.
    Returns the PNG and whether the logo uses colour (greyscale logos can print mono).
    """
    img = _orient(open_upload(data, allowed=LOGO_FORMATS, draft_size=size))
    _check_logo(img.size, size, fit)
    img = _to_srgb(_resizable(img)).convert("RGBA")
    fitted = ImageOps.contain(img, size, Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    canvas.paste(fitted, ((size[0] - fitted.width) // 2, (size[1] - fitted.height) // 2))
    return _encode(canvas, "PNG", optimize=True), _is_colour(canvas)


def normalise_picture(
    data: bytes, max_size: tuple[int, int] = (1200, 1200), allowed: Iterable[str] = LOGO_FORMATS
) -> bytes:
    """Shrink a login-page picture to fit ``max_size`` (never enlarged), as a clean PNG."""
    longest = max(max_size)
    img = _orient(open_upload(data, allowed=allowed, draft_size=(longest, longest)))
    img = _to_srgb(_resizable(img))
    img = img.convert("RGBA" if "A" in img.mode else "RGB")
    img.thumbnail(max_size, Image.Resampling.LANCZOS)
    return _encode(img, "PNG", optimize=True)


def clean_copy(data: bytes, *, allowed: Iterable[str] = ("PNG", "JPEG"), max_bytes: int = MAX_BYTES) -> bytes:
    """The same picture re-encoded in its own format without metadata (EXIF, GPS, comments).

    For files kept as they are (customer resources, request attachments): decoding proves the file
    is whole and within the pixel limit, re-encoding drops whatever rode along in its metadata.
    """
    img = open_upload(data, allowed=allowed, max_bytes=max_bytes)
    fmt = img.format or "PNG"
    if fmt == "JPEG":
        return _encode(img.convert("RGB") if img.mode not in ("RGB", "L") else img, "JPEG", quality=92)
    return _encode(img, fmt, optimize=True)
