"""Data collection: personal requests sent to employees, and CSV import batches."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.catalog.models import CardType
from portal.infra import storage
from portal.infra.db_types import JsonType, StrEnum, utcnow
from portal.infra.extensions import db
from portal.ordering.models import Address
from portal.tenancy.models import Company, User


class RequestStatus(StrEnum):
    PENDING = "pending"
    IN_REVIEW = "in_review"
    REJECTED = "rejected"
    IN_CART = "in_cart"
    ORDERED = "ordered"
    REMOVED = "removed"
    EXPIRED = "expired"


REQUEST_STATUS_LABELS = {
    RequestStatus.PENDING: _l("Pending"),
    RequestStatus.IN_REVIEW: _l("In review"),
    RequestStatus.REJECTED: _l("Sent back"),
    RequestStatus.IN_CART: _l("In cart"),
    RequestStatus.ORDERED: _l("Ordered"),
    RequestStatus.REMOVED: _l("Removed"),
    RequestStatus.EXPIRED: _l("Expired"),
}


class ImportBatch(db.Model):
    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    card_type_id: Mapped[int] = mapped_column(ForeignKey("card_type.id"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CollectionRequest(db.Model):
    __tablename__ = "collection_request"
    __table_args__ = (
        Index("ix_collection_request_company_status", "company_id", "status"),
        Index("ix_collection_request_status_last_sent", "status", "last_sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    card_type_id: Mapped[int] = mapped_column(ForeignKey("card_type.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8), default="sv")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The personal link is rebuilt from this salt (portal.infra.tokens.derived_token); it is never stored.
    token_salt: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.PENDING.value)
    data: Mapped[dict] = mapped_column(JsonType, default=dict)
    photo_key: Mapped[str | None] = mapped_column(String(200))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id", ondelete="SET NULL"))
    # True when the orderer chose the address; the employee then cannot change it.
    address_fixed: Mapped[bool] = mapped_column(default=False)
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)

    company: Mapped[Company] = relationship()
    card_type: Mapped[CardType] = relationship()
    address: Mapped[Address | None] = relationship()
    created_by: Mapped[User | None] = relationship()


storage.holds_keys(CollectionRequest.photo_key)  # their files stay while these refer to them
