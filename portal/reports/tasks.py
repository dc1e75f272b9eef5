"""The saved-reports job: each emailed report once per period (week or month), even when run twice."""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.jobs import scheduled
from portal.outbox.mail import queue_email
from portal.reports.fee_invoices import companies_to_invoice, invoice_card_fees, previous_month
from portal.reports.models import ReportSchedule, SavedReport, SavedReportSend
from portal.reports.operations import COLUMNS, allowed_columns, export_xlsx, filter_from_params, report_rows
from portal.reports.saved import company_members, last_period, period_params
from portal.tenancy.models import Company


def _claim(report_id: int, period: str) -> SavedReportSend | None:
    """The claim: the unique row (report, period). A second run, here or in another process, fails to add
    it (on PostgreSQL it waits for the first run's commit, then fails) and sends nothing."""
    row = SavedReportSend(report_id=report_id, period=period, sent_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return None
    return row


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _excel(company: Company, f, language: str) -> bytes:
    """The report's Excel file with its column names in the recipient's language (the job has no request)."""
    with current_app.test_request_context(), force_locale(language):
        return export_xlsx(company, f)


@scheduled("saved_reports", 3600)
def send_saved_reports(today: date | None = None) -> dict:
    """Email every scheduled report whose last period (last week, last month) is not yet sent."""
    today = today or utcnow().date()
    sent = 0
    due = db.session.execute(select(SavedReport.id, SavedReport.schedule, SavedReport.created_at).where(
        SavedReport.schedule != ReportSchedule.NONE.value).order_by(SavedReport.id)).all()
    for report_id, schedule, created_at in due:
        period = last_period(schedule, today)
        if period is None or period.end < created_at.date():
            continue  # the first email covers the first period that ends after the report was saved
        if db.session.scalar(select(SavedReportSend.id).where(
                SavedReportSend.report_id == report_id, SavedReportSend.period == period.key)):
            continue
        claim = _claim(report_id, period.key)
        if claim is None:
            continue
        report = db.session.get(SavedReport, report_id)
        company = db.session.get(Company, report.company_id)
        layout, readouts = allowed_columns(company)
        f = filter_from_params(period_params(report, period), set(COLUMNS) | set(layout) | set(readouts))
        total, _rows = report_rows(company, f, limit=1)
        recipients = company_members(company, report.recipient_ids or [])
        files: dict[str, bytes] = {}  # the Excel file once per language (its column names are translated)
        for user in recipients:
            language = user.language or company.language or "en"
            if language not in files:
                files[language] = _excel(company, f, language)
            name = f"cardwright-report-{report.id}-{period.key}.xlsx"
            queue_email(user.email, "saved_report", language, company_id=company.id, company=company, user=user,
                        report=report, period=period, cards=total, attachments=((name, XLSX, files[language]),))
        claim.recipients = len(recipients)
        db.session.commit()  # one report and period per transaction: a later failure never sends it again
        sent += 1
    return {"sent": sent}


@scheduled("card_fee_invoices", 3600)
def invoice_last_month_card_fees(today: date | None = None) -> dict:
    """From the 1st of a month on, invoice the month before's card fees of every company that had any.

    Hourly and idempotent: a company already invoiced for that month is skipped, and two runs at once
    write one invoice (`create_invoice`'s unique key). One company per transaction.
    """
    today = today or utcnow().date()
    month, invoiced = previous_month(today), 0
    for company_id in companies_to_invoice(month):
        if invoice_card_fees(db.session.get(Company, company_id), month, issued_on=today) is not None:
            invoiced += 1
        db.session.commit()
    return {"invoiced": invoiced}
