"""Two-factor authentication (TOTP) of back-office users and their one-time recovery codes."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.infra.db_types import StrEnum, utcnow
from portal.infra.extensions import db
from portal.tenancy.models import Company, User

KEY_PREFIX = "cw_"


class TwoFactor(db.Model):
    """A confirmed authenticator app of one user; no row means two-factor sign-in is off."""

    __tablename__ = "two_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    # The base32 TOTP secret (RFC 6238). It must be readable to check codes; see SECURITY.md.
    secret: Mapped[str] = mapped_column(String(64))
    # The last 30-second step a code was accepted for: the same code cannot be used twice.
    last_used_step: Mapped[int] = mapped_column(Integer, default=0)
    enabled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RecoveryCode(db.Model):
    """A one-time code for signing in without the phone; only its SHA-256 hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SignedInSession(db.Model):
    """One signed-in browser: its cookie carries a random key, the server keeps only the key's hash.

    Signing out deletes the row, so a copy of the cookie taken earlier stops working at once
    (the session cookie itself is client-side and would otherwise stay valid).
    """

    __tablename__ = "signed_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    portal_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("portal_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ApiScope(StrEnum):
    READ = "read", _l("Read everything of the company")
    ORDER = "order", _l("Order cards")
    COLLECT = "collect", _l("Invite employees to send their details")
    CARDS = "cards", _l("Block, unblock and terminate cards")


class ApiKey(db.Model):
    __tablename__ = "api_key"
    __audited__ = frozenset({"name", "scopes", "expires_on", "revoked_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The key's first characters after "cw_", shown in lists and used to find the row; never enough to use it.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(80), default="read")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_on: Mapped[date | None] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    company: Mapped[Company | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def allows(self, scope: str) -> bool:
        return scope in self.scope_set

    @property
    def expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < utcnow().date()

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and not self.expired

    def __str__(self) -> str:
        return self.name


class ApiIdempotency(db.Model):
    """The answer to a write through the API that carried an `Idempotency-Key`: the same key and request
    within a day get this answer again instead of doing the work twice. Written in the request's own
    transaction, so it exists exactly when the work was done."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("api_key_id", "idem_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id", ondelete="CASCADE"))
    idem_key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100), default="application/json")
    response_body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
