"""Server-side records of signed-in browsers, so signing out ends a session for real.

Flask keeps the session in a signed cookie. Without a server-side record, a copy of that cookie (from
a shared computer, a proxy log, malware) would stay signed in after the owner signs out. Each sign-in
therefore stores a random key in the session and only its hash here; every request checks that the
row still exists. Signing out deletes it; "sign out everywhere" and password changes delete them all.
"""
from __future__ import annotations

from datetime import timedelta

from flask import session
from sqlalchemy import delete, select

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.tokens import hash_token, new_token
from portal.security.models import SignedInSession

SESSION_KEYS = {"user": "sid", "portal": "portal_sid"}
MAX_AGE = timedelta(days=31)  # Flask's own limit for a session cookie; older rows can go


def _owner(kind: str, owner_id: int) -> dict:
    return {"user_id": owner_id} if kind == "user" else {"portal_account_id": owner_id}


def start(kind: str, owner_id: int) -> None:
    """Record a new signed-in session in this browser (replacing the browser's previous one)."""
    end(kind)
    key, key_hash = new_token()
    db.session.add(SignedInSession(key_hash=key_hash, **_owner(kind, owner_id)))
    db.session.execute(delete(SignedInSession).where(SignedInSession.created_at < utcnow() - MAX_AGE))
    session[SESSION_KEYS[kind]] = key


def is_live(kind: str, owner_id: int) -> bool:
    key = session.get(SESSION_KEYS[kind])
    if not key:
        return False
    column = SignedInSession.user_id if kind == "user" else SignedInSession.portal_account_id
    return db.session.scalar(select(SignedInSession.id).where(
        SignedInSession.key_hash == hash_token(key), column == owner_id,
        SignedInSession.created_at >= utcnow() - MAX_AGE)) is not None


def end(kind: str) -> None:
    """Forget this browser's session on the server (signing out)."""
    key = session.pop(SESSION_KEYS[kind], None)
    if key:
        db.session.execute(delete(SignedInSession).where(SignedInSession.key_hash == hash_token(key)))


