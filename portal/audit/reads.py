"""Read access to personal data: who viewed a person's card page, photo or export.

One insert per read, in the request's transaction. The entry never holds the person's data: its
`subject` is up to three keyed digests (HMAC under SECRET_KEY, 16 hex digits each) of the person's
national id, email and name, so the log can be searched by any of them (`subject_filter`) and an
erased person's data is not kept here. List pages are not logged: opening a person's own page is.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from flask import current_app
from sqlalchemy import or_

from portal.audit.models import AuditEvent
from portal.audit.operations import record

# What was read: a card's page, a photo, a person's page (Company > Privacy), an export.
READ_ACTIONS = ("personal_data.card_viewed", "personal_data.photo_viewed", "personal_data.person_viewed",
                "personal_data.exported")


def _norm(kind: str, value: str) -> str:
    text = unicodedata.normalize("NFC", (value or "").strip())
    if kind == "national_id":
        return re.sub(r"[^0-9A-Za-z]", "", text).upper()
    return re.sub(r"\s+", " ", text).casefold()


def digest(kind: str, value: str) -> str:
    """The keyed digest of one identifier ("" for an empty one)."""
    text = _norm(kind, value)
    if not text:
        return ""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()[:16]


def subject_of(*, national_id: str = "", email: str = "", name: str = "") -> str:
    keys = [digest("national_id", national_id), digest("email", email), digest("name", name)]
    return " ".join(k for k in keys if k)


def record_read(company_id: int, action: str, obj, *, national_id: str = "", email: str = "", name: str = ""):
    """Log that the signed-in user read this person's data (`action` is one of READ_ACTIONS)."""
    assert action in READ_ACTIONS, action
    event = record(action, company_id=company_id, obj=obj)
    event.subject = subject_of(national_id=national_id, email=email, name=name)
    return event


def subject_filter(text: str):
    """Audit events about the person typed into the filter: a national id, an email or a full name."""
    candidates = [d for d in (digest("national_id", text), digest("email", text), digest("name", text)) if d]
    if not candidates:
        return AuditEvent.subject == "\x00"
    return or_(*(AuditEvent.subject.like(f"%{d}%") for d in candidates))
