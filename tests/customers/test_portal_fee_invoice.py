"""The customer portal's card-fee invoice lists its lines (card type, active cards, monthly fee, amount) with
VAT and the total, in the account's language; another company's invoice is not found."""
from datetime import date, datetime
from decimal import Decimal

from portal.cards.models import Card
from portal.reports.fee_invoices import invoice_card_fees
from tests.conftest import html_text
from tests.customers.test_portal import _login


def _fee_invoice(db, company, ct, cards: int):
    for _ in range(cards):
        db.session.add(Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa Öberg", status="active",
                            activated_at=datetime(2026, 9, 3), status_changed_at=datetime(2026, 9, 3)))
    db.session.flush()
    invoice = invoice_card_fees(company, "2026-10", issued_on=date(2026, 11, 1))
    db.session.commit()
    return invoice


def test_the_portal_invoice_lists_its_card_fee_lines(client, db, portal, make_company, make_card_type):
    settings, company, right, account = portal
    fob = make_card_type("Key fob", fee=Decimal("120.00"), fee_period="year")
    invoice = _fee_invoice(db, company, fob, 3)
    other = make_company("Other AB")
    theirs = _fee_invoice(db, other, fob, 1)
    _login(client)
    page = html_text(client.get(f"/portal/invoices/{invoice.id}"))
    assert "Card fee, October 2026: Key fob 3 10.00 SEK 30.00 SEK" in page
    assert "Total excluding VAT 30.00 SEK" in page and "VAT 7.50 SEK" in page and "Total 37.50 SEK" in page
    assert client.get(f"/portal/invoices/{theirs.id}").status_code == 404


def test_the_portal_invoice_speaks_swedish(client, db, portal, make_card_type):
    settings, company, right, account = portal
    company.language = "sv"
    fob = make_card_type("Key fob", fee=Decimal("10.00"), fee_period="month",
                         translations={"sv": {"name": "Nyckelbricka"}})
    invoice = _fee_invoice(db, company, fob, 2)
    client.get("/portal/login?lang=sv")
    _login(client)
    page = html_text(client.get(f"/portal/invoices/{invoice.id}?lang=sv"))
    assert "Kortavgift, oktober 2026: Nyckelbricka 2" in page
    for english in ("Card fee", "Total excluding VAT", "Description", "Quantity", "Unit price", "Key fob"):
        assert english not in page
