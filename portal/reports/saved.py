"""Saved reports: the report screen's filters and columns under a name, and their weekly or monthly email.

A saved report keeps the screen's query as it was (lists of strings, the URL's shape), so opening it is
opening that URL. An emailed report covers the period just ended (last week, Monday to Sunday, or last
month) whatever dates were saved; the email links to that period's Excel file, which opens for a
signed-in member of the company only (a file of personal data is never sent as an attachment).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.infra.extensions import db
from portal.reports.models import ReportSchedule, SavedReport
from portal.tenancy.models import Company, Membership, User

PARAM_KEYS = ("from", "to", "basis", "card_type", "status", "orderer", "col")
MAX_VALUES = 60  # columns chosen at most; any other key holds one value
MAX_REPORTS = 200  # per company


class ReportError(ValueError):
    """What the user is told when a report cannot be saved."""


def clean_params(args: dict[str, list[str]]) -> dict[str, list[str]]:
    """The report's own query keys only, bounded (nothing else of the URL is kept)."""
    params = {}
    for key in PARAM_KEYS:
        values = [str(v)[:120] for v in (args.get(key) or []) if str(v).strip()]
        if values:
            params[key] = values[:MAX_VALUES] if key == "col" else values[:1]
    return params


def company_members(company: Company, ids) -> list[User]:
    """The active members of the company among `ids` (another company's user is never a recipient)."""
    wanted = {int(i) for i in ids if str(i).isdigit()}
    if not wanted:
        return []
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.company_id == company.id, Membership.active.is_(True), Membership.pending.is_(False),
               User.active.is_(True), User.id.in_(wanted)).order_by(User.name, User.id)))


def save_report(company: Company, user: User, name: str, args: dict[str, list[str]], *,
                schedule: str = ReportSchedule.NONE.value, recipient_ids=()) -> SavedReport:
    """Save the report under `name`; a report of the same name is replaced. The caller commits."""
    name = " ".join((name or "").split())[:120]
    if not name:
        raise ReportError(_l("Give the report a name."))
    if ReportSchedule.of(schedule) is None:
        schedule = ReportSchedule.NONE.value
    recipients = [u.id for u in company_members(company, recipient_ids)]
    if schedule != ReportSchedule.NONE.value and not recipients:
        raise ReportError(_l("Choose who gets the report by email."))
    report = db.session.scalar(select(SavedReport).where(SavedReport.company_id == company.id,
                                                         SavedReport.name == name))
    if report is None:
        count = db.session.scalar(select(db.func.count()).select_from(SavedReport)
                                  .where(SavedReport.company_id == company.id))
        if count >= MAX_REPORTS:
            raise ReportError(_l("The company has %(num)d saved reports: delete one first.", num=MAX_REPORTS))
        report = SavedReport(company_id=company.id, name=name, created_by_id=user.id)
        db.session.add(report)
    report.params, report.schedule, report.recipient_ids = clean_params(args), schedule, recipients
    db.session.flush()
    return report


def saved_reports(company: Company) -> list[SavedReport]:
    return list(db.session.scalars(select(SavedReport).where(SavedReport.company_id == company.id)
                                   .order_by(SavedReport.name)))


def saved_report(company: Company, report_id: int) -> SavedReport:
    """The company's saved report; LookupError for any other id (another company's too)."""
    report = db.session.scalar(select(SavedReport).where(SavedReport.id == report_id,
                                                         SavedReport.company_id == company.id))
    if report is None:
        raise LookupError(report_id)
    return report


def delete_report(company: Company, report_id: int) -> str:
    report = saved_report(company, report_id)
    name = report.name
    db.session.delete(report)
    db.session.flush()
    return name


@dataclass(frozen=True)
class Period:
    key: str  # "2026-W48" or "2026-11": the unique name of what was sent
    start: date
    end: date  # inclusive


def last_period(schedule: str, today: date) -> Period | None:
    """The period just ended: last week (Monday to Sunday) or last month."""
    if schedule == ReportSchedule.WEEKLY.value:
        start = today - timedelta(days=today.weekday() + 7)
        year, week, _ = start.isocalendar()
        return Period(f"{year}-W{week:02d}", start, start + timedelta(days=6))
    if schedule == ReportSchedule.MONTHLY.value:
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.strftime("%Y-%m"), end.replace(day=1), end)
    return None


def period_from_key(key: str) -> Period | None:
    """The period a key names (for the Excel link of an email); None for anything else."""
    try:
        if "-W" in key:
            year, week = key.split("-W")
            start = date.fromisocalendar(int(year), int(week), 1)
            return Period(key, start, start + timedelta(days=6))
        year, month = (int(p) for p in key.split("-"))
        start = date(year, month, 1)
        return Period(key, start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    except (ValueError, TypeError):
        return None


def period_params(report: SavedReport, period: Period | None) -> dict[str, list[str]]:
    """The report's query, with the period's dates in place of the saved ones."""
    params = dict(report.params or {})
    if period is not None:
        params["from"], params["to"] = [period.start.isoformat()], [period.end.isoformat()]
    return params
