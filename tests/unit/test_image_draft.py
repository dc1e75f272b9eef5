"""The photo step's server work stays small (issue 15): big JPEGs decode at 1/2, 1/4 or 1/8 when the
result is smaller anyway, and the result is the same picture, the same way up, as a full decode gives;
only a few photos are decoded at once per process."""
from __future__ import annotations

import threading
import time
from io import BytesIO

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat, JpegImagePlugin

from portal.infra import images
from portal.infra.decode_slots import DECODE_SLOTS

RED, BLUE, GREY = (220, 20, 20), (30, 40, 220), (128, 128, 128)
# Where the red block (stored top-left) is once the camera's orientation is applied.
RED_CORNER = {1: "top-left", 2: "top-right", 3: "bottom-right", 4: "bottom-left",
              5: "top-left", 6: "top-right", 7: "bottom-right", 8: "bottom-left"}


def stored_photo(size=(4000, 3000), orientation: int = 1) -> bytes:
    """A landscape sensor picture: red block top-left, blue bottom-right, grain like a real photo."""
    w, h = size
    img = Image.blend(Image.new("RGB", size, GREY), Image.effect_noise(size, 30).convert("RGB"), 0.2)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, w // 3, h // 3), fill=RED)
    draw.rectangle((w - w // 3, h - h // 3, w - 1, h - 1), fill=BLUE)
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = BytesIO()
    img.save(buf, "JPEG", quality=90, exif=exif)
    return buf.getvalue()


def corner(img: Image.Image, name: str) -> tuple[int, int, int]:
    w, h = img.size
    x = 8 if "left" in name else w - 9
    y = 8 if "top" in name else h - 9
    return img.convert("RGB").getpixel((x, y))


def close_to(pixel, colour, tolerance=45) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def mean_difference(a: bytes, b: bytes) -> float:
    one, two = Image.open(BytesIO(a)).convert("RGB"), Image.open(BytesIO(b)).convert("RGB")
    assert one.size == two.size
    return max(ImageStat.Stat(ImageChops.difference(one, two)).mean)


@pytest.fixture()
def draft_calls(monkeypatch):
    """Every reduced decode: (stored size, size decoded)."""
    calls: list[tuple[tuple[int, int], tuple[int, int]]] = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(img, mode, size):
        before = img.size
        result = original(img, mode, size)
        calls.append((before, img.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    return calls


def full_decode(fn, *args, **kwargs):
    """The same call with reduced decoding switched off: the reference."""
    original = JpegImagePlugin.JpegImageFile.draft
    JpegImagePlugin.JpegImageFile.draft = lambda img, mode, size: None
    try:
        return fn(*args, **kwargs)
    finally:
        JpegImagePlugin.JpegImageFile.draft = original


@pytest.mark.parametrize("orientation", range(1, 9))
def test_card_photo_from_a_reduced_decode_matches_the_full_decode_in_every_orientation(orientation, draft_calls):
    data = stored_photo((2400, 1800), orientation)
    reduced = images.normalise_photo(data)
    assert draft_calls and draft_calls[0][1][0] < 2400  # decoded at 1/2 or less
    reference = full_decode(images.normalise_photo, data)
    out = Image.open(BytesIO(reduced))
    assert out.size == (413, 531)
    assert mean_difference(reduced, reference) < 6
    # Centre-cropped from the upright photo: the red block shows in its corner only when the upright photo
    # is the landscape one (the crop keeps the full height, so the corners of a portrait photo are cut off).
    if orientation <= 4:
        assert close_to(corner(out, RED_CORNER[orientation]), RED)


def test_phone_upload_of_1600_px_decodes_at_half_and_stays_sharp(draft_calls):
    """What a phone with JavaScript sends: 1,600 x 1,200; the card photo (413 x 531) needs half of that."""
    data = stored_photo((1600, 1200), 1)
    reduced = images.normalise_photo(data)
    assert draft_calls[0] == ((1600, 1200), (800, 600))
    assert mean_difference(reduced, full_decode(images.normalise_photo, data)) < 6


def test_close_crop_is_decoded_at_full_scale_so_it_is_never_enlarged(draft_calls):
    data = stored_photo((1600, 1200), 1)
    crop = {"x": 0, "y": 0, "width": 420, "height": 540}  # about the card's own pixels
    out = Image.open(BytesIO(images.normalise_photo(data, crop=crop)))
    assert all(after == before for before, after in draft_calls)  # no reduced decode
    assert close_to(out.getpixel((20, 20)), RED)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_preview_decodes_big_photos_reduced_and_reports_the_full_size_upright(orientation, draft_calls):
    data = stored_photo((4000, 3000), orientation)
    jpeg, full = images.preview_jpeg(data)
    upright = (3000, 4000) if orientation >= 5 else (4000, 3000)
    assert full == upright  # the crop box is in the full photo's pixels
    preview = Image.open(BytesIO(jpeg))
    assert preview.size == (upright[0] * 1600 // 4000, upright[1] * 1600 // 4000)
    assert draft_calls[0] == ((4000, 3000), (2000, 1500))  # never below the preview's 1,600 px
    assert close_to(corner(preview, RED_CORNER[orientation]), RED)
    reference, reference_full = full_decode(images.preview_jpeg, data)
    assert reference_full == full and mean_difference(jpeg, reference) < 6


def test_small_photo_preview_is_not_reduced(draft_calls):
    jpeg, full = images.preview_jpeg(stored_photo((1600, 1200), 6))
    assert full == (1200, 1600) and Image.open(BytesIO(jpeg)).size == (1200, 1600)
    assert all(after == before for before, after in draft_calls)


def test_only_a_few_photos_are_decoded_at_once_per_process(monkeypatch):
    inside, most = 0, 0
    lock = threading.Lock()
    original = images._load

    def slow_load(img):
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)
        try:
            return original(img)
        finally:
            with lock:
                inside -= 1

    monkeypatch.setattr(images, "_load", slow_load)
    data = stored_photo((800, 600), 1)
    errors: list[BaseException] = []

    def one(fn):
        try:
            fn(data)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(fn,)) for fn in [images.normalise_photo, images.preview_jpeg] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert most == DECODE_SLOTS
    # A thumbnail made from inside a slot (normalise_photo calls itself) does not wait for a second one.
    assert images.thumbnail_jpeg(data)
