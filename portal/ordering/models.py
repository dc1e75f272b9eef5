"""Addresses, the cart, orders with their lines, and invoices."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cards.models import Card
from portal.catalog.models import Accessory, CardType
from portal.infra import storage
from portal.infra.db_types import JsonType, StrEnum, utcnow
from portal.infra.extensions import db
from portal.infra.trigram import TrigramIndex
from portal.tenancy.models import Company, User


class Address(db.Model):
    __tablename__ = "address"
    __audited__ = frozenset({"name", "attention", "street", "postcode", "city", "country", "for_collection", "archived"})

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    attention: Mapped[str] = mapped_column(String(120), default="")
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="SE")
    # Designated for data collection: the only addresses an employee may pick.
    for_collection: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    company: Mapped[Company] = relationship()

    def snapshot(self) -> dict:
        return {
            "name": self.name, "attention": self.attention, "street": self.street,
            "postcode": self.postcode, "city": self.city, "country": self.country,
        }

    def one_line(self) -> str:
        parts = [self.name, self.attention, self.street, f"{self.postcode} {self.city}".strip()]
        return ", ".join(p for p in parts if p)

    def __str__(self) -> str:
        return self.one_line()


class LineKind(StrEnum):
    CARD = "card"
    ACCESSORY = "accessory"


class CartItem(db.Model):
    """One line of a user's cart in one company: a personalised card or an accessory quantity."""

    __tablename__ = "cart_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=LineKind.CARD.value)
    card_type_id: Mapped[int | None] = mapped_column(ForeignKey("card_type.id"))
    accessory_id: Mapped[int | None] = mapped_column(ForeignKey("accessory.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    holder_data: Mapped[dict] = mapped_column(JsonType, default=dict)
    photo_key: Mapped[str | None] = mapped_column(String(200))
    # Finding codes of the photo assistant (portal.infra.photo_assistant) the photo was sent with anyway.
    photo_findings: Mapped[list] = mapped_column(JsonType, default=list, server_default=text("'[]'"))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id", ondelete="SET NULL"))
    collection_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("collection_request.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # An active card of the same person that the new card replaces (see cards.duplicates).
    replaces_card_id: Mapped[int | None] = mapped_column(ForeignKey("card.id", ondelete="SET NULL"))
    # ID06-style card types: the last day of the holder's employment or assignment (the card's valid_until).
    valid_until: Mapped[date | None] = mapped_column(Date)

    card_type: Mapped[CardType | None] = relationship()
    accessory: Mapped[Accessory | None] = relationship()
    address: Mapped[Address | None] = relationship()


class OrderStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval", _l("Awaiting approval"), "warning"
    PLACED = "placed", _l("Placed"), "primary"
    IN_PRODUCTION = "in_production", _l("In production"), "info"
    READY = "ready", _l("Cards ready"), "success"  # every card of the order is made and active; the orderer was told
    SHIPPED = "shipped", _l("Shipped"), "secondary"
    DELIVERED = "delivered", _l("Delivered"), "success"
    CANCELLED = "cancelled", _l("Cancelled"), "dark"
    REJECTED = "rejected", _l("Rejected"), "danger"


class Order(db.Model):
    __tablename__ = "card_order"
    __table_args__ = (
        # Order history: a company's newest first, and its searches by number and reference (prefix ranges).
        Index("ix_card_order_company_placed", "company_id", "placed_at"),
        Index("ix_card_order_company_number", "company_id", "number"),
        Index("ix_card_order_company_reference", "company_id", "reference"),
        # Retention: a company's orders not yet anonymised whose last activity is past the period, from the
        # index alone (portal.retention).
        Index("ix_card_order_retention", "company_id", "anonymised_at", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(24), default=OrderStatus.PLACED.value, index=True)
    orderer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    reference: Mapped[str] = mapped_column(String(120), default="")
    cost_centre: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Delivery address as it was when the order was placed (None: per-card addresses).
    delivery: Mapped[dict | None] = mapped_column(JsonType)
    currency: Mapped[str] = mapped_column(String(3), default="SEK")
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))  # excluding VAT
    # VAT as it was at checkout (portal.ordering.vat); rate None: placed before VAT was recorded.
    vat_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    vat: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"), server_default="0")
    gross: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"), server_default="0")
    placed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Which cart this order was placed from (see ordering.checkout.checkout_key): one order per cart.
    checkout_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Shipping, entered or imported by the operator (portal.ordering.shipping): the orderer is told.
    tracking_number: Mapped[str] = mapped_column(String(80), default="")
    carrier: Mapped[str] = mapped_column(String(60), default="")
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime)

    company: Mapped[Company] = relationship()
    orderer: Mapped[User | None] = relationship(foreign_keys=[orderer_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    # The order's cards, read only (the cards feature writes them): found by the indexed card.order_id.
    cards: Mapped[list[Card]] = relationship(primaryjoin="foreign(Card.order_id) == Order.id", viewonly=True,
                                             order_by="Card.id")

    def __str__(self) -> str:
        return self.number


class OrderLine(db.Model):
    __tablename__ = "order_line"
    __tenant_owner__ = "order_id"  # owned by the company of its parent (portal.tenancy.ownership)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("card_order.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=LineKind.CARD.value)
    card_type_id: Mapped[int | None] = mapped_column(ForeignKey("card_type.id"))
    accessory_id: Mapped[int | None] = mapped_column(ForeignKey("accessory.id"))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    surcharge: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    holder_name: Mapped[str] = mapped_column(String(200), default="")
    holder_data: Mapped[dict] = mapped_column(JsonType, default=dict)
    photo_key: Mapped[str | None] = mapped_column(String(200))
    # Finding codes of the photo assistant (portal.infra.photo_assistant) the photo was sent with anyway.
    photo_findings: Mapped[list] = mapped_column(JsonType, default=list, server_default=text("'[]'"))
    delivery: Mapped[dict | None] = mapped_column(JsonType)

    order: Mapped[Order] = relationship(back_populates="lines")
    card_type: Mapped[CardType | None] = relationship()
    accessory: Mapped[Accessory | None] = relationship()

    @property
    def shown_description(self) -> str:
        """The line in the reader's language: the catalogue item's name while it is the one ordered (its
        English name unchanged since), else the name the line was ordered under."""
        item = self.card_type if self.card_type_id else self.accessory if self.accessory_id else None
        if item is not None and item.name == self.description:
            return item.display_name
        return self.description

    @property
    def card(self) -> Card | None:
        """The card made for this card line (None: an accessory line, or the card is gone)."""
        return next((c for c in self.order.cards if c.order_line_id == self.id), None)

    @property
    def line_total(self) -> Decimal:
        return (self.unit_price + self.surcharge) * self.quantity


class InvoiceStatus(StrEnum):
    OPEN = "open", _l("Unpaid"), "warning"
    PAID = "paid", _l("Paid"), "success"
    CREDITED = "credited", _l("Credited"), "warning"


class Invoice(db.Model):
    __tablename__ = "invoice"
    # One card-fee invoice per company and month (`period` "2026-10"); order invoices have no period.
    __table_args__ = (UniqueConstraint("company_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("card_order.id", ondelete="SET NULL"), index=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    issued_on: Mapped[date] = mapped_column(Date, default=lambda: utcnow().date())
    due_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="SEK")
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    vat: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(16), default=InvoiceStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    period: Mapped[str | None] = mapped_column(String(7))  # the month a card-fee invoice covers

    company: Mapped[Company] = relationship()
    order: Mapped[Order | None] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.id")

    @property
    def gross(self) -> Decimal:
        """What the company pays: `amount` excludes VAT."""
        return Decimal(self.amount or 0) + Decimal(self.vat or 0)


class InvoiceLine(db.Model):
    """A line of an invoice: a card type's monthly fee times its active cards, or any other charge."""

    __tablename__ = "invoice_line"
    __tenant_owner__ = "invoice_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(200))  # English; a card type's line shows its own name
    card_type_id: Mapped[int | None] = mapped_column(ForeignKey("card_type.id", ondelete="SET NULL"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 4))  # a yearly fee's twelfth keeps its decimals
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # excluding VAT, rounded half-up to the cent

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
    card_type: Mapped[CardType | None] = relationship()


class OrderCounter(db.Model):
    """Per-year sequence for human-readable order and invoice numbers (portable across databases)."""

    __tablename__ = "order_counter"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


storage.holds_keys(CartItem.photo_key, OrderLine.photo_key)  # their files stay while these refer to them


# Order history's search for part of a holder's name (portal.ordering.history).
ORDER_LINE_TRIGRAM = TrigramIndex("order_line", ("holder_name",))
ORDER_LINE_TRIGRAM.install(OrderLine.__table__)
