"""Signing in by an emailed one-time link: the way in for the real user while others' wrong guesses
have locked their account.

Locking an account after ten wrong passwords stops guessing, but anyone who knows the address can
keep the owner out that way. So a locked account is not refused: the right password then emails a
link to the account's own address, and the link signs in (the second step still follows when it is
on). The page answers the same for a right and a wrong password, so the lock still tells a guesser
nothing. The link is signed, not stored: it names the user and a fingerprint of their password,
sessions and last sign-in, so it stops working once used, after a password change or a "sign out
everywhere", and after 15 minutes.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from portal.audit.operations import record
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.outbox.mail import queue_email
from portal.tenancy.models import User

LINK_VALID = timedelta(minutes=15)
_SALT = "cardwright.sign-in-link"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    state = f"{user.id}|{user.session_version}|{user.password_hash}|{user.last_login_at and user.last_login_at.isoformat()}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def send_sign_in_link(user: User) -> None:
    """Queue the one-time link to the user's own address (the caller commits)."""
    token = _signer().dumps({"u": user.id, "f": _fingerprint(user)})
    queue_email(user.email, "sign_in_link", user.language or "en", user=user, token=token,
                minutes=int(LINK_VALID.total_seconds() // 60))
    record("user.sign_in_link_sent", company_id=None, obj=user, user_id=user.id, summary=user.email)


def user_for_sign_in_link(token: str) -> User | None:
    """The active user the link was sent to, or None if it is forged, expired, used or outdated."""
    try:
        data = _signer().loads(token, max_age=int(LINK_VALID.total_seconds()))
        user = db.session.get(User, int(data["u"]))
        fingerprint = str(data["f"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or not hmac.compare_digest(_fingerprint(user), fingerprint):
        return None
    return user


def use_sign_in_link(user: User) -> None:
    """Signing in with the link moves the last sign-in, which changes the fingerprint: used up."""
    user.last_login_at = utcnow()
    record("user.signed_in_by_link", company_id=None, obj=user, user_id=user.id, summary=user.email)
