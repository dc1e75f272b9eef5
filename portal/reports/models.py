"""Saved reports: a report's filters and columns under a name, optionally emailed as Excel on a schedule."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.infra.db_types import JsonType, StrEnum, utcnow
from portal.infra.extensions import db
from portal.tenancy.models import User


class ReportSchedule(StrEnum):
    NONE = "none", _l("Not emailed"), "secondary"
    WEEKLY = "weekly", _l("Every week"), "info"
    MONTHLY = "monthly", _l("Every month"), "info"


class SavedReport(db.Model):
    __tablename__ = "saved_report"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_saved_report_company_name"),)
    __audited__ = frozenset({"name", "params", "schedule", "recipient_ids"})

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The report screen's query: {"from": [...], "col": [...], ...} (lists of strings, as the URL has them).
    params: Mapped[dict] = mapped_column(JsonType, default=dict)
    schedule: Mapped[str] = mapped_column(String(16), default=ReportSchedule.NONE.value)
    recipient_ids: Mapped[list] = mapped_column(JsonType, default=list)  # users of the company
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()


class SavedReportSend(db.Model):
    """One row per report and period sent ("2026-W48", "2026-11"): the job sends a period once."""

    __tablename__ = "saved_report_send"
    __tenant_owner__ = "report_id"
    __table_args__ = (UniqueConstraint("report_id", "period", name="uq_saved_report_send_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("saved_report.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(16))
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
