"""Card-fee invoices: a month's card fees become one invoice per company with a line per card type (a yearly
fee counted per month as *Card fees* does), VAT at the company's rate, due in 30 days; the monthly job
invoices the month before once, even when run twice or twice at the same moment."""
import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.cards.models import Card
from portal.infra.extensions import db as _db
from portal.ordering.models import Invoice, InvoiceLine
from portal.reports.fee_invoices import invoice_card_fees
from portal.reports.tasks import invoice_last_month_card_fees
from tests.conftest import html_text


def _card(db, company, ct, activated, terminated=None, status="active"):
    db.session.add(Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa Öberg",
                        status="terminated" if terminated else status, activated_at=activated,
                        status_changed_at=terminated or activated))


def _world(db, make_company, make_card_type):
    company = make_company("Nordbygg AB", country="FI")  # 25.5 % VAT
    monthly = make_card_type("Site badge", fee=Decimal("10.00"), fee_period="month")
    yearly = make_card_type("Key fob", fee=Decimal("100.00"), fee_period="year")  # 8.3333... a month
    free = make_card_type("Visitor card")
    _card(db, company, monthly, datetime(2026, 3, 10))
    _card(db, company, monthly, datetime(2026, 4, 30, 23))
    _card(db, company, monthly, datetime(2026, 1, 5), terminated=datetime(2026, 4, 2))  # counts in April
    _card(db, company, monthly, datetime(2026, 2, 1), status="blocked")  # blocked still counts
    _card(db, company, monthly, datetime(2026, 5, 3))  # from May: not in April
    for _ in range(7):
        _card(db, company, yearly, datetime(2026, 4, 20))
    _card(db, company, free, datetime(2026, 1, 1))
    other = make_company("Other AB")
    _card(db, other, monthly, datetime(2026, 1, 1))
    db.session.commit()
    return company, other, monthly, yearly


def test_a_month_of_card_fees_becomes_one_invoice_with_a_line_per_card_type(app, db, make_company, make_card_type):
    company, other, monthly, yearly = _world(db, make_company, make_card_type)
    invoice = invoice_card_fees(company, "2026-04", issued_on=date(2026, 5, 1))
    db.session.commit()
    lines = {line.description: (line.quantity, line.unit_price, line.amount, line.card_type_id) for line in invoice.lines}
    assert lines == {
        "Site badge": (4, Decimal("10.0000"), Decimal("40.00"), monthly.id),
        "Key fob": (7, Decimal("8.3333"), Decimal("58.33"), yearly.id),  # 7 x 100/12 = 58.333...
    }
    assert (invoice.period, invoice.amount, invoice.vat, invoice.gross) == (
        "2026-04", Decimal("98.33"), Decimal("25.07"), Decimal("123.40"))  # 25.5 % of 98.33 = 25.074
    assert invoice.due_on == date(2026, 5, 31) and invoice.issued_on == date(2026, 5, 1)
    assert invoice.number.startswith("INV-") and invoice.company_id == company.id
    assert invoice_card_fees(company, "2026-04") is None  # already invoiced: nothing new
    assert invoice_card_fees(company, "2025-12") is None  # no active cards: no invoice
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 1


def test_the_job_invoices_last_month_once_for_every_company_with_fees(app, db, make_company, make_card_type):
    company, other, monthly, _yearly = _world(db, make_company, make_card_type)
    assert invoice_last_month_card_fees(today=date(2026, 5, 1)) == {"invoiced": 2}
    assert invoice_last_month_card_fees(today=date(2026, 5, 1)) == {"invoiced": 0}
    assert invoice_last_month_card_fees(today=date(2026, 5, 20)) == {"invoiced": 0}  # hourly, all month
    invoices = db.session.scalars(select(Invoice).order_by(Invoice.company_id)).all()
    assert [(i.company_id, i.period) for i in invoices] == [(company.id, "2026-04"), (other.id, "2026-04")]
    assert [(line.quantity, line.amount) for line in invoices[1].lines] == [(1, Decimal("10.00"))]
    assert invoice_last_month_card_fees(today=date(2026, 6, 1)) == {"invoiced": 2}  # next month: May
    assert db.session.scalar(select(func.count()).select_from(InvoiceLine)) == 6


def test_two_job_runs_at_the_same_moment_write_one_invoice(app, db, make_company, make_card_type):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    company, other, *_ = _world(db, make_company, make_card_type)
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results.append(invoice_last_month_card_fees(today=date(2026, 5, 1))["invoiced"])
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and sorted(results) in ([0, 2], [1, 1])
    db.session.expire_all()
    periods = db.session.execute(select(Invoice.company_id, Invoice.period)).all()
    assert sorted(periods) == [(company.id, "2026-04"), (other.id, "2026-04")]
    numbers = db.session.scalars(select(Invoice.number).order_by(Invoice.number)).all()
    year = datetime.now().year
    assert numbers == [f"INV-{year}-000001", f"INV-{year}-000002"]  # no number used up by the loser


def test_company_card_fees_lists_the_invoices_and_an_invoice_its_lines(client, db, make_company, make_card_type,
                                                                      make_user):
    company, other, *_ = _world(db, make_company, make_card_type)
    admin = make_user(company, role="admin", email="admin@nordbygg.se")
    client.login(admin.email)
    assert "No card-fee invoices yet" in html_text(client.get("/admin/company/card-fees/"))
    invoice_last_month_card_fees(today=date(2026, 5, 1))
    ours, theirs = (db.session.scalar(select(Invoice).where(Invoice.company_id == c.id)) for c in (company, other))
    page = html_text(client.get("/admin/company/card-fees/"))
    assert f"{ours.number} April 2026" in page and "123.40 SEK Unpaid" in page and theirs.number not in page
    page = html_text(client.get(f"/admin/company/card-fees/invoices/{ours.id}"))
    assert "Card fee, April 2026: Site badge 4 10.00 SEK 40.00 SEK" in page
    assert "Card fee, April 2026: Key fob 7 8.33 SEK 58.33 SEK" in page
    assert "Total excluding VAT 98.33 SEK VAT 25.07 SEK Total 123.40 SEK" in page
    assert client.get(f"/admin/company/card-fees/invoices/{theirs.id}").status_code == 404
