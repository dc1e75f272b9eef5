"""Company settings in a browser: choosing a retention period shows its count at once, before saving."""
import re
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect

from portal.infra.db_types import utcnow
from portal.ordering.models import Order
from tests.browser.conftest import sign_in


def test_choosing_a_period_shows_what_it_would_anonymise(page, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    admin = make_user(company, role="admin", email="admin@nordbygg.se")
    for n, days in enumerate((100, 400)):
        at = utcnow() - timedelta(days=days)
        db.session.add(Order(company_id=company.id, number=f"CW-B-{n}", orderer_id=admin.id, total=Decimal("1"),
                             placed_at=at, last_activity_at=at))
    db.session.commit()
    sign_in(page, admin.email)
    page.goto("/admin/company/settings/")
    preview = page.locator("#retention-preview")
    assert preview.inner_text().startswith("0 orders")
    page.select_option("#retention", "3")
    expect(preview).to_have_text(re.compile(r"^2 orders would be anonymised"))
    assert "confirm when you save" in preview.inner_text()
    page.select_option("#retention", "12")
    expect(preview).to_have_text(re.compile(r"^1 order would be anonymised"))
    page.select_option("#retention", "3")
    page.click("button[type=submit].btn-lg")
    page.wait_for_selector("[data-testid=retention-confirm]")
    page.click("[data-testid=retention-confirm] button")
    page.wait_for_selector(".alert-success")
    db.session.expire_all()
    db.session.refresh(company)
    assert company.retention_months == 3
