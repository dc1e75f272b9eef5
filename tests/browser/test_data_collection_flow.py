"""Data collection end to end in real Chromium: orderer sends a request, the email arrives at a real
SMTP server, the employee fills in the phone pages with a cropped photo, the orderer rejects, the
employee edits, the orderer adds the card to the cart and checks out."""
import io
import re

from PIL import Image

from portal.outbox.tasks import send_pending_emails
from tests.browser.conftest import screenshot, sign_in
from tests.fixtures.servers import body_text


def _selfie() -> bytes:
    img = Image.new("RGB", (1500, 2000), (60, 90, 130))
    for x in range(500, 1000):
        for y in range(500, 1100, 4):
            img.putpixel((x, y), (230, 190, 160))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _link(smtp_server, address: str, count: int) -> str:
    """The personal link in the newest of the employee's emails that carries one (the outbox sends a batch
    by priority, so the confirmation, which has no link, may arrive after the rejection)."""
    send_pending_emails()
    bodies = [body_text(msg) for msg in smtp_server.wait_for(address, count=count)]
    links = [m.group(1) for b in bodies if (m := re.search(r"(/r/[A-Za-z0-9_-]{30,})", b))]
    assert links, bodies
    return links[-1]


def test_request_fill_reject_edit_approve_and_order(page, phone, db, smtp_server, make_company, make_user,
                                                    make_card_type, make_address):
    company = make_company("Nordbygg AB", language="en", primary_color="#0b5394")
    make_user(company, role="orderer", email="oskar@nordbygg.se", name="Oskar")
    ct = make_card_type("Site ID", fields=[
        ("first_name", "First name", "text", True), ("last_name", "Last name", "text", True),
        ("photo", "Photo", "photo", True)])
    make_address(company, "Site office Hagastaden", for_collection=True, street="Torsplan 2")

    # The orderer sends a request.
    sign_in(page, "oskar@nordbygg.se")
    page.goto(f"/admin/collection/?card_type_id={ct.id}")
    page.fill("#email-input", "asa.oberg@example.com")
    page.click("#email-add")
    page.wait_for_selector("#email-rows li")
    assert page.inner_text("#email-count") == "1 address"
    screenshot(page, "data-collection")
    page.click("[data-testid=send-requests]")
    page.wait_for_url("**/collection/pending**")
    assert "asa.oberg@example.com" in page.inner_text("main, .container-fluid")

    # The employee opens the emailed link on a phone.
    link = _link(smtp_server, "asa.oberg@example.com", 1)
    phone.goto(link + "?lang=en")
    phone.fill("#f-first_name", "Åsa")
    phone.fill("#f-last_name", "Öberg")
    screenshot(phone, "employee-details")
    phone.click("button.primary")
    phone.wait_for_url("**/photo")
    phone.set_input_files("#photo-input", files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": _selfie()}])
    phone.wait_for_selector("#cropper:not([hidden])")
    phone.click("#zoom-in")
    phone.click("#rotate-btn")
    phone.click("#rotate-btn")
    phone.click("#rotate-btn")
    phone.click("#rotate-btn")  # a full turn: back upright
    assert float(phone.input_value("#crop_width")) < 1500  # zoomed in: a smaller box of the original
    before = float(phone.input_value("#crop_x"))
    box = phone.locator("#crop-canvas").bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.mouse.move(*middle)
    phone.mouse.down()
    phone.mouse.move(middle[0] + 60, middle[1], steps=5)  # drag the photo to the right...
    phone.mouse.up()
    assert float(phone.input_value("#crop_x")) < before  # ...so the frame shows more of its left side
    phone.click("button.primary")
    phone.wait_for_url("**/address")
    phone.check("input[name=address_id]")
    phone.click("button.primary")
    phone.wait_for_url("**/confirm")
    assert phone.evaluate("() => document.querySelector('.card-photo').naturalWidth") == 413
    card, photo = phone.locator(".card-preview").bounding_box(), phone.locator(".card-photo").bounding_box()
    assert photo["x"] + photo["width"] <= card["x"] + card["width"]  # the preview shows the whole card
    assert photo["y"] + photo["height"] <= card["y"] + card["height"]
    assert phone.locator(".card-text .big").first.is_visible()
    screenshot(phone, "employee-confirm")
    phone.click("button.primary")
    phone.wait_for_selector("text=Thank you!")

    # The orderer reviews and sends it back with a reason.
    page.goto("/admin/collection/review")
    page.wait_for_selector("[data-testid=review-card]")
    page.click("[data-testid=review-card] .js-reject")
    page.fill("#reject-reason", "Please write your full first name")
    page.check("#reject-change-data")  # only the details: photo and address are kept
    page.click("[data-testid=reject-submit]")
    page.wait_for_selector("[data-testid=review-empty]")

    # The employee gets the reason and the same link, and edits.
    link_again = _link(smtp_server, "asa.oberg@example.com", 3)  # request, confirmation, rejection
    assert link_again == link
    phone.goto(link)
    assert "Please write your full first name" in phone.inner_text("main")
    phone.fill("#f-first_name", "Åsa Maria")
    phone.click("button.primary")
    phone.wait_for_url("**/confirm")  # photo and address are kept: straight to the summary
    phone.click("button.primary")
    phone.wait_for_selector("text=Thank you!")

    # The orderer adds it to the cart and checks out with the card's own address.
    page.goto("/admin/collection/review")
    assert "Åsa Maria" in page.inner_text("[data-testid=review-card]")
    page.click("[data-testid=approve]")
    page.goto("/admin/cart/")
    assert "Åsa Maria Öberg" in page.inner_text("[data-testid=cart-card]")
    # Removing it offers to put it back in review; it comes back with its data.
    page.click("[data-testid=remove-collected]")
    page.wait_for_selector("[data-testid=put-back-offer]")
    page.click("[data-testid=put-back]")
    page.goto("/admin/collection/review")
    assert "Åsa Maria" in page.inner_text("[data-testid=review-card]")
    page.click("[data-testid=approve]")
    page.goto("/admin/cart/")
    page.click("a:has-text('Checkout')")
    page.select_option("#address_id", value="own")
    page.click("button:has-text('Place order')")
    page.wait_for_selector("text=is placed")
