"""Companies, users and memberships (who may do what in which company)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.infra import storage
from portal.infra.db_types import StrEnum, utcnow
from portal.infra.extensions import db

RETENTION_CHOICES = (None, 3, 6, 12, 24, 36)
RETENTION_CUTOFF = date(2024, 8, 12)


class Role(StrEnum):
    ADMIN = "admin", _l("Company admin")
    ORDERER = "orderer", _l("Orderer")
    APPROVER = "approver", _l("Approver")
    VIEWER = "viewer", _l("Viewer")


class Company(db.Model):
    __tablename__ = "company"
    # Audited into the company's own log (portal.audit.listener), never into another company's.
    __audit_company__ = "id"
    __audited__ = frozenset({"name", "org_number", "language", "primary_color", "requires_order_approval",
                             "reminder_count", "reminder_days", "request_valid_days", "retention_months",
                             "onboarded_on", "active", "vat_rate", "expiry_notice_days"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    org_number: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="sv")
    country: Mapped[str] = mapped_column(String(2), default="SE")
    primary_color: Mapped[str] = mapped_column(String(7), default="#1f4e79")
    logo_key: Mapped[str | None] = mapped_column(String(200))
    logo_is_colour: Mapped[bool] = mapped_column(Boolean, default=False)
    # No column default: None ("never") is a real choice, and the ORM would replace None by a default.
    retention_months: Mapped[int | None] = mapped_column(Integer)
    onboarded_on: Mapped[date] = mapped_column(Date, default=lambda: utcnow().date())
    requires_order_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    # With order approval on, a card printed at the company's own desk needs an approver as well.
    local_print_requires_approval: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reminder_count: Mapped[int] = mapped_column(Integer, default=2)
    reminder_days: Mapped[int] = mapped_column(Integer, default=10)
    request_valid_days: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # VAT in percent set by the operator for this company; None: the rate of its country (portal.ordering.vat).
    vat_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # Days before a card's last valid day when its orderer is told, as "30,7" (largest first); None: the
    # configured default (CARD_EXPIRY_NOTICE_DAYS). Set by the company admin (Company > Settings).
    expiry_notice_days: Mapped[str | None] = mapped_column(String(16))

    memberships: Mapped[list[Membership]] = relationship(back_populates="company", cascade="all, delete-orphan")

    def __init__(self, **kw):
        if "retention_months" not in kw:
            kw["retention_months"] = default_retention_for(kw.get("onboarded_on") or utcnow().date())
        super().__init__(**kw)

    def __str__(self) -> str:
        return self.name

    @validates("name")
    def _one_line_name(self, _key, value):
        # The name goes into email subjects: a line break there would make every such email unsendable.
        return " ".join((value or "").split())


def notice_days_of(company: Company, default: tuple[int, ...]) -> tuple[int, ...]:
    """The company's expiry notices in days (largest first), or `default` when it has not chosen its own."""
    if not company.expiry_notice_days:
        return tuple(default)
    return tuple(int(d) for d in company.expiry_notice_days.split(","))


def default_retention_for(onboarded_on: date) -> int | None:
    """Companies onboarded before 2024-08-12 keep data until they choose otherwise."""
    return None if onboarded_on < RETENTION_CUTOFF else 36


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    # A user belongs to no one company: changes go to the operator's log. Never the password hash.
    __audit_company__ = None
    __audited__ = frozenset({"email", "name", "is_operator", "active"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str | None] = mapped_column(String(8))
    # Bumped to sign out every session of this user ("log out everywhere", password change).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The company chosen last in the switcher: signing in again opens it (checked against memberships).
    last_company_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __str__(self) -> str:
        return self.name or self.email


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "company_id"),)
    __audited__ = frozenset({"role", "active"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.ORDERER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # An invitation to an account that existed already waits for that account to accept it (inactive
    # until then); the company sees only the name its admin typed, never the account's own.
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    invited_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    company: Mapped[Company] = relationship(back_populates="memberships")

    def __str__(self) -> str:
        return self.user.email if self.user else str(self.user_id)


class LoginAttempt(db.Model):
    """Failed sign-ins and link guesses, kept in the database so throttling spans all workers."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


storage.holds_keys(Company.logo_key)  # their files stay while these refer to them
