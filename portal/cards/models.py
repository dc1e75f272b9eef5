"""Cards, their status history and holder-approved change requests."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, column, table, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cards import fulltext
from portal.catalog.models import CardType
from portal.infra import storage
from portal.infra.db_types import JsonType, StrEnum, utcnow
from portal.infra.extensions import db
from portal.tenancy.models import Company, User


class CardStatus(StrEnum):
    ORDERED = "ordered", _l("Ordered"), "primary"
    IN_PRODUCTION = "in_production", _l("In production"), "info"
    ACTIVE = "active", _l("Active"), "success"
    BLOCKED = "blocked", _l("Blocked"), "warning"
    TERMINATED = "terminated", _l("Terminated"), "dark"

# Reasons the system writes into the status history: stored as the English text, shown translated.
SYSTEM_REASONS = {"Production": _l("Production"), "Printed locally": _l("Printed locally"),
                  "Order cancelled": _l("Order cancelled"), "Replaced by a new card": _l("Replaced by a new card"),
                  "Expired": _l("Expired"), "Lost": _l("Lost"), "Stolen": _l("Stolen")}


class ReplacementReason(StrEnum):
    """Why a card is replaced: lost and stolen cards are blocked at once; a new photo is asked of the holder."""
    LOST = "lost", _l("Lost"), "danger"
    STOLEN = "stolen", _l("Stolen"), "danger"
    DAMAGED = "damaged", _l("Damaged"), "warning"
    NAME_CHANGE = "name_change", _l("Name change"), "info"
    NEW_PHOTO = "new_photo", _l("New photo"), "info"
    RENEWAL = "renewal", _l("Renewal (expiry)"), "secondary"


class Card(db.Model):
    __tablename__ = "card"
    __table_args__ = (
        Index("ix_card_company_status", "company_id", "status"),
        Index("ix_card_company_created", "company_id", "created_at"),
        Index("ix_card_company_updated", "company_id", "updated_at"),
        Index("ix_card_company_valid_until", "company_id", "valid_until"),
        # Only the few cards that replace another: with every NULL in it, the index's statistics made it look
        # useless to the databases, which then read the whole company (or table) for a card's replacements.
        Index("ix_card_replaces_card_id", "replaces_card_id", sqlite_where=text("replaces_card_id IS NOT NULL"),
              postgresql_where=text("replaces_card_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("card_order.id", ondelete="SET NULL"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id", ondelete="SET NULL"))
    card_type_id: Mapped[int] = mapped_column(ForeignKey("card_type.id"))
    orderer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    holder_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    holder_email: Mapped[str] = mapped_column(String(254), default="")
    national_id: Mapped[str] = mapped_column(String(20), default="", index=True)
    employee_no: Mapped[str] = mapped_column(String(40), default="", index=True)
    holder_data: Mapped[dict] = mapped_column(JsonType, default=dict)
    photo_key: Mapped[str | None] = mapped_column(String(200))
    # Finding codes of the photo assistant (portal.infra.photo_assistant) the photo was sent with anyway.
    photo_findings: Mapped[list] = mapped_column(JsonType, default=list, server_default=text("'[]'"))
    card_number: Mapped[str | None] = mapped_column(String(40), index=True)
    chip_uid: Mapped[str | None] = mapped_column(String(40), index=True)
    readouts: Mapped[dict] = mapped_column(JsonType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=CardStatus.ORDERED.value)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Any change of the row (also by conditional UPDATE statements): what `updated_since` of the API reads.
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The same person's card this one replaces: blocked when this one becomes active. Indexed: the old card's
    # page and the API list the cards replacing it, and renewal asks whether one is still on its way.
    replaces_card_id: Mapped[int | None] = mapped_column(ForeignKey("card.id", ondelete="SET NULL"))
    # The last day the card is valid (from its card type's validity or the end of the holder's assignment):
    # the expiry job blocks it after that day.
    valid_until: Mapped[date | None] = mapped_column(Date)
    # The smallest "days before expiry" notice the orderer was sent for this card (the digest sends each once).
    expiry_notice_days: Mapped[int | None] = mapped_column(Integer)
    # Why this card is being replaced (a ReplacementReason value), set once by "Replace card".
    replacement_reason: Mapped[str | None] = mapped_column(String(16))
    replacement_requested_at: Mapped[datetime | None] = mapped_column(DateTime)

    company: Mapped[Company] = relationship()
    # The ordering feature's rows, named (not imported): cards sit below ordering in the layers.
    order: Mapped[Order | None] = relationship("Order")  # noqa: F821
    order_line: Mapped[OrderLine | None] = relationship("OrderLine")  # noqa: F821
    card_type: Mapped[CardType] = relationship()
    orderer: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return self.card_number or self.holder_name or _l("Card")


# The order numbers cards are searched and produced by: the ordering feature's table, read by name
# (cards sit below ordering in the layers and never import it).
order_numbers = table("card_order", column("id", Integer), column("number", String))

fulltext.install(Card.__table__)  # trigram search over names and emails, created with the table


class CardStatusEvent(db.Model):
    __tablename__ = "card_status_event"
    __tenant_owner__ = "card_id"  # owned by the company of its parent (portal.tenancy.ownership)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User | None] = relationship()


class ChangeState(StrEnum):
    PENDING = "pending", _l("Waiting for the holder"), "warning"
    APPROVED = "approved", _l("Approved by the holder"), "success"
    DECLINED = "declined", _l("Declined by the holder"), "danger"
    CANCELLED = "cancelled", _l("Replaced or cancelled")
    EXPIRED = "expired", _l("Expired")
    CLOSED = "closed", _l("Closed: the card is no longer in use")  # the card left use before the holder answered


class CardChange(db.Model):
    """A proposed change to a card that its holder approves or declines through a personal link."""

    __tablename__ = "card_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    proposed: Mapped[dict] = mapped_column(JsonType, default=dict)
    photo_key: Mapped[str | None] = mapped_column(String(200))
    # Finding codes of the photo assistant (portal.infra.photo_assistant) the photo was sent with anyway.
    photo_findings: Mapped[list] = mapped_column(JsonType, default=list, server_default=text("'[]'"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16), default=ChangeState.PENDING.value)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    card: Mapped[Card] = relationship()


storage.holds_keys(Card.photo_key, CardChange.photo_key)  # their files stay while these refer to them
