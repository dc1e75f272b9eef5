"""The phone scales a big photo down before it uploads it (issue 15): what reaches the server is at most
1,600 px on its longest side, turned as the camera held it and a fraction of the bytes, and the crop the
person chose still lands on the same part of the picture. Without JavaScript, and for HEIC, the original
goes as it is."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat
from sqlalchemy import select

from portal.collection import selfservice
from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import send_requests
from portal.infra import images
from portal.infra.extensions import db as _db
from portal.infra.storage import load
from portal.outbox.models import OutboxEmail
from selfservice.employee import views
from tests.browser.conftest import screenshot

RED, BLUE, GREY = (220, 20, 20), (30, 40, 220), (128, 128, 128)


def sideways_phone_photo(size=(4000, 3000), orientation=6, fmt="JPEG") -> bytes:
    """A 12 MP photo stored as the sensor saw it (landscape) with an EXIF orientation tag: red block at the
    stored top-left, blue at the bottom-right, a grain that compresses like a real photo."""
    w, h = size
    img = Image.blend(Image.linear_gradient("L").resize(size).convert("RGB"),
                      Image.effect_noise(size, 30).convert("RGB"), 0.3)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, w // 4, h // 3), fill=RED)
    draw.rectangle((w - w // 4, h - h // 3, w - 1, h - 1), fill=BLUE)
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    if fmt == "HEIF":
        images._ensure_heif()
        img.save(buf, "HEIF", exif=exif.tobytes(), quality=80)
    else:
        img.save(buf, "JPEG", quality=92, exif=exif)
    return buf.getvalue()


def close_to(pixel, colour, tolerance=45) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


@pytest.fixture()
def received(monkeypatch):
    """The photo bytes and crop as the server's photo step got them."""
    got: list[tuple[bytes, dict | None, object]] = []
    original = views.save_employee_photo

    def spy(req, data, crop, rotate, verdict=None, seal=None):
        got.append((data, crop, rotate, verdict, seal))
        return original(req, data, crop, rotate, verdict, seal)

    monkeypatch.setattr(views, "save_employee_photo", spy)
    return got


def _to_photo_step(phone, db, collect) -> str:
    company, orderer, ct, _addr = collect
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()
    body = db.session.scalar(select(OutboxEmail.body_text).where(OutboxEmail.kind == "collection_request"))
    link = re.search(r"(/r/[A-Za-z0-9_-]{30,})", body).group(1)
    phone.goto(link + "?lang=en")
    phone.fill("#f-first_name", "Åsa")
    phone.fill("#f-last_name", "Öberg")
    phone.click("button.primary")
    phone.wait_for_url("**/photo")
    return link


def _stored_photo(db) -> Image.Image:
    req = db.session.scalar(select(CollectionRequest))
    db.session.refresh(req)
    return Image.open(io.BytesIO(load(req.photo_key))).convert("RGB")


def _crop_fields(phone) -> dict:
    return {k: float(phone.input_value(f"#crop_{k}")) for k in ("x", "y", "width", "height")}


def test_big_phone_photo_is_sent_scaled_down_upright_and_cropped_where_chosen(phone, db, collect, received,
                                                                             monkeypatch):
    original = sideways_phone_photo()
    _to_photo_step(phone, db, collect)
    checked = []
    real_check = selfservice.check_with_card
    monkeypatch.setattr(selfservice, "check_with_card",
                        lambda data, **kw: checked.append((data, kw)) or real_check(data, **kw))
    phone.set_input_files("#photo-input", files=[{"name": "IMG_0042.JPG", "mimeType": "image/jpeg",
                                                  "buffer": original}])
    phone.wait_for_selector("#cropper:not([hidden])")
    # The photo assistant was asked about the copy that will be sent, not the 12 MP original, and told the
    # full size.
    for _ in range(100):
        if checked:
            break
        phone.wait_for_timeout(100)
    assert len(checked) == 1
    data, options = checked[0]
    assert len(data) * 4 < len(original), len(data)
    checked_copy = data
    assert Image.open(io.BytesIO(data)).size == (1200, 1600)  # upright, as the camera held it
    assert options["original"] == (3000, 4000)
    phone.click("#zoom-in")
    phone.click("#rotate-btn")  # a quarter turn: the crop box is in the turned photo's pixels
    phone.click("#move-right")
    chosen = _crop_fields(phone)
    assert chosen["width"] > 1000  # still in pixels of the full 3000 x 4000 photo
    screenshot(phone, "employee-photo-downscaled")
    phone.click("button.primary")
    phone.wait_for_url("**/address")

    data, crop, rotate, _verdict, seal = received[-1]
    uploaded = Image.open(io.BytesIO(data))
    # At most 1,600 px, upright (3000 x 4000 as the camera held it) and no orientation tag left to apply twice.
    assert uploaded.format == "JPEG" and uploaded.size == (1200, 1600)
    assert not seal  # the box was moved: the copy goes, not the card photo the check made
    assert uploaded.getexif().get(0x0112, 1) == 1
    upright = uploaded.convert("RGB")
    assert close_to(upright.getpixel((1100, 100)), RED)  # stored top-left, turned right: top-right
    assert close_to(upright.getpixel((100, 1500)), BLUE)
    assert close_to(upright.getpixel((100, 100)), GREY, tolerance=80)
    assert len(data) * 4 < len(original) and len(data) < 900_000, (len(data), len(original))
    assert data == checked_copy  # the very bytes the assistant saw: scaled once
    # The crop box came along scaled by the same factor (1600 / 4000).
    assert str(rotate) == "90"
    for key in ("x", "y", "width", "height"):
        assert crop[key] == pytest.approx(chosen[key] * 0.4, abs=1.0), key

    # What is stored is what the original with the chosen crop would have given.
    expected = Image.open(io.BytesIO(images.normalise_photo(original, crop=chosen, rotate=90))).convert("RGB")
    stored = _stored_photo(db)
    assert stored.size == expected.size == (413, 531)
    difference = ImageStat.Stat(ImageChops.difference(stored, expected)).mean
    assert max(difference) < 12, difference


