"""Text resized to 200% without loss (WCAG 1.4.4, and 1.4.10 reflow): the employee's phone pages with the
text at twice its size, and the sign-in page, the portal and the back office at 200% browser zoom (a
viewport of half the width). Nothing may need a horizontal scroll bar or be cut off; wide data tables may
scroll inside their own box (1.4.10 allows it)."""
from __future__ import annotations

from tests.browser.a11y_world import ADMIN, PASSWORD
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_accessibility import work_in

OVERFLOW = """() => {
  const doc = document.documentElement, main = document.querySelector('main') || document.body;
  const cut = [];
  for (const el of main.querySelectorAll('h1, h2, h3, h4, p, label, button, a, li, dt, dd, .btn')) {
    const s = getComputedStyle(el);
    if (el.closest('.table-responsive') || s.display === 'none' || s.visibility === 'hidden' || el.closest('[hidden]')) continue;
    const clips = s.overflowX === 'hidden' || s.overflow === 'hidden';
    if (clips && s.textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1) cut.push(el.outerHTML.slice(0, 100));
    const r = el.getBoundingClientRect();
    if (r.width && r.right > innerWidth + 1) cut.push('beyond the right edge: ' + el.outerHTML.slice(0, 100));
  }
  return {scroll: doc.scrollWidth, width: innerWidth, cut: cut.slice(0, 5)};
}"""


def assert_reflows(page, where: str) -> None:
    state = page.evaluate(OVERFLOW)
    assert state["scroll"] <= state["width"], f"{where}: the page scrolls sideways at 200% ({state})"
    assert not state["cut"], f"{where}: text cut off or outside the screen at 200%: {state['cut']}"


def double_text(page) -> None:
    """Every element's text at twice its size, whatever unit its CSS uses (the phone's text-size setting)."""
    page.evaluate("""() => {
      const els = [...document.querySelectorAll('body, body *')];
      const sizes = els.map(e => parseFloat(getComputedStyle(e).fontSize));
      els.forEach((e, i) => e.style.setProperty('font-size', (sizes[i] * 2) + 'px', 'important'));
    }""")


def test_employee_pages_with_text_at_twice_the_size(browser, live_server, a11y_world):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="sv-SE")
    phone = context.new_page()
    phone.goto(a11y_world.employee_link)
    double_text(phone)
    assert_reflows(phone, "employee details")
    screenshot(phone, "employee-details-200")
    phone.fill("#f-first_name", "Åsa")
    phone.fill("#f-last_name", "Öberg")
    phone.click("button.primary")
    phone.wait_for_url("**/photo")
    double_text(phone)
    assert_reflows(phone, "employee photo")
    phone.goto("/accessibility")
    double_text(phone)
    assert_reflows(phone, "accessibility statement")
    context.close()


def test_sign_in_portal_and_back_office_at_200_percent_zoom(browser, live_server, a11y_world):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    sign_in(page, ADMIN, PASSWORD)
    work_in(page, "Nordbygg AB")
    page.context.clear_cookies()
    # 200% browser zoom lays a 1366 x 900 window out as 683 x 450 CSS pixels.
    page.set_viewport_size({"width": 683, "height": 450})
    for url in ("/login", "/forgot", "/portal/login"):
        page.goto(url)
        assert_reflows(page, url)
    page.goto("/portal/login")
    page.fill("#username", "nordbygg")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")
    for url in ("/portal/", "/portal/jobs", "/portal/invoices"):
        page.goto(url)
        assert_reflows(page, url)
    sign_in(page, ADMIN, PASSWORD)  # the company chosen before is remembered
    for url in ("/admin/", "/admin/cards/", "/admin/collection/", "/admin/order-cards/", "/admin/cart/", "/admin/orders/"):
        page.goto(url)
        assert_reflows(page, url)
    screenshot(page, "cards-200")
    context.close()
