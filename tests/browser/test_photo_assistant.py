"""The photo assistant on an emulated phone: a dark photo shows the finding as soon as it is chosen, the cropper
starts on the suggested crop, "Use this photo anyway" goes on, and In review shows the warning badge."""
import io

import pytest
from PIL import Image, ImageEnhance

from portal.collection.email_list import split_email_list
from portal.collection.operations import send_requests
from portal.infra import photo_assistant
from portal.infra.extensions import db as _db
from tests.browser.conftest import screenshot, sign_in
from tests.employee.test_employee_pages import _link

skdata = pytest.importorskip("skimage.data")

# Playwright's "Pixel 7" device descriptor (playwright.devices["Pixel 7"]).
PIXEL_7 = {
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Mobile Safari/537.36",
    "viewport": {"width": 412, "height": 839}, "screen": {"width": 412, "height": 915},
    "device_scale_factor": 2.625, "is_mobile": True, "has_touch": True,
}


def _dark_selfie() -> bytes:
    img = ImageEnhance.Brightness(Image.fromarray(skdata.astronaut()).resize((1536, 1536))).enhance(0.25)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def test_dark_photo_on_a_phone_is_named_sent_anyway_and_flagged_in_review(browser, live_server, page, db,
                                                                           make_company, make_user,
                                                                           make_card_type, make_address, monkeypatch):
    company = make_company("Nordbygg AB", language="en")
    orderer = make_user(company, role="orderer", email="oskar@nordbygg.se", name="Oskar")
    ct = make_card_type("Site ID", fields=[
        ("first_name", "First name", "text", True), ("last_name", "Last name", "text", True),
        ("photo", "Photo", "photo", True)])
    make_address(company, "Site office", for_collection=True)
    send_requests(company, orderer, ct, split_email_list("asa@example.com").valid, language="en")
    _db.session.commit()
    link = _link(db)

    second_looks = []
    real = photo_assistant.check_photo
    monkeypatch.setattr(photo_assistant, "check_photo", lambda *a, **kw: second_looks.append(1) or real(*a, **kw))
    context = browser.new_context(base_url=live_server, locale="en-GB", **PIXEL_7)
    phone = context.new_page()
    phone.set_default_timeout(20000)
    try:
        phone.goto(link + "?lang=en")
        phone.fill("#f-first_name", "Åsa")
        phone.fill("#f-last_name", "Öberg")
        phone.click("button.primary")
        phone.wait_for_url("**/photo")
        phone.set_input_files("#photo-input", files=[
            {"name": "selfie.jpg", "mimeType": "image/jpeg", "buffer": _dark_selfie()}])
        phone.wait_for_selector("[data-testid=photo-check]:not([hidden])")
        assert "The photo is too dark." in phone.inner_text("[data-testid=photo-check]")
        assert phone.inner_text("#photo-submit") == "Use this photo anyway"
        phone.wait_for_selector("#cropper:not([hidden])")
        # The cropper starts on the assistant's crop: a box around the face, not the whole square photo.
        phone.wait_for_function("() => parseFloat(document.getElementById('crop_width').value) < 1000")
        crop_x = float(phone.input_value("#crop_x"))
        crop_w = float(phone.input_value("#crop_width"))
        assert crop_x < 768 < crop_x + crop_w  # the face (middle of the photo) is inside the box
        screenshot(phone, "employee-photo-assistant")
        phone.click("#photo-submit")
        phone.wait_for_url("**/address")
        # The findings were kept from the check the page made of these very bytes: no second look.
        assert second_looks == []
        phone.check("input[name=address_id]")
        phone.click("button.primary")
        phone.wait_for_url("**/confirm")
        assert "The photo is too dark." in phone.inner_text("[data-testid=photo-findings]")
        phone.click("button.primary")
        phone.wait_for_selector("text=Thank you")
    finally:
        context.close()

    sign_in(page, orderer.email)
    page.goto("/admin/collection/review")
    badge = page.locator("[data-testid=review-card] [data-testid=photo-findings]")
    assert "Check the photo" in badge.inner_text() and "The photo is too dark." in badge.inner_text()
    screenshot(page, "review-photo-warning")
