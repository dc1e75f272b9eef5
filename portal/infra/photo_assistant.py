"""Photo assistant: find the face, frame it the way ID photos are framed, and say what is wrong with the photo.

The face and the eyes are found by ``portal.infra.face_finder`` (OpenCV's cascades, local only; the thresholds
live there) on a small grey copy. Decoding goes through ``portal.infra.images`` (content-checked, size-limited,
EXIF applied); big JPEGs decode at a reduced scale (``Image.draft``), a whole original only once.

``check_photo`` gives the findings and the suggested crop (for the browser's cropper); ``assist_photo``
returns the card's JPEG (face centred, eyes at ``EYE_LINE`` from the top, eye line levelled) and findings.
Finding codes are stable (stored with the photo); ``finding_messages`` turns them into the reader's words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from PIL import Image

from portal.infra import image_pixels, images
from portal.infra.decode_slots import in_decode_slot
from portal.infra.face_finder import THRESHOLDS, _cv2, _detect, _eye_angle, _eyes, _light, _sharpness

MESSAGES = {
    "no_face": _l("We could not find a face. Take the photo straight from the front, with your whole face "
                  "in the picture."),
    "many_faces": _l("There is more than one face in the photo. Take a photo of only yourself."),
    "too_small": _l("Your face is too small in the photo. Come closer to the camera, or ask someone to take "
                    "the photo from about an arm's length."),
    "blurred": _l("The photo is blurred. Hold the phone still, let it focus on your face and take it again."),
    "too_dark": _l("The photo is too dark. Stand facing a window or a lamp and take it again."),
    "too_bright": _l("The photo is too bright. Move away from direct sunlight or flash and take it again."),
    "backlit": _l("The light comes from behind you. Turn so that the light falls on your face."),
    "tilted": _l("Your head is tilted. Hold your head straight and look into the camera."),
    "eyes_hidden": _l("We cannot see your eyes. Take off sunglasses and make sure nothing covers your eyes."),
}
CODES = tuple(MESSAGES)


def finding_messages(codes: Iterable[str] | None) -> list[str]:
    """The findings in the reader's language (unknown codes are skipped)."""
    return [str(MESSAGES[c]) for c in (codes or ()) if c in MESSAGES]


@dataclass
class Advice:
    """What the assistant found on the oriented photo (pixels of the full-size photo, turned upright)."""

    findings: list[str]
    size: tuple[int, int]
    face: tuple[float, float, float, float] | None = None  # x, y, w, h
    eyes: tuple[tuple[float, float], tuple[float, float]] | None = None
    angle: float = 0.0  # degrees the eye line rises to the right (levelled by rotating back)
    crop: dict[str, float] | None = field(default=None)  # the suggested crop box for the cropper


def _small_grey(data: bytes, rotate: int | str = 0) -> tuple[Any, tuple[int, int]]:
    """A small grey copy of the photo turned upright (EXIF, then the user's quarter turns), for detection;
    with the size of the full photo so turned. Big JPEGs decode at 1/2 .. 1/8 scale, grey only."""
    import numpy as np

    quarter = images._quarter_turns(rotate)
    img = images._open(data, images.PHOTO_FORMATS, images.MAX_PIXELS, images.MAX_BYTES)
    raw = img.size
    swapped = (images._orientation(img) in (5, 6, 7, 8)) != (quarter in (90, 270))
    side = int(THRESHOLDS["analyse_side"])
    if img.format == "JPEG":
        img.draft("L", (math.ceil(raw[0] * side / max(raw)), math.ceil(raw[1] * side / max(raw))))
    img = images._load(img)
    if img.mode != "L":
        img = images._on_white(images._resizable(img)).convert("L")
    img.thumbnail((side, side), Image.Resampling.BILINEAR)  # before turning: the EXIF stays on the copy
    img = images._orient(img, quarter)
    full = (raw[1], raw[0]) if swapped else raw
    return np.asarray(img), full


