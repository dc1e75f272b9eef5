"""The operator's catalogue: card types, their layouts and templates, and accessories."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.catalog.translations import Translated, language_attributes, localized, option_aliases, option_names
from portal.infra.db_types import JsonType, StrEnum, utcnow
from portal.infra.extensions import db
from portal.tenancy.models import Company


class CardKind(StrEnum):
    CARD = "card", _l("Card")
    KEY_FOB = "key_fob", _l("Key fob")


class FeePeriod(StrEnum):
    NONE = "", _l("No fee")
    MONTH = "month", _l("Per month")
    YEAR = "year", _l("Per year")


class FieldKind(StrEnum):
    TEXT = "text", _l("Text")
    EMAIL = "email", _l("Email")
    PHONE = "phone", _l("Phone number")
    DATE = "date", _l("Date")
    NATIONAL_ID = "national_id", _l("National identity number")
    EMPLOYEE_NO = "employee_no", _l("Employee number")
    PHOTO = "photo", _l("Photo")
    CHOICE = "choice", _l("Choice list")


@language_attributes
class CardType(Translated, db.Model):
    __tablename__ = "card_type"
    # The catalogue is the operator's: its changes go to the operator's log (portal.audit.listener).
    __audit_company__ = None
    __audited__ = frozenset({"name", "kind", "description", "price", "company_id", "photo_width", "photo_height",
                             "active", "photo_checks", "translations", "validity_months", "validity_until_end_date",
                             "fee", "fee_period"})
    TRANSLATED = {"name": "name", "description": "description"}

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: offered to every company; otherwise a company's own card type.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=CardKind.CARD.value)
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    # A fee per active card, per month or per year (FeePeriod; "" none), excluding VAT (portal.reports.card_fees).
    fee: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"), server_default="0")
    fee_period: Mapped[str] = mapped_column(String(8), default="", server_default="")
    photo_width: Mapped[int] = mapped_column(Integer, default=413)
    photo_height: Mapped[int] = mapped_column(Integer, default=531)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # How long a card is valid from activation (None: no end); ID06-style cards end with the holder's
    # employment or assignment instead, a date the orderer enters on the order form.
    validity_months: Mapped[int | None] = mapped_column(Integer)
    validity_until_end_date: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Off for cards whose photo is not a face (a key fob, a badge with a logo): no face checks or framing.
    photo_checks: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # {lang: {"name": ..., "description": ...}}; English is name/description (portal.catalog.translations)
    translations: Mapped[dict] = mapped_column(JsonType, default=dict, server_default=text("'{}'"))

    company: Mapped[Company | None] = relationship()
    fields: Mapped[list[LayoutField]] = relationship(
        back_populates="card_type", order_by="LayoutField.position", cascade="all, delete-orphan"
    )
    template: Mapped[CardTemplate | None] = relationship(back_populates="card_type", cascade="all, delete-orphan")

    @property
    def needs_photo(self) -> bool:
        return any(f.kind == FieldKind.PHOTO for f in self.fields)

    @property
    def display_name(self) -> str:
        """The name in the current language (English when untranslated)."""
        return localized(self, "name")

    @property
    def display_description(self) -> str:
        return localized(self, "description")

    def __str__(self) -> str:
        return self.display_name


@language_attributes
class LayoutField(Translated, db.Model):
    __tablename__ = "layout_field"
    __tenant_owner__ = "card_type_id"  # owned by the company of its parent (portal.tenancy.ownership)
    __audit_company__ = None
    __audited__ = frozenset({"key", "label_en", "kind", "required", "position", "max_length", "options",
                             "translations"})
    TRANSLATED = {"label": "label_en", "options": "options"}
    __table_args__ = (UniqueConstraint("card_type_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_type_id: Mapped[int] = mapped_column(ForeignKey("card_type.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label_en: Mapped[str] = mapped_column(String(80))  # the English label; other languages in `translations`
    kind: Mapped[str] = mapped_column(String(16), default=FieldKind.TEXT.value)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    max_length: Mapped[int] = mapped_column(Integer, default=100)
    # Choice lists: one option per line, in English (the value stored on cards and requests).
    options: Mapped[str] = mapped_column(Text, default="")
    # {lang: {"label": ..., "options": one per line, in the English order}}
    translations: Mapped[dict] = mapped_column(JsonType, default=dict, server_default=text("'{}'"))

    card_type: Mapped[CardType] = relationship(back_populates="fields")

    @property
    def label(self) -> str:
        """The label in the current language, falling back to English."""
        return localized(self, "label") or self.key

    @property
    def option_list(self) -> list[str]:
        """The stable values of a choice list (the English options)."""
        return option_names(self, "en")

    def option_choices(self, lang: str | None = None) -> list[tuple[str, str]]:
        """(stable value, option as `lang` reads it) of each choice."""
        return list(zip(self.option_list, option_names(self, lang), strict=True))

    def option_labels(self, lang: str | None = None) -> list[str]:
        return option_names(self, lang)

    def choice_value(self, text: str) -> str | None:
        """The stable value of an option typed or imported in any language; None when it is no option."""
        wanted = text.strip().lower()
        for value, names in zip(self.option_list, option_aliases(self), strict=True):
            if any(name.lower() == wanted for name in names):
                return value
        return None

    def shown_value(self, value: str, lang: str | None = None) -> str:
        """A stored value as the reader sees it: a choice in the reader's language, anything else as is."""
        if self.kind != FieldKind.CHOICE or not value:
            return value
        return dict(self.option_choices(lang)).get(value, value)

    def __str__(self) -> str:
        return self.label


class CardTemplate(db.Model):
    """How a card type is drawn on an ID-1 card (85.60 x 53.98 mm, 1011 x 638 px at 300 dpi)."""

    __tablename__ = "card_template"
    __tenant_owner__ = "card_type_id"  # owned by the company of its parent (portal.tenancy.ownership)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_type_id: Mapped[int] = mapped_column(ForeignKey("card_type.id", ondelete="CASCADE"), unique=True)
    background_color: Mapped[str] = mapped_column(String(7), default="#ffffff")
    # {"photo": [x, y, w, h], "logo": [x, y, w, h], "fields": {"key": [x, y, font_px]}}
    layout: Mapped[dict] = mapped_column(JsonType, default=dict)

    card_type: Mapped[CardType] = relationship(back_populates="template")


@language_attributes
class Accessory(Translated, db.Model):
    __tablename__ = "accessory"
    __audit_company__ = None
    __audited__ = frozenset({"name", "description", "price", "active", "translations"})
    TRANSLATED = {"name": "name", "description": "description"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # {lang: {"name": ..., "description": ...}}
    translations: Mapped[dict] = mapped_column(JsonType, default=dict, server_default=text("'{}'"))

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_description(self) -> str:
        return localized(self, "description")

    def __str__(self) -> str:
        return self.display_name
