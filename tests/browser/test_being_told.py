"""Being told, in a browser: choosing which emails I get in My account, and saving a report under a name."""
from playwright.sync_api import expect
from sqlalchemy import select

from portal.notifications.operations import wanted_kinds
from portal.reports.models import SavedReport
from portal.tenancy.models import User
from tests.browser.conftest import screenshot, sign_in
from tests.reports.test_reports import cards  # noqa: F401 - the shared fixture


def test_choosing_the_emails_i_get(page, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    user = make_user(company, role="orderer", email="oskar@nordbygg.se", name="Oskar")
    sign_in(page, user.email)
    page.goto("/account")
    box = page.locator("[data-testid=notifications]")
    expect(box.get_by_label("My order is shipped")).to_be_checked()
    box.get_by_label("My order is shipped").uncheck()
    box.get_by_label("A card of mine could not be printed").uncheck()
    screenshot(page, "my-account-emails")
    box.get_by_role("button", name="Save email choices").click()
    expect(page.locator(".alert-success")).to_contain_text("Your email choices are saved.")
    expect(page.locator("[data-testid=notifications]").get_by_label("My order is shipped")).not_to_be_checked()
    db.session.expire_all()
    assert {"order_shipped", "print_failed"}.isdisjoint(wanted_kinds(db.session.get(User, user.id)))


def test_saving_a_report_and_opening_it_again(page, db, cards):  # noqa: F811
    company, user, _ = cards
    sign_in(page, user.email)
    page.goto("/admin/reports/")
    expect(page.locator("[data-testid=saved-reports]")).to_contain_text("No saved reports yet")
    page.select_option("#status", "active")
    page.get_by_role("button", name="Show report").click()
    form = page.locator("[data-testid=save-report]")
    form.get_by_label("Name").fill("Active cards")
    form.get_by_label("Email it as Excel").select_option("monthly")
    screenshot(page, "reports-save")
    form.get_by_role("button", name="Save report").click()
    expect(page.locator(".alert-success")).to_contain_text('The report "Active cards" is saved.')
    expect(page.locator("#status")).to_have_value("active")  # the saved report is open again
    saved = page.locator("[data-testid=saved-reports]")
    expect(saved).to_contain_text("Every month")
    expect(page.locator("#report-name")).to_have_value("Active cards")  # saving again replaces it
    screenshot(page, "reports-saved")
    page.goto("/admin/reports/")
    expect(page.locator("#status")).to_have_value("")
    saved.get_by_role("link", name="Active cards").click()
    expect(page.locator("#status")).to_have_value("active")
    report = db.session.scalar(select(SavedReport))
    assert report.params["status"] == ["active"] and report.recipient_ids == [user.id]
