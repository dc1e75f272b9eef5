"""Company > Privacy in a browser: find a person, export their data (a ZIP download), erase them after
the confirmation; the page then finds nobody."""
import io
import json
import zipfile

from tests.browser.axe import axe_violations
from tests.browser.conftest import screenshot, sign_in
from tests.privacy.conftest import EMAIL, NAME, NID, find_everywhere, make_person  # noqa: F401 - the fixture


def test_find_export_and_erase_a_person(page, db, make_company, make_person):  # noqa: F811
    company = make_company("Nordbygg AB", language="en")
    made = make_person(company)
    sign_in(page, made["user"].email)
    page.goto("/admin/company/privacy/")
    assert axe_violations(page) == []
    page.click("[data-testid=find-person-link]")
    page.fill("#person-q", "19850101-1234")
    page.click("button[type=submit]:has-text('Search')")
    assert axe_violations(page) == []
    page.click(f"[data-testid=people] a:has-text('{NAME}')")
    page.wait_for_selector("[data-testid=privacy-person]")
    assert axe_violations(page) == []
    assert "2 cards" in page.inner_text("[data-testid=held]")
    screenshot(page, "privacy-person")
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    data = download.value.path().read_bytes()
    exported = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("person.json"))
    assert exported["person"]["national_id"] == NID and len(exported["cards"]) == 2
    page.click("[data-testid=erase-link]")
    assert "amounts stay" in page.inner_text("[data-testid=kept]")
    assert axe_violations(page) == []
    screenshot(page, "privacy-erase")
    page.check("#confirm-erase")
    page.click("[data-testid=erase]")
    page.wait_for_selector(".alert-success")
    assert "2 cards erased" in page.inner_text(".alert-success")
    page.fill("#person-q", EMAIL)
    page.click("button[type=submit]:has-text('Search')")
    page.wait_for_selector("[data-testid=nobody]")
    db.session.expire_all()
    assert find_everywhere(NAME, EMAIL, NID) == []
