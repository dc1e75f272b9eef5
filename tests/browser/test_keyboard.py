"""The main flows with the keyboard only (WCAG 2.1.1, 2.1.2, 2.4.7, 2.4.11): Tab, Shift+Tab, Enter, Space
and the arrow keys, no mouse. At every step the focused element must be on screen and show a ring
(an outline of at least 2 px or a box-shadow); Tab must always get out again (no keyboard trap). Choosing a file is
the operating system's dialog, so the test hands the file to the focused file control directly."""
from __future__ import annotations

import re

from portal.cards.models import Card
from portal.infra.extensions import db
from portal.outbox.tasks import send_pending_emails
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_data_collection_flow import _selfie
from tests.browser.test_order_flow import _photo
from tests.fixtures.servers import body_text

FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {ok: false, ring: false, inView: false, what: 'nothing focused'};
  const s = getComputedStyle(el);
  // static/css/a11y.css draws 3 px; the browser's own thin default ring is not enough to count.
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (!!s.boxShadow && s.boxShadow !== 'none');
  const visible = (r) => r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  // Headless Chromium does not always scroll the page for a newly focused element (a real browser does):
  // bring it into view as the browser would, then it must be there and not covered (WCAG 2.4.11).
  if (!visible(el.getBoundingClientRect())) el.scrollIntoView({block: 'nearest', inline: 'nearest'});
  const r = el.getBoundingClientRect();
  const inView = visible(r);
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1), y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  const covered = !!top && top !== el && !el.contains(top) && !top.contains(el) && !(el.labels && [...el.labels].some(l => l.contains(top)));
  return {ok: ring && inView && !covered, ring, inView, covered, what: el.outerHTML.slice(0, 160)};
}"""


def assert_focus_visible(page) -> dict:
    state = page.evaluate(FOCUS_STATE)
    assert state["ok"], f"the focused element is not visibly focused on {page.url}: {state}"
    return state


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until `selector` has the focus, checking the ring at every stop."""
    key = "Shift+Tab" if backwards else "Tab"
    path = []
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("() => document.activeElement === document.body"):
            continue  # between the last element and the browser's own controls
        path.append(assert_focus_visible(page)["what"][:60])
        if page.evaluate("(sel) => document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} never got the focus with {key} on {page.url}; went through:\n" + "\n".join(path))


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def assert_no_trap(page, limit: int = 300) -> None:
    """Tab from wherever the focus is: it must come round to the skip link (the first stop) again."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('skip-link')"):
            return
    raise AssertionError(f"Tab never came round to the start of {page.url}: a keyboard trap")


def start(page, url: str) -> None:
    """Open a page and put the keyboard at its start, as a fresh page load does."""
    page.goto(url)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def test_skip_link_is_first_and_jumps_to_the_content(page, db, make_company, make_user):
    make_user(make_company("Nordbygg AB"), role="admin", email="anna@nordbygg.se")
    sign_in(page, "anna@nordbygg.se")
    for url in ("/admin/", "/login", "/portal/login", "/accessibility"):
        if url == "/login":
            page.context.clear_cookies()
        page.goto(url)
        if page.locator("[autofocus]").count():  # Chromium moves the focus there just after the load
            page.wait_for_function("() => document.activeElement !== document.body")
        # The first stop of the page; on the sign-in page the email field has the focus already (autofocus),
        # and the skip link is the stop before it.
        page.keyboard.press("Shift+Tab" if page.evaluate("() => document.activeElement !== document.body") else "Tab")
        assert page.evaluate("() => document.activeElement.classList.contains('skip-link')"), url
        assert_focus_visible(page)
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main-content", url


def test_order_a_card_and_check_out_with_the_keyboard(page, db, make_company, make_user, make_card_type, make_address):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="orderer", email="oskar@nordbygg.se", name="Oskar Lindqvist")
    ct = make_card_type("Employee badge")
    make_address(company, "Nordbygg AB, head office")
    sign_in(page, "oskar@nordbygg.se")
    start(page, "/admin/order-cards/")
    tab_to(page, f"[data-testid=card-type-{ct.id}]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**card_type={ct.id}**")
    type_into(page, "#f-first_name", "Åsa")
    type_into(page, "#f-last_name", "Öberg")
    tab_to(page, "#f-photo")
    page.set_input_files("#f-photo", files=[{"name": "asa.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    tab_to(page, "button[value=cart]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=The card for Åsa Öberg is in your cart")
    tab_to(page, "[data-testid=cart-link]", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/cart/")
    tab_to(page, "a[href$='/checkout']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/checkout")
    tab_to(page, "#address_id")
    page.keyboard.press("ArrowDown")  # from "Choose…" to the company's one address
    assert page.input_value("#address_id") != ""
    type_into(page, "#reference", "PO-KEYS-1")
    tab_to(page, "button.btn-lg[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=is placed")
    assert_no_trap(page)


def test_collect_review_add_to_cart_and_block_a_card_with_the_keyboard(page, phone, db, smtp_server, collect):
    company, orderer, ct, _addr = collect
    sign_in(page, orderer.email)

    # Invite an employee: type the address, add it with Enter, send with Space.
    start(page, f"/admin/collection/?card_type_id={ct.id}")
    type_into(page, "#email-input", "asa.oberg@example.com")
    tab_to(page, "#email-add")
    page.keyboard.press("Enter")
    page.wait_for_selector("#email-rows li")
    tab_to(page, "[data-testid=send-requests]")
    page.keyboard.press("Space")
    page.wait_for_url("**/collection/pending**")
    assert_no_trap(page)

    # The employee's steps on a phone, keyboard only, the photo placed with the crop buttons and keys.
    send_pending_emails()
    link = re.search(r"(/r/[A-Za-z0-9_-]{30,})", body_text(smtp_server.wait_for("asa.oberg@example.com")[-1])).group(1)
    start(phone, link + "?lang=en")
    type_into(phone, "#f-first_name", "Åsa")
    type_into(phone, "#f-last_name", "Öberg")
    type_into(phone, "#f-national_id", "")
    tab_to(phone, "button.primary")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/photo")
    tab_to(phone, "#photo-input")
    phone.set_input_files("#photo-input", files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": _selfie()}])
    phone.wait_for_selector("#cropper:not([hidden])")
    width = float(phone.input_value("#crop_width"))
    tab_to(phone, "#zoom-in")
    phone.keyboard.press("Enter")
    assert float(phone.input_value("#crop_width")) < width  # zoomed in
    x = float(phone.input_value("#crop_x"))
    tab_to(phone, "#move-left")
    phone.keyboard.press("Enter")
    assert float(phone.input_value("#crop_x")) > x  # the photo moved left: the frame shows more of its right
    tab_to(phone, "#crop-canvas", backwards=True)
    y = float(phone.input_value("#crop_y"))
    phone.keyboard.press("ArrowDown")
    assert float(phone.input_value("#crop_y")) < y  # the photo moved down: the frame shows more of its top
    phone.keyboard.press("r")
    assert phone.input_value("#rotate") == "90"
    for _ in range(3):
        phone.keyboard.press("r")  # a full turn: back upright
    assert phone.input_value("#rotate") == "0"
    screenshot(phone, "employee-photo-keyboard")
    assert_no_trap(phone)
    tab_to(phone, "button.primary")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/address")
    tab_to(phone, "input[name=address_id]")
    phone.keyboard.press("Space")
    tab_to(phone, "button.primary")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/confirm")
    tab_to(phone, "button.primary")
    phone.keyboard.press("Enter")
    phone.wait_for_selector("text=Thank you!")

    # The orderer reviews it and adds it to the cart, then blocks an active card.
    start(page, "/admin/collection/review")
    tab_to(page, "[data-testid=approve]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    start(page, "/admin/cart/")
    assert "Åsa Öberg" in page.inner_text("[data-testid=cart-card]")
    _block_first_active_card(page, company, ct)


def _block_first_active_card(page, company, card_type) -> None:
    card = Card(company_id=company.id, card_type_id=card_type.id, holder_name="Bo Ek", status="active",
                holder_data={"first_name": "Bo", "last_name": "Ek"}, card_number="9000000042")
    db.session.add(card)
    db.session.commit()
    start(page, f"/admin/cards/{card.id}")
    type_into(page, "#reason", "Lost on site")
    tab_to(page, "[data-testid=block]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=The card is now blocked")
    assert_no_trap(page)