def _decoded_upright(data: bytes, rotate: int | str = 0) -> tuple[Image.Image, tuple[int, int]] | None:
    """A JPEG decoded once, turned upright, at 1/2 .. 1/8 of its size but at least ``preview_side`` pixels on
    its longest side, with the size of the full photo so turned: what both the assistant's look and the
    framing use when a whole photo arrives (a phone without JavaScript, the order form, the API). None for
    other formats and colour modes, and for photos too small to decode reduced (they take the two-step way)."""
    img = images._open(data, images.PHOTO_FORMATS, images.MAX_PIXELS, images.MAX_BYTES)
    raw = img.size
    if img.format != "JPEG" or img.mode not in ("RGB", "L") or max(raw) < 2 * THRESHOLDS["preview_side"]:
        return None  # a 1,600 px copy: its grey look decodes at 1/2, the framing at full size
    swapped = (images._orientation(img) in (5, 6, 7, 8)) != (images._quarter_turns(rotate) in (90, 270))
    images._draft(img, max(raw) / THRESHOLDS["preview_side"])
    img = images._orient(images._load(img), images._quarter_turns(rotate))
    return img, ((raw[1], raw[0]) if swapped else raw)  # an ICC profile goes to sRGB when framed or cropped


def _grey_of(img: Image.Image) -> Any:
    """The grey copy ``analyse_side`` pixels long that the assistant looks at, of a photo decoded upright."""
    import numpy as np

    side = int(THRESHOLDS["analyse_side"])
    if img.mode in ("RGB", "L"):  # grey, then OpenCV's area average down to size (half the time of Pillow's)
        cv2 = _cv2()
        grey = np.asarray(img.convert("L") if img.mode != "L" else img)
        k = min(1.0, side / max(img.size))
        if k < 1:
            grey = cv2.resize(grey, (max(1, round(img.width * k)), max(1, round(img.height * k))),
                              interpolation=cv2.INTER_AREA)
        return grey
    small = img.reduce(max(1, max(img.size) // side))  # box average: cheap, and no aliasing
    small = small.convert("L") if small.mode != "L" else small
    small.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.asarray(small)


def _frame(advice: Advice, size: tuple[int, int]) -> tuple[float, float, float, float, float]:
    """Centre (x, y), width and height (full-photo pixels) of the ideal frame, and its tilt in degrees."""
    assert advice.face is not None
    x, y, w, h = advice.face
    if advice.eyes:
        (ax, ay), (bx, by) = advice.eyes
        eye_x, eye_y = (ax + bx) / 2, (ay + by) / 2
    else:
        eye_x, eye_y = x + w / 2, y + h * THRESHOLDS["eye_in_box"]
    frame_h = h * THRESHOLDS["head_per_face_box"] / THRESHOLDS["head_height"]
    frame_w = frame_h * size[0] / size[1]
    centre_y = eye_y + frame_h * (0.5 - THRESHOLDS["eye_line"])
    angle = advice.angle if abs(advice.angle) <= THRESHOLDS["level_max"] else 0.0
    return eye_x, centre_y, frame_w, frame_h, angle


def _inside(cx: float, cy: float, fw: float, fh: float, dims: tuple[int, int]) -> dict[str, float]:
    """The frame as an axis-aligned box moved (and if need be shrunk) to lie inside the photo."""
    w, h = dims
    shrink = min(1.0, w / fw, h / fh)
    fw, fh = fw * shrink, fh * shrink
    x0 = min(max(0.0, cx - fw / 2), w - fw)
    y0 = min(max(0.0, cy - fh / 2), h - fh)
    return {"x": round(x0, 2), "y": round(y0, 2), "width": round(fw, 2), "height": round(fh, 2)}


def _analyse(small: Any, full: tuple[int, int], size: tuple[int, int]) -> Advice:
    cv2 = _cv2()

    k = small.shape[1] / full[0]  # detection pixels per full-photo pixel
    faces = _detect(small)
    grey = cv2.equalizeHist(small)
    if not faces:
        return Advice(["no_face"], full)
    faces.sort(key=lambda f: f[2] * f[3], reverse=True)
    findings = []
    main = faces[0]
    if any(f[3] >= main[3] * 0.5 for f in faces[1:]):
        findings.append("many_faces")
    eyes = _eyes(grey, main) if main[3] >= THRESHOLDS["eyes_min_face_px"] else None
    angle = _eye_angle(grey, main, eyes) if eyes else 0.0
    if eyes:
        if abs(angle) > THRESHOLDS["tilt_warn"]:
            findings.append("tilted")
    elif main[3] >= THRESHOLDS["eyes_min_face_px"]:
        findings.append("eyes_hidden")
    head_px = main[3] / k * THRESHOLDS["head_per_face_box"]
    if main[3] / small.shape[0] < THRESHOLDS["face_too_small"] or (
            head_px / THRESHOLDS["head_height"] < images.min_photo_size(size)[1]):
        findings.append("too_small")
    findings += _light(small, main)
    if _sharpness(small, main) < THRESHOLDS["blur_min"]:
        findings.append("blurred")
    if "eyes_hidden" in findings and ({"too_dark", "too_bright", "backlit", "blurred"} & set(findings)):
        findings.remove("eyes_hidden")  # the light or the blur is the thing to fix first
    advice = Advice([c for c in CODES if c in findings], full, face=tuple(v / k for v in main),
                    eyes=tuple((px / k, py / k) for px, py in eyes) if eyes else None, angle=angle)
    cx, cy, fw, fh, _angle = _frame(advice, size)
    advice.crop = _inside(cx, cy, fw, fh, full)
    return advice


def check_photo(data: bytes, *, size: tuple[int, int] = images.PHOTO_SIZE, rotate: int | str = 0,
                original: tuple[int, int] | None = None) -> Advice:
    """The findings and suggested crop for an upload; ImageRejected for what ``images`` refuses.

    ``original``: the upload is a small upright copy (the phone page sends ``analyse_side`` pixels for the
    check, not its 1-5 MB photo) of a photo this size; the crop and the pixel count are then judged in the
    original's pixels. Ignored unless the copy has the original's proportions and the original is within
    the size any upload may have."""
    small, full = _small_grey(data, rotate)
    if original and _same_shape(full, original):
        full = original
    return _analyse(small, full, size)


def check_with_card(data: bytes, *, size: tuple[int, int] = images.PHOTO_SIZE,
                    original: tuple[int, int]) -> tuple[Advice, bytes | None, dict[str, float] | None]:
    """``check_photo`` for the phone's scaled copy (a JPEG; ``original`` its photo's size), and from the same
    decode the card's JPEG for the box the phone's cropper starts from: the suggested crop, or without a face
    the whole photo centred (in the original's pixels, returned too). The phone sends that JPEG when the box
    is left as it is, so the photo is not sent and cropped a second time. No JPEG when the copy is not a
    plain JPEG of the original's shape, or has fewer pixels in the box than the card (a small face far away:
    the phone then sends a copy made bigger for that box, as for a close zoom)."""
    img = images._open(data, images.PHOTO_FORMATS, images.MAX_PIXELS, images.MAX_BYTES)
    if img.format != "JPEG" or img.mode not in ("RGB", "L") or max(img.size) > 2 * THRESHOLDS["preview_side"]:
        return check_photo(data, size=size, original=original), None, None
    img = images._orient(images._load(img))
    if not _same_shape(img.size, original):
        return check_photo(data, size=size, original=original), None, None
    advice = _analyse(_grey_of(img), original, size)
    box = advice.crop
    if box is None:
        x0, y0, x1, y1 = images._fit_box(None, original, size)
        box = {"x": round(x0, 2), "y": round(y0, 2), "width": round(x1 - x0, 2), "height": round(y1 - y0, 2)}
    fx, fy = img.width / original[0], img.height / original[1]
    if box["width"] * fx < size[0] or box["height"] * fy < size[1]:
        return advice, None, None  # the copy would be enlarged: the phone sends a bigger one for that box
    try:
        card = images.crop_decoded(img, (fx, fy), size=size, crop=box)
    except images.ImageRejected:
        return advice, None, None
    return advice, card, box


def _same_shape(copy: tuple[int, int], original: tuple[int, int]) -> bool:
    w, h = original
    if not (copy[0] <= w and copy[1] <= h and w * h <= images.MAX_PIXELS):
        return False
    return abs(copy[0] / copy[1] - w / h) <= 0.02 * (w / h) + 1.0 / copy[1]


def _framed(data: bytes, advice: Advice, size: tuple[int, int], rotate: int | str,
            decoded: Image.Image | None = None) -> bytes:
    """The card's JPEG with the face framed by ``advice`` and the eye line levelled; from ``decoded`` (the
    photo already decoded upright) when it has the card's pixels in the frame."""
    cx, cy, fw, fh, angle = _frame(advice, size)
    images._check_enough_pixels(fw, fh, size)
    # The decoded copy serves when it has the card's pixels in the frame, or nearly (an enlargement of a few
    # per cent nobody sees, against a decode four times the size).
    if decoded is not None and fh * max(decoded.size) / max(advice.size) >= size[1] * 0.95:
        img = decoded
    else:
        quarter = images._quarter_turns(rotate)
        img = images._open(data, images.PHOTO_FORMATS, images.MAX_PIXELS, images.MAX_BYTES)
        raw = img.size
        reduce = fh / size[1]  # decode big JPEGs at 1/2 .. 1/8 while keeping at least the card's pixels
        if img.format == "JPEG" and reduce >= 2:
            img.draft("RGB", (math.ceil(raw[0] / reduce), math.ceil(raw[1] / reduce)))
        img = images._orient(images._load(img), quarter)
    scale = max(img.size) / max(advice.size)
    s = fh * scale / size[1]
    if s >= 2:  # bring the decoded copy near the card's size first so the affine map does not alias
        factor = int(s)
        img = img.reduce(factor)
        scale, s = scale / factor, s / factor
    if img.mode not in ("RGB", "L") or "transparency" in img.info:
        img = images._on_white(images._to_srgb(images._resizable(img)))
    # One affine map from card pixels to decoded pixels: scale, level the eye line, place the frame.
    rad = math.radians(angle)
    cos, sin = math.cos(rad) * s, math.sin(rad) * s
    ox, oy = cx * scale, cy * scale
    hw, hh = size[0] / 2, size[1] / 2
    matrix = (cos, -sin, ox - cos * hw + sin * hh, sin, cos, oy - sin * hw - cos * hh)
    out = image_pixels.affine(img, size, matrix)  # a colour profile goes to sRGB on the card's pixels only
    return images._encode(images._on_white(images._to_srgb(out)), "JPEG", quality=88, optimize=True)


@in_decode_slot  # a whole original is held decoded (half size) while it is looked at and framed
def assist_photo(
    data: bytes, *, size: tuple[int, int] = images.PHOTO_SIZE, crop: Mapping[str, Any] | None = None,
    rotate: int | str = 0, check: bool = True, known: list[str] | None = None,
) -> tuple[bytes, list[str]]:
    """The card's JPEG and the finding codes. With ``crop`` (the user's own box from the cropper) the crop is
    theirs (``images.normalise_photo``); without, the face is framed and levelled here. ``check=False`` (a
    card type without photo checks) is today's crop and no findings. ``known``: the findings of a check
    already made of exactly these bytes, upright (the caller vouches for that), kept with the user's crop."""
    if not check:
        return images.normalise_photo(data, size=size, crop=crop, rotate=rotate), []
    if known is not None and crop and not images._quarter_turns(rotate):
        return images.normalise_photo(data, size=size, crop=crop, rotate=rotate), [c for c in CODES if c in known]
    decoded = None if crop else _decoded_upright(data, rotate)
    if decoded is not None:  # one decode for the look and the framing
        advice = _analyse(_grey_of(decoded[0]), decoded[1], size)
    else:
        advice = check_photo(data, size=size, rotate=rotate)
    if crop:
        return images.normalise_photo(data, size=size, crop=crop, rotate=rotate), advice.findings
    box = None
    if advice.face is not None:
        _cx, _cy, fw, fh, _angle = _frame(advice, size)
        if fh <= advice.size[1] * 1.15 and fw <= advice.size[0] * 1.15:
            return _framed(data, advice, size, rotate, decoded[0] if decoded else None), advice.findings
        box = advice.crop  # far too close: frame what there is
    if decoded is not None:  # no face (centred, as today) or far too close: from the one decode
        img, full = decoded
        return images.crop_decoded(img, (img.width / full[0], img.height / full[1]), size=size, crop=box), \
            advice.findings
    return images.normalise_photo(data, size=size, crop=box, rotate=rotate), advice.findings


def photo_warning(codes: Iterable[str] | None) -> Any:
    """The warning badge shown with a photo sent with findings (In review, the cart, the card page): the
    orderer reads what the assistant found and decides. Nothing for a photo without findings."""
    from markupsafe import Markup, escape

    from portal.infra.formatting import badge

    messages = finding_messages(codes)
    if not messages:
        return Markup("")
    return Markup('<span class="photo-findings" data-testid="photo-findings">{}'
                  '<span class="d-block small text-muted">{}</span></span>').format(
        badge(_l("Check the photo"), "warning", icon="exclamation-triangle"),
        Markup(" ").join(escape(m) for m in messages))
