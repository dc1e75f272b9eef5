"""Printers and the print queue."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cards.models import Card
from portal.infra.db_types import StrEnum, utcnow
from portal.infra.extensions import db


class PrinterBackend(StrEnum):
    CUPS = "cups", _l("CUPS queue")
    HOT_FOLDER = "hot_folder", _l("Hot folder")

# Errors the system itself writes on a job (in English, by the scheduler), shown in the reader's language.
INTERRUPTED = "Interrupted while printing. Check the printer and reprint if no card came out."
NO_LP = "The CUPS command lp is not installed on the server."
PRINTER_DISABLED = "The printer is disabled: the job waits until it is enabled again."
SYSTEM_ERRORS = {INTERRUPTED: _l("Interrupted while printing. Check the printer and reprint if no card came out."),
                 NO_LP: _l("The CUPS command lp is not installed on the server."),
                 PRINTER_DISABLED: _l("The printer is disabled: the job waits until it is enabled again.")}


class Printer(db.Model):
    __tablename__ = "printer"
    __audited__ = frozenset({"name", "location", "model", "backend", "target", "enabled"})

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(120), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    backend: Mapped[str] = mapped_column(String(16), default=PrinterBackend.HOT_FOLDER.value)
    # CUPS queue name, or the hot folder's path.
    target: Mapped[str] = mapped_column(String(400), default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __str__(self) -> str:
        return f"{self.name} ({self.location})" if self.location else self.name


class PrintJobStatus(StrEnum):
    QUEUED = "queued", _l("Queued"), "secondary"
    PRINTING = "printing", _l("Printing"), "info"
    PRINTED = "printed", _l("Printed"), "success"
    FAILED = "failed", _l("Failed"), "danger"
    CANCELLED = "cancelled", _l("Cancelled"), "dark"


class PrintJob(db.Model):
    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printer.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    is_test_page: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=PrintJobStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    output: Mapped[str] = mapped_column(String(400), default="")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claim: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    printed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    card: Mapped[Card | None] = relationship()
    printer: Mapped[Printer] = relationship()
