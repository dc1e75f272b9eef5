"""Data collection: personal requests sent to employees, and CSV import batches."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.catalog.models import CardType
from portal.infra import storage
from portal.infra.db_types import JsonType, StrEnum, utcnow
from portal.infra.extensions import db
from portal.infra.trigram import TrigramIndex
from portal.ordering.models import Address
from portal.tenancy.models import Company, User

# Any email with the link (the request, a reminder by hand or by the job) waits at least this long
# after the previous one to the same person: "Send reminders to all" pressed twice sends once.
REMINDER_GAP = timedelta(hours=20)


class RequestStatus(StrEnum):
    PENDING = "pending", _l("Pending"), "info"
    IN_REVIEW = "in_review", _l("In review"), "warning"
    REJECTED = "rejected", _l("Sent back"), "warning"
    IN_CART = "in_cart", _l("In cart"), "primary"
    ORDERED = "ordered", _l("Ordered"), "success"
    REMOVED = "removed", _l("Removed"), "dark"
    EXPIRED = "expired", _l("Expired"), "danger"


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


# "No open duplicate": one open request per company, card type and address (emails are stored in lower
# case). The database holds the rule, so two uploads or pastes at the same moment cannot both create one.
OPEN_REQUEST_WHERE = text("status IN ('pending', 'in_review', 'rejected') AND email != ''")
NO_PHOTO_WHERE = text("photo_key IS NULL")


class CollectionRequest(db.Model):
    __tablename__ = "collection_request"
    __table_args__ = (
        Index("ix_collection_request_company_status", "company_id", "status"),
        Index("ix_collection_request_status_last_sent", "status", "last_sent_at"),
        # Data collection > Pending: a company's newest waiting requests, and its search by email prefix.
        Index("ix_collection_request_waiting", "company_id", "status", "id"),
        Index("ix_collection_request_company_email", "company_id", "email"),
        # In review: the cards still missing a photo, counted without reading every card that has one.
        Index("ix_collection_request_no_photo", "company_id", "status", "card_type_id",
              sqlite_where=NO_PHOTO_WHERE, postgresql_where=NO_PHOTO_WHERE),
        Index("uq_collection_request_open_email", "company_id", "card_type_id", "email", unique=True,
              sqlite_where=OPEN_REQUEST_WHERE, postgresql_where=OPEN_REQUEST_WHERE),
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
    # Finding codes of the photo assistant (portal.infra.photo_assistant) the photo was sent with anyway.
    photo_findings: Mapped[list] = mapped_column(JsonType, default=list, server_default=text("'[]'"))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id", ondelete="SET NULL"))
    # True when the orderer chose the address; the employee then cannot change it.
    address_fixed: Mapped[bool] = mapped_column(default=False)
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    # What the rejection asked the employee to change ("data", "photo", "address", comma-separated); each
    # step leaves the list once the employee has been through it, so "Next" leads to what is still asked.
    rejected_steps: Mapped[str] = mapped_column(String(40), default="")
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)  # by the reminders job, at most N
    manual_reminders_sent: Mapped[int] = mapped_column(Integer, default=0)  # "Send reminders to all"
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A card this request's new card replaces (Replace card > New photo, or a renewal round). No foreign key:
    # adding one would rebuild this table on SQLite; a card gone meanwhile is simply not replaced
    # (ordering's add_card_to_cart checks it).
    replaces_card_id: Mapped[int | None] = mapped_column(Integer, index=True)  # renewal: still on its way?

    company: Mapped[Company] = relationship()
    card_type: Mapped[CardType] = relationship()
    address: Mapped[Address | None] = relationship()
    created_by: Mapped[User | None] = relationship()


storage.holds_keys(CollectionRequest.photo_key)  # their files stay while these refer to them


# Data collection > Pending's search for part of a name or an email (portal.collection.pending).
REQUEST_TRIGRAM = TrigramIndex("collection_request", ("name", "email"))
REQUEST_TRIGRAM.install(CollectionRequest.__table__)
