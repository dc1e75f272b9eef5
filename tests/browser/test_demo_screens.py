"""The demo that `make run` seeds, in real Chromium: the key screens in English and Swedish for the README
(dashboard, In review with card proofs, the employee's photo step, the customer portal's overview)."""
from __future__ import annotations

from sqlalchemy import select

from portal.collection.models import CollectionRequest
from portal.collection.operations import current_link
from portal.demo.photos import portrait
from portal.demo.seed import DEMO_PASSWORD, seed_demo
from tests.browser.axe import axe_violations
from tests.browser.conftest import screenshot, sign_in


def _both(page, url: str, name: str, ready: str) -> None:
    """The page at `url` in English (`name`.png) and in Swedish (`name`-sv.png)."""
    for lang, suffix in (("en", ""), ("sv", "-sv")):
        page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")
        page.wait_for_selector(ready)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load when near
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, name + suffix)


def test_the_demo_in_english_and_swedish(page, phone, browser, live_server, db):
    assert seed_demo() is True
    db.session.commit()
    sign_in(page, "orderer@nordbygg.example", DEMO_PASSWORD)
    _both(page, "/admin/", "dashboard", "[data-testid='tile-collection.review']")
    assert page.inner_text("[data-testid='tile-collection.review'] .stat") != "0"
    assert "Att granska" in page.inner_text("main, .container-fluid")  # Swedish: "To review"
    _both(page, "/admin/collection/review", "in-review", "[data-testid=review-proof] img")
    proofs = page.locator("[data-testid=review-proof] img")
    assert proofs.count() >= 6
    assert proofs.first.get_attribute("alt").startswith("Provtryck: Personalkort för ")  # the card type in Swedish too
    assert page.evaluate("() => [...document.querySelectorAll('.card-proof-thumb')].every(i => i.naturalWidth > 0)")
    # The proofs themselves pass axe-core (the back office's other findings belong to its own work).
    about_proofs = [v for v in axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
                    if any("proof" in t for t in v["targets"])]
    assert about_proofs == []

    # The employee's photo step, from a demo request still waiting for its employee.
    req = db.session.scalar(select(CollectionRequest).where(CollectionRequest.status == "pending")
                            .order_by(CollectionRequest.id))
    link = f"/r/{current_link(req)}"
    db.session.commit()
    photo = [{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": portrait(7)}]
    for lang, suffix in (("en", ""), ("sv", "-sv")):
        phone.goto(f"{link}?lang={lang}")
        phone.fill("#f-first_name", "Mira")
        phone.fill("#f-last_name", "Lindholm")
        phone.click("button.primary")
        phone.wait_for_url("**/photo")
        phone.set_input_files("#photo-input", files=photo)
        phone.wait_for_selector("#cropper:not([hidden])")
        screenshot(phone, "employee-photo" + suffix)
    assert "Ditt foto" in phone.inner_text("h1")

    # The customer portal's overview: open jobs and invoices of the demo company.
    customer = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1366, "height": 900})
    portal = customer.new_page()
    portal.goto("/portal/login")
    portal.fill("#username", "nordbygg")
    portal.fill("#password", DEMO_PASSWORD)
    portal.click("button[type=submit]")
    portal.wait_for_url("**/portal/**")
    _both(portal, "/portal/", "portal-overview", "main")
    assert "CW-" in portal.inner_text("main")
    customer.close()
