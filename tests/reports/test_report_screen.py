"""The reports screen and dashboard as a user reads them: dates in the user's language, status badges,
the per-status chart, and date cells in the Excel export."""
import io
from datetime import date

from openpyxl import load_workbook

from portal.reports.operations import ReportFilter, export_csv, export_xlsx, status_counts
from tests.conftest import html_text
from tests.reports.test_reports import cards  # noqa: F401 - the shared fixture


def test_status_counts_cover_every_status(db, cards):  # noqa: F811
    company, _, _ = cards
    counts = dict(status_counts(company))
    assert counts == {"ordered": 1, "in_production": 0, "active": 1, "blocked": 0, "terminated": 0}


def test_report_dates_follow_the_users_language_and_exports_stay_iso(client, db, cards):  # noqa: F811
    company, user, _ = cards
    user.language = "sv"
    db.session.commit()
    client.login(user.email)
    page = client.get("/admin/reports/?col=holder_name&col=status&col=created_at").get_data(as_text=True)
    assert "1 okt. 2026" in html_text(client.get("/admin/reports/?col=created_at"))
    assert "2026-10-01" not in page
    assert 'badge badge-success">Aktiv<' in page
    assert f'href="/admin/cards/{cards[2][0].id}"' in page  # the holder's name opens the card
    assert "Kort per status" in html_text(client.get("/admin/"))
    f = ReportFilter(columns=["holder_name", "created_at"])
    assert "2026-10-01" in export_csv(company, f).decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(export_xlsx(company, f))).active
    assert any(getattr(c.value, "date", lambda: None)() == date(2026, 10, 1) for c in sheet["B"])
