"""Cart, checkout and the placed order show prices excluding and including VAT at the company's rate
(a Finnish company: 25.5 %), and the order page links the confirmation PDF (real Chromium)."""
from tests.browser.conftest import screenshot, sign_in


def _amount(page, testid: str) -> str:
    return page.inner_text(f"[data-testid={testid}]").replace("\xa0", " ").strip()


def test_cart_and_checkout_show_excluding_and_including_vat(page, db, make_company, make_user, make_card_type,
                                                           make_address):
    from portal.ordering.operations import add_card_to_cart

    company = make_company("Rakennus Oy", language="en", country="FI")
    orderer = make_user(company, role="orderer", email="olli@rakennus.fi", name="Olli Virtanen")
    ct = make_card_type("Employee badge", price="100.00", fields=[
        ("first_name", "First name", "text", True), ("last_name", "Last name", "text", True)])
    make_address(company, "Rakennus Oy, head office", street="Mannerheimintie 1", postcode="00100")
    add_card_to_cart(company, orderer, ct, {"first_name": "Åsa", "last_name": "Ørsted"}, None)
    add_card_to_cart(company, orderer, ct, {"first_name": "Bo", "last_name": "Ek"}, None)
    db.session.commit()

    sign_in(page, "olli@rakennus.fi")
    page.click("[data-testid=cart-link]")
    assert _amount(page, "cart-total") == "200.00 SEK"
    assert _amount(page, "cart-vat") == "51.00 SEK"  # 25.5 % of 200.00
    assert _amount(page, "cart-gross") == "251.00 SEK"
    assert "VAT 25.5 %" in page.inner_text("tfoot")
    screenshot(page, "cart-vat")
    page.click("a:has-text('Checkout')")
    assert (_amount(page, "checkout-net"), _amount(page, "checkout-vat"), _amount(page, "checkout-gross")) == (
        "200.00 SEK", "51.00 SEK", "251.00 SEK")
    assert "Total including VAT" in page.inner_text("main")
    screenshot(page, "checkout-vat")
    page.select_option("#address_id", index=1)
    page.click("button:has-text('Place order')")
    page.wait_for_selector("text=is placed")
    page.click("a:has-text('See the order')")
    page.wait_for_selector("[data-testid=order-gross]")
    assert (_amount(page, "order-net"), _amount(page, "order-vat"), _amount(page, "order-gross")) == (
        "200.00 SEK", "51.00 SEK", "251.00 SEK")
    pdf = page.request.get(page.get_attribute("[data-testid=order-pdf]", "href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    screenshot(page, "order-vat")


def test_card_fees_screen_lists_active_cards_with_their_fee(page, db, make_company, make_user, make_card_type):
    from datetime import datetime, timedelta
    from decimal import Decimal

    from portal.cards.models import Card

    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="admin", email="anna@nordbygg.se", name="Anna Admin")
    badge = make_card_type("Employee badge", fee=Decimal("5.00"), fee_period="month")
    now = datetime.now()
    for i in range(3):
        db.session.add(Card(company_id=company.id, card_type_id=badge.id, holder_name=f"Holder {i}", status="active",
                            activated_at=now - timedelta(days=40 * i), status_changed_at=now))
    db.session.commit()
    sign_in(page, "anna@nordbygg.se")
    page.goto(page.url.split("/admin")[0] + "/admin/company/card-fees/")
    first = page.locator("[data-testid=card-fees] tbody tr").first
    assert "Employee badge" in first.inner_text() and "15.00" in first.inner_text()
    screenshot(page, "card-fees")
