"""An orderer signs in, orders a card with a photo, checks out and finds the order (real Chromium)."""
import io

from PIL import Image

from tests.browser.conftest import screenshot, sign_in


def _photo() -> bytes:
    img = Image.new("RGB", (900, 1200), (70, 110, 160))
    for x in range(300, 600):
        for y in range(250, 650):
            img.putpixel((x, y), (235, 200, 170))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


def _choose_photo_and_wait_for_the_proof(page) -> None:
    """Choose the photo, then wait until the proof drawn with it is on the screen: pixels in the photo frame
    (left third of the card) turn the photo's blue instead of the empty frame's white."""
    page.set_input_files("#f-photo", files=[{"name": "asa.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    page.wait_for_function("""() => { const i = document.querySelector('#live-proof-image');
        if (!i.complete || !i.naturalWidth) { return false; }
        const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(i, 0, 0);
        const [r, gr, b] = g.getImageData(Math.round(c.width * 0.06), Math.round(c.height * 0.55), 1, 1).data;
        return b > 120 && r < 120; }""")



def _menu(page, menu: str, item: str) -> None:
    """Open a menu of the top bar and choose an item, once the page's script can open it (a click on the menu
    while a busy machine still loads the page after a form was sent did nothing: the item stayed hidden)."""
    page.wait_for_load_state("load")
    entry = page.locator(f"a.dropdown-item:has-text('{item}')")
    for _ in range(3):
        page.click(f"text={menu}")
        try:
            entry.wait_for(state="visible", timeout=3000)
            break
        except Exception:  # noqa: BLE001 - not open yet: the next round clicks the menu again
            continue
    entry.click()

def test_order_a_card_with_photo_check_out_and_find_the_order(page, db, make_company, make_user, make_card_type,
                                                            make_address, make_accessory):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="orderer", email="oskar@nordbygg.se", name="Oskar Lindqvist")
    ct = make_card_type("Employee badge", fields=[
        ("first_name", "First name", "text", True), ("last_name", "Last name", "text", True),
        ("employee_no", "Employee number", "employee_no", False), ("photo", "Photo", "photo", True),
    ])
    ct.template.layout = {"photo": [40, 150, 300, 386], "logo": [40, 30, 354, 118], "fields": {
        "first_name": [380, 220, 56], "last_name": [380, 290, 56], "employee_no": [380, 380, 36]}}
    db.session.commit()
    make_address(company, "Nordbygg AB, head office", street="Sveavägen 12", postcode="111 57")
    make_accessory("Lanyard with safety release", "18.00")

    sign_in(page, "oskar@nordbygg.se")
    _menu(page, "Orders", "Order cards")
    page.click(f"[data-testid=card-type-{ct.id}]")
    # The live proof: drawn on opening, and drawn again (a new image, a new text alternative) as a name is typed.
    proof = page.locator("#live-proof-image")
    page.wait_for_function("() => document.querySelector('#live-proof-image').dataset.proofVersion === '1'")
    blank = proof.screenshot()
    assert "no name filled in yet" in proof.get_attribute("alt")
    page.fill("#f-first_name", "Åsa")
    page.fill("#f-last_name", "Öberg")
    page.fill("#f-employee_no", "E-1042")
    _choose_photo_and_wait_for_the_proof(page)
    assert proof.get_attribute("alt") == "Card proof: Employee badge for Åsa Öberg, Nordbygg AB"
    assert proof.screenshot() != blank, "the proof shows what was typed"
    screenshot(page, "order-cards")
    # The same screen in Swedish for the README (the typed values are kept by typing them again).
    page.goto(page.url + "&lang=sv")
    page.fill("#f-first_name", "Åsa")
    page.fill("#f-last_name", "Öberg")
    page.fill("#f-employee_no", "E-1042")
    _choose_photo_and_wait_for_the_proof(page)
    screenshot(page, "order-cards-sv")
    page.goto(page.url.replace("lang=sv", "lang=en"))
    page.fill("#f-first_name", "Åsa")
    page.fill("#f-last_name", "Öberg")
    page.fill("#f-employee_no", "E-1042")
    page.set_input_files("#f-photo", files=[{"name": "asa.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    page.click("button:has-text('Add to cart')")
    page.wait_for_selector("text=The card for Åsa Öberg is in your cart")

    page.click("a:has-text('Accessories')")
    page.click("tr:has-text('Lanyard') button:has-text('Add to cart')")
    page.wait_for_selector("text=added to your cart")

    page.click("[data-testid=cart-link]")
    assert "Employee badge: Åsa Öberg" in page.inner_text("[data-testid=cart-card]")
    assert page.inner_text("[data-testid=cart-total]").replace("\xa0", " ")== "107.00 SEK"
    # Wait until the browser has finished loading the thumbnail: a broken image completes with width 0.
    page.wait_for_function("() => { const i = document.querySelector('img.card-proof-thumb'); return i && i.complete; }")
    thumb_ok = page.evaluate("() => document.querySelector('img.card-proof-thumb').naturalWidth > 0")
    assert thumb_ok, "the card proof shows in the cart"
    assert page.get_attribute("img.card-proof-thumb", "alt") == "Card proof: Employee badge for Åsa Öberg, Nordbygg AB"
    screenshot(page, "cart")
    page.click("a:has-text('Checkout')")
    page.select_option("#address_id", label="Nordbygg AB, head office, Sveavägen 12, 111 57 Stockholm")
    page.fill("#reference", "PO-2026-17")
    screenshot(page, "checkout")
    page.click("button:has-text('Place order')")
    page.wait_for_selector("text=is placed")
    number = page.inner_text("h2").split("order ")[1].split(" ")[0]

    _menu(page, "Orders", "Order history")
    page.fill("input[name=search]", "Öberg")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"text={number}")
    assert "PO-2026-17" in page.inner_text("table.model-list")
    screenshot(page, "order-history")
    page.click(f"a[title='View Record'], a:has-text('{number}')")
    page.wait_for_selector("text=Åsa Öberg")
    screenshot(page, "order-details")
