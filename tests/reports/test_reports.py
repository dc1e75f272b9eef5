"""Reports and the dashboard: filters, chosen columns with readouts, safe exports, charts."""
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from portal.cards.models import Card
from portal.reports.operations import ReportFilter, export_csv, export_xlsx, monthly_counts, report_rows
from tests.conftest import html_text


@pytest.fixture()
def cards(db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB")
    other = make_company("Other AB")
    user = make_user(company, role="admin", email="admin@nordbygg.se")
    ct = make_card_type("Site ID")
    now = datetime(2026, 11, 10, 12, 0)
    rows = [
        Card(company_id=company.id, card_type_id=ct.id, orderer_id=user.id, holder_name="Åsa Öberg",
             national_id="198501011234", status="active", card_number="1001", chip_uid="04A1",
             readouts={"mifare_sector": "7"}, created_at=now - timedelta(days=40), activated_at=now),
        Card(company_id=company.id, card_type_id=ct.id, orderer_id=user.id, holder_name="=HYPERLINK(\"x\")",
             status="ordered", created_at=now - timedelta(days=2)),
        Card(company_id=other.id, card_type_id=ct.id, holder_name="Not Mine", status="active", created_at=now),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return company, user, rows


def test_report_filters_by_period_status_and_shows_chosen_readouts(db, cards):
    company, _, _ = cards
    f = ReportFilter(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), basis="activated",
                     columns=["holder_name", "chip_uid", "readout:mifare_sector"])
    total, rows = report_rows(company, f)
    assert total == 1 and rows == [["Åsa Öberg", "04A1", "7"]]
    total, rows = report_rows(company, ReportFilter(status="ordered", columns=["holder_name"]))
    assert rows == [['=HYPERLINK("x")']]


def test_reports_never_show_another_companys_cards(db, cards):
    company, _, _ = cards
    _, rows = report_rows(company, ReportFilter(columns=["holder_name"]))
    assert "Not Mine" not in {r[0] for r in rows}


def test_csv_and_excel_exports_cannot_start_a_formula(db, cards):
    company, _, _ = cards
    f = ReportFilter(columns=["holder_name"])
    csv_text = export_csv(company, f).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    sheet = load_workbook(io.BytesIO(export_xlsx(company, f))).active
    values = [c.value for c in sheet["A"]]
    assert "'=HYPERLINK(\"x\")" in values
    assert all(not str(v).startswith("=") for v in values if v)


def test_monthly_counts_split_by_status(db, cards):
    company, _, _ = cards
    months = monthly_counts(company, months=3, today=date(2026, 11, 24))
    assert [m["month"] for m in months] == ["2026-09", "2026-10", "2026-11"]
    assert months[1]["by_status"] == {"active": 1} and months[2]["by_status"] == {"ordered": 1}


def test_reports_page_and_exports_through_the_screen(client, cards):
    company, user, _ = cards
    client.login(user.email)
    page = client.get("/admin/reports/?col=holder_name&col=card_number")
    assert page.status_code == 200
    text = html_text(page)
    assert "Åsa Öberg" in text and "Not Mine" not in text
    assert "<svg" in page.get_data(as_text=True)
    xlsx = client.get("/admin/reports/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_dashboard_shows_the_numbers_that_matter(client, db, cards, make_world):
    company, user, _ = cards
    client.login(user.email)
    text = html_text(client.get("/admin/"))
    for label in ("Waiting for employees", "To review", "In your cart", "Orders in production", "Print queue"):
        assert label in text


def test_a_new_layout_field_is_a_report_and_export_column_without_code_changes(client, db, cards, make_card_type):
    from portal.catalog.models import LayoutField

    company, user, rows = cards
    other = rows[2].company_id
    ct = db.session.get(type(rows[0].card_type), rows[0].card_type_id)
    db.session.add(LayoutField(card_type_id=ct.id, key="department", label_en="Department", label_sv="Avdelning",
                               kind="text", required=False, position=9))
    make_card_type("Other's own", company=db.session.get(type(company), other),
                   fields=[("secret_code", "Secret code", "text", False)])
    rows[0].holder_data = {"first_name": "Åsa", "department": "Logistics"}
    db.session.commit()
    client.login(user.email)
    chooser = client.get("/admin/reports/").get_data(as_text=True)
    assert 'value="field:department"' in chooser and "Department" in chooser and "Secret code" not in chooser
    url = "/admin/reports/?col=holder_name&col=field:department&col=field:first_name"
    assert "Logistics" in html_text(client.get(url))
    csv_text = client.get(url + "&format=csv").data.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "Card holder,Department,First name"
    assert "Åsa Öberg,Logistics,Åsa" in csv_text
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").data)).active
    assert [c.value for c in next(sheet.iter_rows())] == ["Card holder", "Department", "First name"]
    assert "Logistics" in [c.value for row in sheet.iter_rows() for c in row]
    assert "field:secret_code" not in html_text(client.get("/admin/reports/?col=field:secret_code&format=csv"))
