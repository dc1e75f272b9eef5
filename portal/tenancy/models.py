"""Companies, users and memberships (who may do what in which company)."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.infra.db_types import StrEnum, utcnow
from portal.infra.extensions import db

RETENTION_CHOICES = (None, 3, 6, 12, 24, 36)
RETENTION_CUTOFF = date(2024, 8, 12)


class Role(StrEnum):
    ADMIN = "admin"
    ORDERER = "orderer"
    APPROVER = "approver"
    VIEWER = "viewer"


ROLE_LABELS = {
    Role.ADMIN: _l("Company admin"),
    Role.ORDERER: _l("Orderer"),
    Role.APPROVER: _l("Approver"),
    Role.VIEWER: _l("Viewer"),
}


class Company(db.Model):
    __tablename__ = "company"

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
    reminder_count: Mapped[int] = mapped_column(Integer, default=2)
    reminder_days: Mapped[int] = mapped_column(Integer, default=10)
    request_valid_days: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

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


def default_retention_for(onboarded_on: date) -> int | None:
    """Companies onboarded before 2024-08-12 keep data until they choose otherwise."""
    return None if onboarded_on < RETENTION_CUTOFF else 36


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

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

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.ORDERER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    company: Mapped[Company] = relationship(back_populates="memberships")


class LoginAttempt(db.Model):
    """Failed sign-ins and link guesses, kept in the database so throttling spans all workers."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
