"""The outbox table: one row per email, written in the transaction of the change that causes it."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.infra.db_types import StrEnum, utcnow
from portal.infra.extensions import db

MAX_ATTEMPTS = 20
STALE_CLAIM = timedelta(minutes=10)


class OutboxState(StrEnum):
    PENDING = "pending", _l("Queued"), "info"
    SENDING = "sending", _l("Sending"), "primary"
    SENT = "sent", _l("Sent"), "success"
    FAILED = "failed", _l("Not delivered"), "danger"


class Priority:
    URGENT = 0
    BULK = 1


class OutboxEmail(db.Model):
    __tablename__ = "outbox_email"
    __table_args__ = (
        Index("ix_outbox_email_state_next", "state", "next_attempt_at"),
        # The claim takes each company's oldest first, urgent before bulk (see outbox.tasks).
        Index("ix_outbox_email_claim_order", "state", "priority", "company_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="SET NULL"), index=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(40), default="")
    # URGENT (someone is waiting for it: password reset, sign-in link, approvals) goes before BULK
    # (data-collection requests and reminders, thousands at once); set from `kind` by the outbox.
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)




class OutboxAttachment(db.Model):
    """A file sent with an outbox email (an order confirmation's PDF); goes with its email."""

    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("outbox_email.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
