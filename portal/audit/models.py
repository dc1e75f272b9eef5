"""The audit trail: who did what, when, in which company."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.infra.db_types import JsonType, utcnow
from portal.infra.extensions import db
from portal.tenancy.models import Company, User


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_company_created", "company_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Done through the API with this key (the key's creator is user_id when the key acts for a person).
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id", ondelete="SET NULL"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(40), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict] = mapped_column(JsonType, default=dict)
    # Read access to personal data: keyed digests of the person viewed (portal.audit.reads), never the data.
    subject: Mapped[str] = mapped_column(String(60), default="", server_default="")

    user: Mapped[User | None] = relationship()
    company: Mapped[Company | None] = relationship()
