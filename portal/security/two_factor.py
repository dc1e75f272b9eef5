"""Optional TOTP two-factor sign-in for back-office users (RFC 6238, any authenticator app).

The QR code is drawn here (segno, SVG): the secret never leaves the server for a third party.
Recovery codes carry 80 random bits each, so a SHA-256 hash is enough to store them.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete, select, update

from portal.audit.operations import record
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.security.models import RecoveryCode, TwoFactor
from portal.tenancy.models import User

ISSUER = "Cardwright"
RECOVERY_CODES = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols without 0/O and 1/I: 5 bits each


class TwoFactorError(ValueError):
    pass


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits


def qr_code_svg(secret: str, email: str) -> Markup:
    """The otpauth:// address as an inline SVG QR code, for the authenticator app to scan."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, border=2))  # noqa: S704 - segno's own SVG


def two_factor_of(user: User) -> TwoFactor | None:
    return db.session.scalar(select(TwoFactor).where(TwoFactor.user_id == user.id))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The 30-second step this code belongs to (now, or one step either side for clock drift)."""
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now if now is not None else time.time()) // totp.interval
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor sign-in on once the app proves it has the secret; returns the recovery codes."""
    step = matching_step(secret, code)
    if step is None:
        raise TwoFactorError(_l("That code is not right. Type the 6 digits your app shows now."))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    db.session.add(TwoFactor(user_id=user.id, secret=secret, last_used_step=step))
    codes = new_recovery_codes(user)
    record("user.two_factor_enabled", company_id=None, obj=user, user_id=user.id, summary=user.email)
    return codes


def disable_verified(user: User) -> None:
    """Turn two-factor sign-in off; the caller has just checked a code with `verify`."""
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record("user.two_factor_disabled", company_id=None, obj=user, user_id=user.id, summary=user.email)


def verify(user: User, code: str) -> bool:
    """True for a fresh code from the app or an unused recovery code (which is then used up).

    Both are claimed with a conditional UPDATE, so two workers cannot accept the same code twice.
    """
    factor = two_factor_of(user)
    if factor is None:
        return False
    step = matching_step(factor.secret, code)
    if step is not None:
        claimed = db.session.execute(
            update(TwoFactor).where(TwoFactor.id == factor.id, TwoFactor.last_used_step < step)
            .values(last_used_step=step)
        ).rowcount
        return claimed == 1
    normalised = _normalise(code)
    if len(normalised) != 16:
        return False
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(normalised),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed == 1:
        record("user.recovery_code_used", company_id=None, obj=user, user_id=user.id, summary=user.email)
    return claimed == 1


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once and never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(16)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return ["-".join(c[i:i + 4] for i in range(0, 16, 4)) for c in codes]


def unused_recovery_codes(user: User) -> int:
    return len(db.session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()
