"""Company > Card fees lists last month's card-fee invoice after the monthly job, and the invoice shows its
lines with VAT and the total (real Chromium)."""
from tests.browser.conftest import screenshot, sign_in


def test_card_fee_invoice_opens_with_its_lines(page, db, make_company, make_user, make_card_type):
    from datetime import date, datetime
    from decimal import Decimal

    from portal.cards.models import Card
    from portal.reports.tasks import invoice_last_month_card_fees

    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="admin", email="anna@nordbygg.se", name="Anna Admin")
    badge = make_card_type("Employee badge", fee=Decimal("5.00"), fee_period="month")
    fob = make_card_type("Key fob", fee=Decimal("60.00"), fee_period="year")
    for i, ct in enumerate([badge, badge, badge, fob]):
        db.session.add(Card(company_id=company.id, card_type_id=ct.id, holder_name=f"Holder {i}", status="active",
                            activated_at=datetime(2026, 9, 1), status_changed_at=datetime(2026, 9, 1)))
    db.session.commit()
    invoice_last_month_card_fees(today=date(2026, 11, 1))
    sign_in(page, "anna@nordbygg.se")
    page.goto(page.url.split("/admin")[0] + "/admin/company/card-fees/")
    row = page.locator("[data-testid=fee-invoices] tbody tr").first
    assert "October 2026" in row.inner_text() and "25.00" in row.inner_text()  # (15 + 5) + 25 % VAT
    row.locator("a").click()
    lines = page.locator("[data-testid=invoice-lines]")
    lines.wait_for()
    text = lines.inner_text().replace("\xa0", " ")
    assert "Card fee, October 2026: Employee badge\t3\t5.00 SEK\t15.00 SEK" in text
    assert "Card fee, October 2026: Key fob\t1\t5.00 SEK\t5.00 SEK" in text
    assert "Total\t25.00 SEK" in text
    screenshot(page, "card-fee-invoice")
