"""Company > Card fees: active cards per month and card type with the fee, from simulated card histories;
exports are formula-safe; another company's cards never count."""
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from portal.cards.models import Card
from portal.reports.card_fees import card_fee_rows, export_fees_csv, export_fees_xlsx
from tests.conftest import html_text

TODAY = date(2026, 6, 15)


def _card(db, company, ct, activated, terminated=None, status="active", name="Åsa Öberg"):
    card = Card(company_id=company.id, card_type_id=ct.id, holder_name=name, status=status,
                activated_at=activated, status_changed_at=terminated or activated)
    if terminated:
        card.status = "terminated"
    db.session.add(card)
    return card


def _world(db, make_company, make_card_type):
    company = make_company("Nordbygg AB")
    monthly = make_card_type("=Badge", fee=Decimal("10.00"), fee_period="month")  # a name that looks like a formula
    yearly = make_card_type("Key fob", fee=Decimal("120.00"), fee_period="year")
    free = make_card_type("Visitor card")
    _card(db, company, monthly, datetime(2026, 3, 10))  # active March..June
    _card(db, company, monthly, datetime(2026, 4, 30, 23))  # active April..June
    _card(db, company, monthly, datetime(2026, 1, 5), terminated=datetime(2026, 4, 2))  # Jan..April
    _card(db, company, monthly, datetime(2026, 2, 1), status="blocked")  # blocked still counts
    _card(db, company, yearly, datetime(2026, 5, 20))  # May, June: 10.00 a month
    _card(db, company, free, datetime(2026, 1, 1))  # no fee: not listed
    _card(db, company, monthly, None, status="ordered")  # never active
    other = make_company("Other AB")
    _card(db, other, monthly, datetime(2026, 1, 1), name="BetaAB")
    db.session.commit()
    return company, monthly, yearly


def test_active_cards_per_month_and_type_with_monthly_and_yearly_fees(db, make_company, make_card_type):
    company, monthly, yearly = _world(db, make_company, make_card_type)
    rows = {(r.month, r.card_type.name): (r.cards, r.amount) for r in card_fee_rows(company, 6, TODAY)}
    assert rows == {
        ("2026-06", "=Badge"): (3, Decimal("30.00")), ("2026-06", "Key fob"): (1, Decimal("10.00")),
        ("2026-05", "=Badge"): (3, Decimal("30.00")), ("2026-05", "Key fob"): (1, Decimal("10.00")),
        ("2026-04", "=Badge"): (4, Decimal("40.00")),
        ("2026-03", "=Badge"): (3, Decimal("30.00")),
        ("2026-02", "=Badge"): (2, Decimal("20.00")),
        ("2026-01", "=Badge"): (1, Decimal("10.00")),
    }


def test_exports_are_formula_safe_and_carry_the_numbers(app, db, make_company, make_card_type):
    company, *_ = _world(db, make_company, make_card_type)
    with app.test_request_context():
        rows = card_fee_rows(company, 6, TODAY)
        csv_text = export_fees_csv(rows).decode("utf-8-sig")
        sheet = load_workbook(io.BytesIO(export_fees_xlsx(rows))).active
    assert "'=Badge" in csv_text and "\n2026-04,'=Badge,4,10.00,40.00" in csv_text.replace("\r\n", "\n")
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Month" and ["2026-04", "'=Badge", 4, 10, 40] in values


def test_card_fees_screen_shows_only_the_own_company(client, db, make_company, make_card_type, make_user):
    company, *_ = _world(db, make_company, make_card_type)
    admin = make_user(company, role="admin", email="admin@nordbygg.se")
    client.login(admin.email)
    page = html_text(client.get("/admin/company/card-fees/"))
    assert "Card fees" in page and "Key fob" in page and "BetaAB" not in page
    csv = client.get("/admin/company/card-fees/?format=csv")
    assert csv.mimetype == "text/csv" and "'=Badge" in csv.get_data(as_text=True)
