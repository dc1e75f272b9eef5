"""Two-factor authentication (TOTP) of back-office users and their one-time recovery codes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.infra.db_types import utcnow
from portal.infra.extensions import db


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
