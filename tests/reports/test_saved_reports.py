"""Saved reports: filters and columns under a name, opened, deleted, and emailed once per period."""
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.outbox.models import OutboxEmail
from portal.outbox.tasks import send_pending_emails
from portal.reports.models import SavedReport, SavedReportSend
from portal.reports.saved import ReportError, last_period, save_report
from portal.reports.tasks import send_saved_reports
from tests.conftest import html_text
from tests.fixtures.servers import body_text
from tests.reports.test_reports import cards  # noqa: F401 - the shared fixture


def test_last_period_is_the_week_or_month_just_ended():
    week = last_period("weekly", date(2026, 12, 2))  # a Wednesday
    assert (week.key, week.start, week.end) == ("2026-W48", date(2026, 11, 23), date(2026, 11, 29))
    month = last_period("monthly", date(2026, 1, 15))
    assert (month.key, month.start, month.end) == ("2025-12", date(2025, 12, 1), date(2025, 12, 31))
    assert last_period("none", date(2026, 1, 15)) is None


def test_save_replaces_by_name_and_needs_recipients_to_email(db, cards, make_user, make_company):  # noqa: F811
    company, user, _ = cards
    stranger = make_user(make_company("Else AB"), email="x@else.se")
    args = {"status": ["active"], "col": ["holder_name", "status"], "page": ["3"], "evil": ["x"]}
    report = save_report(company, user, "  Active   cards ", args)
    db.session.commit()
    assert report.name == "Active cards" and report.params == {"status": ["active"], "col": ["holder_name", "status"]}
    with pytest.raises(ReportError):
        save_report(company, user, "Active cards", args, schedule="weekly", recipient_ids=[str(stranger.id)])
    save_report(company, user, "Active cards", args, schedule="weekly", recipient_ids=[str(user.id), str(stranger.id)])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SavedReport)) == 1
    assert db.session.scalar(select(SavedReport.recipient_ids)) == [user.id]  # never another company's user
    with pytest.raises(ReportError):
        save_report(company, user, "   ", args)


def test_job_emails_each_period_once_even_when_run_twice(db, cards, smtp_server):  # noqa: F811
    company, user, _ = cards
    report = save_report(company, user, "November", {"col": ["holder_name"]}, schedule="monthly",
                         recipient_ids=[user.id])
    report.created_at = datetime(2026, 11, 5)
    db.session.commit()
    assert send_saved_reports(today=date(2026, 11, 20)) == {"sent": 0}  # October ended before it was saved
    assert send_saved_reports(today=date(2026, 12, 1)) == {"sent": 1}
    assert send_saved_reports(today=date(2026, 12, 1)) == {"sent": 0}
    assert send_saved_reports(today=date(2026, 12, 28)) == {"sent": 0}
    assert db.session.scalars(select(SavedReportSend.period)).all() == ["2026-11"]
    [mail] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "saved_report")).all()
    assert mail.to == user.email and "November" in mail.subject and "has 1 card." in mail.body_text
    send_pending_emails()
    [msg] = smtp_server.wait_for(user.email)
    link = re.search(r"https?://[^/\s]+(/admin/reports/saved/\d+/excel\?period=2026-11)", body_text(msg)).group(1)
    assert link.endswith("period=2026-11")
    # The Excel file itself travels with the email, its column names in the reader's language.
    [excel] = [part for part in msg.walk() if part.get_filename() and part.get_filename().endswith(".xlsx")]
    sheet = load_workbook(io.BytesIO(excel.get_payload(decode=True))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[0][0]  # the header and the one card
    assert send_saved_reports(today=date(2027, 1, 1)) == {"sent": 1}  # the next month is a new period


def test_the_emailed_link_opens_that_periods_excel_for_the_company_only(client, db, cards, make_user,  # noqa: F811
                                                                        make_company):
    company, user, _ = cards
    report = save_report(company, user, "Monthly", {"col": ["holder_name"], "from": ["2020-01-01"]},
                         schedule="monthly", recipient_ids=[user.id])
    db.session.commit()
    client.login(user.email)
    resp = client.get(f"/admin/reports/saved/{report.id}/excel?period=2026-11")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    assert [c.value for c in sheet["A"]][1:] == ["'=HYPERLINK(\"x\")"]  # November's card, formula-safe
    october = load_workbook(io.BytesIO(client.get(f"/admin/reports/saved/{report.id}/excel?period=2026-10").data)).active
    assert [c.value for c in october["A"]][1:] == ["Åsa Öberg"]  # the period's dates replace the saved ones
    other = make_company("Other Two AB")
    outsider = make_user(other, role="admin", email="admin@othertwo.se")
    client.post("/logout")
    client.login(outsider.email)
    assert client.get(f"/admin/reports/saved/{report.id}/excel").status_code == 404
    assert client.get(f"/admin/reports/saved/{report.id}").status_code == 404
    assert client.post(f"/admin/reports/saved/{report.id}/delete").status_code == 404
    assert db.session.get(SavedReport, report.id) is not None


def test_screen_saves_lists_opens_and_deletes(client, db, cards):  # noqa: F811
    company, user, _ = cards
    client.login(user.email)
    resp = client.post("/admin/reports/save", {"name": "Active", "q_status": "active", "q_col": ["holder_name", "status"],
                                               "schedule": "none"})
    report = db.session.scalar(select(SavedReport))
    assert resp.status_code == 302 and resp.location.endswith(f"/admin/reports/saved/{report.id}")
    opened = client.get(f"/admin/reports/saved/{report.id}")
    assert "status=active" in opened.location and "col=holder_name" in opened.location
    page = html_text(client.get(opened.location))
    assert "Saved reports" in page and "Active" in page and "Åsa Öberg" in page and "=HYPERLINK" not in page
    client.post(f"/admin/reports/saved/{report.id}/delete")
    assert db.session.scalar(select(SavedReport)) is None
    assert "No saved reports yet" in html_text(client.get("/admin/reports/"))


def test_two_job_runs_at_once_send_a_period_once(app, db, cards):  # noqa: F811
    """Two schedulers (two threads, two sessions) run the job at the same moment: one email."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    import threading

    company, user, _ = cards
    report = save_report(company, user, "Weekly", {"col": ["holder_name"]}, schedule="weekly", recipient_ids=[user.id])
    report.created_at = datetime(2026, 11, 1)
    db.session.commit()
    barrier, results = threading.Barrier(2), []

    def run():
        with app.app_context():
            from portal.infra.extensions import db as _db

            barrier.wait()
            results.append(send_saved_reports(today=date(2026, 12, 2)))
            _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["sent"] for r in results) == [0, 1]
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail).where(OutboxEmail.kind == "saved_report")) == 1
