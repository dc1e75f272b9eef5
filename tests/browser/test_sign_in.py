"""The first thing a user does: sign in and find their company."""
from tests.browser.conftest import screenshot, sign_in


def test_sign_in_and_switch_company_in_a_real_browser(page, db, make_company, make_user):
    from portal.tenancy.models import Membership

    a, b = make_company("Nordbygg AB"), make_company("Kontorshuset i Norr AB")
    user = make_user(a, role="admin", email="anna@nordbygg.se", name="Anna Andersson")
    db.session.add(Membership(user_id=user.id, company_id=b.id, role="orderer"))
    db.session.commit()
    page.goto("/login")
    screenshot(page, "sign-in")
    sign_in(page, "anna@nordbygg.se")
    # Companies come alphabetically: the first is current until the user switches.
    assert "Kontorshuset i Norr AB" in page.inner_text("#company-switcher")
    page.click("#company-switcher")
    page.click("button.dropdown-item:has-text('Nordbygg AB')")
    page.wait_for_selector("text=You are now working in Nordbygg AB")
    assert "Nordbygg AB" in page.inner_text("#company-switcher")
