"""In real Chromium: a replacement given up frees the old card (its page offers *Replace card* again), an
erased card cannot be unblocked (the page says why, bulk unblock names it), and the company admin sets the
expiry notices under Company > Settings (a wrong value is explained; a right one is kept)."""
from sqlalchemy import select

from portal.cards.models import Card
from portal.privacy.erasure import erase_person
from portal.privacy.people import find_people, footprint
from portal.tenancy.models import Company
from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in
from tests.privacy.conftest import NAME, make_person  # noqa: F401 - the fixture

FIELDS = [("first_name", "First name", "text", True), ("last_name", "Last name", "text", True)]


def test_removing_the_replacement_from_the_cart_frees_the_lost_card(page, db, make_company, make_user,
                                                                    make_card_type):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="admin", email="anna@nordbygg.se", name="Anna")
    ct = make_card_type("Site ID", fields=FIELDS)
    lost = Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa Öberg", holder_email="x@x.se",
                card_number="4711", status="active", holder_data={"first_name": "Åsa", "last_name": "Öberg"})
    db.session.add(lost)
    db.session.commit()
    sign_in(page, "anna@nordbygg.se")
    page.goto(f"/admin/cards/{lost.id}")
    page.click("[data-testid=replace-card]")
    page.click("label[for=reason-lost]")
    page.click("[data-testid=replace-submit]")
    page.wait_for_selector("text=is in your cart with the card's data")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("main button[title=Remove]")
    page.wait_for_load_state("networkidle")
    page.goto(f"/admin/cards/{lost.id}")
    text = page.inner_text("main")
    assert "Being replaced" not in text and "Blocked" in text
    assert page.query_selector("[data-testid=replace-card]") is not None  # can be replaced again
    db.session.expire_all()
    card = db.session.get(Card, lost.id)
    assert card.replacement_reason is None and card.status == "blocked"


def test_an_erased_card_says_it_stays_blocked_and_bulk_unblock_names_it(page, db, make_company,
                                                                        make_person):  # noqa: F811
    company = make_company("Nordbygg AB", language="en")
    made = make_person(company, card_status="blocked")
    erase_person(company, footprint(company, find_people(company, NAME)[0]))
    db.session.commit()
    card = made["cards"][0]
    sign_in(page, made["user"].email)
    page.goto(f"/admin/cards/{card.id}")
    assert page.query_selector("[data-testid=unblock]") is None
    assert "cannot be unblocked" in page.inner_text("[data-testid=erased-stays-blocked]")
    assert axe_violations(page) == []
    page.goto("/admin/cards/?status=blocked")
    page.check(f"input[name=card_id][value='{card.id}']")
    page.click("[data-testid=bulk-unblock]")
    page.wait_for_selector("text=1 card could not be unblocked")
    assert "holder data was erased" in page.inner_text("main")
    db.session.expire_all()
    assert db.session.get(Card, card.id).status == "blocked"


def test_the_company_admin_chooses_the_expiry_notices(page, db, make_company, make_user):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="admin", email="anna@nordbygg.se", name="Anna")
    sign_in(page, "anna@nordbygg.se")
    page.goto("/admin/company/settings/")
    box = page.locator("#expiry_notice_days")
    assert box.get_attribute("placeholder") == "30, 7"
    box.fill("90, 60, 30, 7")
    page.click("button:has-text('Save settings')")
    page.wait_for_selector("[data-testid=expiry-notices] .invalid-feedback")
    assert "At most 3 notices" in page.inner_text("[data-testid=expiry-notices]")
    assert axe_violations(page) == []
    page.locator("#expiry_notice_days").fill("14, 60")
    page.click("button:has-text('Save settings')")
    page.wait_for_selector("text=Settings saved.")
    assert page.locator("#expiry_notice_days").input_value() == "60, 14"
    db.session.expire_all()
    assert db.session.scalar(select(Company.expiry_notice_days).where(Company.id == company.id)) == "60,14"
