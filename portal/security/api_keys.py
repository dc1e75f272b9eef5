"""API keys: a company's own systems (HR, access control, visitor systems) act through `/api/v1` with a
key sent as `Authorization: Bearer <key>`.

A key is shown once when it is created; only its SHA-256 is kept (it has 256 random bits, so a fast
hash is enough: nothing to guess). It belongs to one company and can do only what its scopes allow;
an operator's key (no company) reaches every company. Revoked and expired keys stop at once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.security.models import KEY_PREFIX, ApiKey, ApiScope
from portal.tenancy.models import Company, User
from portal.tenancy.signals import announce

LAST_USE_PRECISION = timedelta(minutes=1)  # last use is written at most once a minute per key


class ApiKeyError(Exception):
    """A key that cannot be created as asked; the message says why, in the user's language."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(company: Company | None, user: User | None, *, name: str, scopes, expires_on: date | None = None
                   ) -> tuple[ApiKey, str]:
    """A new key and its secret (to show once). `company=None` is an operator's key over every company."""
    name = (name or "").strip()
    wanted = sorted({str(s) for s in scopes})
    unknown = [s for s in wanted if ApiScope.of(s) is None]
    if not name:
        raise ApiKeyError(_l("Give the key a name, e.g. the system that uses it."))
    if not wanted or unknown:
        raise ApiKeyError(_l("Choose what the key may do."))
    if expires_on is not None and expires_on <= utcnow().date():
        raise ApiKeyError(_l("The expiry date must be in the future."))
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(company_id=company.id if company else None, name=name[:120], prefix=prefix, key_hash=_digest(secret),
                 scopes=" ".join(wanted), created_by_id=user.id if user else None, expires_on=expires_on)
    db.session.add(key)
    db.session.flush()
    return key, secret


def key_for(secret: str | None) -> ApiKey | None:
    """The usable key this secret belongs to, or None (unknown, wrong, revoked, expired, company closed)."""
    if not secret or not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    prefix = secret[len(KEY_PREFIX):].split("_", 1)[0]
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix).execution_options(populate_existing=True))
    if key is None or not hmac.compare_digest(key.key_hash, _digest(secret)) or not key.usable:
        return None
    if key.company is not None and not key.company.active:
        return None
    return key


def note_use(key: ApiKey) -> None:
    """Remember when the key was last used (at most one write a minute; a conditional update)."""
    now = utcnow()
    db.session.execute(update(ApiKey).where(
        ApiKey.id == key.id, (ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < now - LAST_USE_PRECISION))
        .values(last_used_at=now).execution_options(synchronize_session=False))


def revoke_api_key(key: ApiKey, user: User | None = None) -> bool:
    """Revoke the key now; False when it was revoked already (by someone else at the same moment)."""
    done = db.session.execute(update(ApiKey).where(ApiKey.id == key.id, ApiKey.revoked_at.is_(None))
                              .values(revoked_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(key)
    if done:
        announce("apikey.revoked", company_id=key.company_id, obj=key, summary=key.name, user_id=user.id if user else None)
    return bool(done)

