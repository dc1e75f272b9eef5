"""'Forgot password?' for back-office users: a one-time link by email, valid for one hour."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.audit.operations import record
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.tokens import new_token
from portal.outbox.mail import queue_email
from portal.tenancy.models import User

RESET_VALID = timedelta(hours=1)


def send_password_reset(email: str) -> bool:
    """Email a reset link to an active user with this address; says nothing either way to the caller's page.

    The link uses the invitation token columns (one pending link per user): a new link replaces the old
    one, choosing a password uses it up, and it expires after an hour.
    """
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active or not user.password_hash:
        return False
    token, user.invite_token_hash = new_token()
    user.invite_expires_at = utcnow() + RESET_VALID
    queue_email(user.email, "password_reset", user.language or "en", user=user, token=token)
    record("user.password_reset_requested", company_id=None, obj=user, user_id=user.id, summary=user.email)
    return True
