"""Replace card and bulk unblock in real Chromium: a lost card is blocked at once and its replacement waits in
the cart with the card's data; bulk unblock says which cards it could not unblock."""
from sqlalchemy import select

from portal.cards.models import Card
from portal.ordering.models import CartItem
from tests.browser.conftest import screenshot, sign_in

FIELDS = [("first_name", "First name", "text", True), ("last_name", "Last name", "text", True)]


def test_replace_a_lost_card_then_bulk_unblock(page, db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="admin", email="anna@nordbygg.se", name="Anna")
    ct = make_card_type("Site ID", fields=FIELDS)

    def card(first, last, status, number):
        c = Card(company_id=company.id, card_type_id=ct.id, holder_name=f"{first} {last}", holder_email="x@x.se",
                 card_number=number, status=status, holder_data={"first_name": first, "last_name": last})
        db.session.add(c)
        return c
    lost = card("Åsa", "Öberg", "active", "4711")
    card("Bo", "Ek", "blocked", "4712")
    card("Cecilia", "Ek", "active", "4713")
    db.session.commit()

    sign_in(page, "anna@nordbygg.se")
    page.goto(f"/admin/cards/{lost.id}")
    page.click("[data-testid=replace-card]")
    page.click("label[for=reason-lost]")
    screenshot(page, "replace-card")
    page.click("[data-testid=replace-submit]")
    page.wait_for_selector("text=is in your cart with the card's data")
    assert "Öberg" in page.inner_text("main")
    db.session.expire_all()
    item = db.session.scalar(select(CartItem))
    assert item.replaces_card_id == lost.id
    page.goto(f"/admin/cards/{lost.id}")
    assert "Being replaced" in page.inner_text("main") and "Lost" in page.inner_text("main")
    assert page.query_selector("[data-testid=replace-card]") is None  # once

    page.goto("/admin/cards/?q=Ek")
    for box in page.query_selector_all("input[name=card_id]"):
        box.check()
    page.click("[data-testid=bulk-unblock]")
    page.wait_for_selector("text=1 card could not be unblocked")
    screenshot(page, "bulk-unblock")
    text = page.inner_text("main")
    assert "1 card updated" in text and "Cecilia Ek" in text
    db.session.expire_all()
    assert {c.holder_name: c.status for c in db.session.scalars(select(Card))} == {
        "Åsa Öberg": "blocked", "Bo Ek": "active", "Cecilia Ek": "active"}
