"""The back office, the portal and the employee's pages look like one product, in the company's
colour: what a user notices, in real Chromium, with screenshots of the restyled screens at 1366 px."""
import io
import re

from PIL import Image
from sqlalchemy import select

from portal.collection.email_list import split_email_list
from portal.collection.operations import send_requests
from portal.demo.seed import DEMO_PASSWORD, seed_demo
from portal.outbox.models import OutboxEmail
from portal.tenancy.models import Company
from tests.browser.conftest import screenshot


def _sign_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/**")


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _chooser(page, opens):
    """The file chooser that ``opens()`` brings up; tried again when none came (on a busy machine a chooser
    just cancelled can still be closing, and Chromium then ignores the next click or key)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(2):
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                opens()
            return chooser.value
        except PlaywrightTimeout:
            continue  # none came: open it again
    with page.expect_file_chooser() as chooser:
        opens()
    return chooser.value


def _heic() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    img = Image.new("RGB", (1200, 1600), (70, 110, 150))
    for x in range(400, 800):
        for y in range(400, 1000, 3):
            img.putpixel((x, y), (230, 190, 160))
    buf = io.BytesIO()
    img.save(buf, "HEIF")
    return buf.getvalue()


def test_back_office_lists_forms_and_navigation(page, db):
    seed_demo()
    db.session.commit()
    page.goto("/login")
    screenshot(page, "look-sign-in")
    _sign_in(page, "operator@cardwright.example")

    # The navigation fits on one row at 1366 px, every top-level item on the same line.
    page.goto("/admin/")
    items = page.locator("#admin-navbar-collapse > ul > li")
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count()) if items.nth(i).is_visible()}
    assert len(tops) == 1, tops
    assert page.locator("nav.navbar").bounding_box()["height"] < 64
    screenshot(page, "look-dashboard")

    # A list says what it is and how many, reads as a table, and offers the create button.
    page.goto("/admin/op_card_types/")
    assert re.fullmatch(r"Card types · \d+", page.inner_text("[data-testid=list-title]").strip())
    assert page.locator("[data-testid=list-create]").is_visible()
    assert page.locator("text=List (").count() == 0
    screenshot(page, "look-list")

    # Forms: Save and Cancel, no stock extra buttons where they make no sense; where they do, offered.
    page.goto("/admin/printers/new/")
    assert page.locator("input[value='Save']").is_visible()
    assert page.locator("input[value='Save and Add Another']").count() == 0
    assert page.locator("input[value='Save and Continue Editing']").count() == 0
    form_width = page.locator(".form-section").bounding_box()["width"]
    assert form_width <= 800  # a readable form, not the whole 1366 px
    screenshot(page, "look-form")
    page.goto("/admin/addresses/new/")
    assert page.locator("input[value='Save and Add Another']").is_visible()

    # My account keeps the application frame: the same navigation bar as every other page.
    page.goto("/account")
    assert page.locator("#admin-navbar-collapse").is_visible()
    assert page.locator("#admin-navbar-collapse a[href='/admin/']").count() >= 1
    screenshot(page, "look-my-account")


def test_the_company_colour_reaches_buttons_and_the_navigation_with_readable_text(page, db):
    seed_demo()
    for company in db.session.scalars(select(Company)):
        company.primary_color = "#f6d743"  # too light for white text
    db.session.commit()
    _sign_in(page, "admin@nordbygg.example")
    page.goto("/admin/addresses/")
    nav = page.locator("nav.navbar")
    assert nav.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb("#f6d743")
    link_colour = page.locator("#admin-navbar-collapse .nav-link").first.evaluate("e => getComputedStyle(e).color")
    assert link_colour == _rgb("#1d1d1f")  # dark text on the yellow bar
    button = page.locator("[data-testid=list-create]")
    assert button.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb("#f6d743")
    assert button.evaluate("e => getComputedStyle(e).color") == _rgb("#1d1d1f")
    screenshot(page, "look-light-company-colour")


def test_employee_photo_step_styled_file_control_heic_preview_and_done_page_colour(phone, db, collect):
    company, orderer, card_type, _address = collect
    company.primary_color = "#38761d"
    send_requests(company, orderer, card_type, split_email_list("asa@example.com").valid)
    db.session.commit()
    email = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    link = re.search(r"(/r/[A-Za-z0-9_-]{30,})", email.body_text).group(1)
    phone.goto(link + "?lang=en")
    phone.fill("#f-first_name", "Åsa")
    phone.fill("#f-last_name", "Öberg")
    phone.click("button.primary")
    phone.wait_for_url("**/photo")

    # The native control is hidden behind the styled one; the label still opens it, and so does the keyboard.
    native = phone.locator("#photo-input").bounding_box()
    assert native["width"] <= 1 and native["height"] <= 1
    styled = phone.locator("label.file-button").bounding_box()
    assert styled["width"] > 200 and styled["height"] >= 44
    chooser = _chooser(phone, lambda: phone.click("label.file-button"))
    assert chooser.element.get_attribute("id") == "photo-input"
    chooser.set_files([])  # closed again, as a person cancels it: a chooser left open takes no second key
    phone.focus("#photo-input")
    assert phone.locator("label.file-button").evaluate("e => getComputedStyle(e).outlineStyle") == "solid"

    def press_space():
        phone.focus("#photo-input")
        phone.keyboard.press("Space")
    _chooser(phone, press_space).set_files([])

    # A HEIC photo (which Chromium cannot show) gets a preview: the server's JPEG rendering.
    phone.set_input_files("#photo-input", files=[{"name": "IMG_0001.HEIC", "mimeType": "image/heic", "buffer": _heic()}])
    phone.wait_for_selector("#cropper:not([hidden])")
    phone.wait_for_selector("#photo-checking", state="hidden")  # the photo assistant has answered too
    assert "IMG_0001.HEIC" in phone.inner_text("#photo-name")
    drawn = phone.evaluate("""() => { const c = document.getElementById('crop-canvas');
        const d = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data; return [d[0], d[1], d[2]]; }""")
    assert drawn != [34, 34, 34]  # the photo, not the empty stage
    # The crop box is in the full photo's pixels (1200 x 1600), not the preview's.
    assert 900 < float(phone.input_value("#crop_width")) <= 1200
    phone.locator("#photo-input").blur()
    screenshot(phone, "look-employee-heic-photo")
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r".*/(address|confirm)$"))
    if phone.url.endswith("/address"):
        phone.check("input[name=address_id]")
        phone.click("button.primary")
        phone.wait_for_url("**/confirm")
    phone.click("button.primary")
    phone.wait_for_selector("text=Thank you!")
    # The thank-you page keeps the company colour (the link is spent, the colour stays).
    assert phone.locator(".tick").evaluate("e => getComputedStyle(e).backgroundColor") == _rgb("#38761d")
    assert phone.locator(".top").evaluate("e => getComputedStyle(e).borderBottomColor") == _rgb("#38761d")
    screenshot(phone, "look-employee-done")
