"""The operator's navigation fits on one row at a common laptop width, in English and in Swedish."""
import pytest

from tests.browser.conftest import sign_in


@pytest.mark.parametrize("language", ["en", "sv"])
def test_operators_navigation_is_one_row(page, db, make_company, make_user, language):
    company = make_company("Kontorshuset i Norr Aktiebolag")
    make_user(company, role="admin", email="op@x.se", name="Margareta Operatörsson-Lindqvist", is_operator=True,
              language=language)
    sign_in(page, "op@x.se")
    page.goto("/admin/")
    items = page.locator("#admin-navbar-collapse > ul > li.nav-item, #admin-navbar-collapse > ul > li.dropdown")
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count()) if items.nth(i).is_visible()}
    assert items.count() >= 8 and len(tops) == 1, tops
    assert page.locator("nav.navbar").bounding_box()["height"] < 70