def test_a_kept_box_sends_the_card_photo_the_check_made_instead_of_the_copy(phone, db, collect, received):
    """The assistant made the card's photo from the copy it checked; the box is left as it started, so the
    phone sends that small JPEG back with its seal (the photo travels once) and it is kept byte for byte."""
    original = sideways_phone_photo()  # no face: the card is the whole photo, centred
    _to_photo_step(phone, db, collect)
    phone.set_input_files("#photo-input", files=[{"name": "IMG_0045.JPG", "mimeType": "image/jpeg",
                                                  "buffer": original}])
    phone.wait_for_selector("#photo-check:not([hidden])")  # the check has answered: "We could not find a face"
    phone.click("button.primary")
    phone.wait_for_url("**/address")
    data, crop, _rotate, _verdict, seal = received[-1]
    assert seal and crop is None
    assert Image.open(io.BytesIO(data)).size == (413, 531) and len(data) < 100_000, len(data)
    req = db.session.scalar(select(CollectionRequest))
    db.session.refresh(req)
    assert load(req.photo_key) == data and req.photo_findings == ["no_face"]
    expected = Image.open(io.BytesIO(images.normalise_photo(original))).convert("RGB")
    difference = ImageStat.Stat(ImageChops.difference(_stored_photo(db), expected)).mean
    assert max(difference) < 12, difference


def test_without_javascript_the_original_photo_is_sent_and_used(browser, live_server, db, collect, received):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, java_script_enabled=False)
    phone = context.new_page()
    phone.set_default_timeout(15000)
    try:
        original = sideways_phone_photo()
        _to_photo_step(phone, db, collect)
        phone.set_input_files("#photo-input", files=[{"name": "IMG_0043.JPG", "mimeType": "image/jpeg",
                                                      "buffer": original}])
        phone.click("button.primary")
        phone.wait_for_url("**/address")
    finally:
        context.close()
    data, crop, _rotate, _verdict, seal = received[-1]
    assert data == original and crop is None
    stored = _stored_photo(db)  # centre-cropped from the upright 3000 x 4000 photo
    assert stored.size == (413, 531)
    assert close_to(stored.getpixel((400, 20)), RED) and close_to(stored.getpixel((10, 520)), BLUE)


def test_heic_the_browser_cannot_decode_goes_as_the_original(phone, db, collect, received):
    original = sideways_phone_photo((2000, 1500), fmt="HEIF")
    _to_photo_step(phone, db, collect)
    phone.set_input_files("#photo-input", files=[{"name": "IMG_0044.HEIC", "mimeType": "image/heic",
                                                  "buffer": original}])
    phone.wait_for_selector("#cropper:not([hidden])")  # shown through the server's preview
    phone.click("button.primary")
    phone.wait_for_url("**/address")
    data, crop, _rotate, _verdict, seal = received[-1]
    assert data == original
    assert crop["width"] > 1000  # in pixels of the full 1500 x 2000 photo, not of the preview
    stored = _stored_photo(db)
    assert close_to(stored.getpixel((400, 20)), RED) and close_to(stored.getpixel((10, 520)), BLUE)
