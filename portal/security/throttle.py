"""Sign-in throttling that every worker sees: failures are rows in `login_attempt`.

Keys name what is throttled: one per client address and one per account, so neither many guesses
at one account from many addresses nor one address trying many accounts gets far.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from flask_babel import format_time
from flask_babel import gettext as _
from sqlalchemy import delete, select

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.tenancy.models import LoginAttempt
from portal.tenancy.operations import THROTTLE_LIMIT, THROTTLE_WINDOW, note_failure


def retry_at(keys: Iterable[str], limit: int = THROTTLE_LIMIT, window: timedelta = THROTTLE_WINDOW) -> datetime | None:
    """When all of these keys let the next attempt through again, or None if none is throttled now.

    A key is throttled with `limit` failures inside `window`; it opens again when the limit-th most
    recent failure leaves the window.
    """
    since = utcnow() - window
    latest: datetime | None = None
    for key in keys:
        stamp = db.session.scalar(
            select(LoginAttempt.created_at)
            .where(LoginAttempt.key == key[:200], LoginAttempt.created_at >= since)
            .order_by(LoginAttempt.created_at.desc())
            .offset(limit - 1)
            .limit(1)
        )
        if stamp is not None:
            opens = stamp + window
            latest = opens if latest is None or opens > latest else latest
    return latest


class Attempt:
    """A sign-in attempt counted BEFORE the password is checked, so parallel requests see each other.

    Checking the count first and recording failures afterwards would let a burst of simultaneous
    guesses (many workers, each busy in scrypt) all pass the check. Here each attempt is a committed
    row first; a refused or successful attempt removes its own rows, a failed one leaves them.
    """

    def __init__(self, keys: Iterable[str], limit: int = THROTTLE_LIMIT, window: timedelta = THROTTLE_WINDOW,
                 *, soft_keys: Iterable[str] = ()):
        self.keys = tuple(key[:200] for key in keys)
        soft = {key[:200] for key in soft_keys}
        rows = [LoginAttempt(key=key) for key in self.keys]
        db.session.add_all(rows)
        db.session.commit()
        self._ids = [row.id for row in rows]
        # This attempt is the newest row of each key: throttled when `limit` others are in the window.
        opens = {key: retry_at((key,), limit=limit + 1, window=window) for key in self.keys}
        refused = [when for key, when in opens.items() if when is not None and key not in soft]
        # A throttled hard key (the client's address) refuses the attempt; a throttled soft key (the
        # account, which anyone anywhere can lock) only changes how the caller lets the attempt in.
        self.opens_at = max(refused) if refused else None
        self.soft_throttled = any(opens[key] is not None for key in soft)
        if self.opens_at is not None:
            self._forget()

    def succeeded(self) -> None:
        self._forget()

    def failed(self) -> None:
        """The rows stay as the failure record; old rows are tidied away."""
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - timedelta(days=1)))
        db.session.commit()

    def _forget(self) -> None:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(self._ids)))
        db.session.commit()


def note_failures(keys: Iterable[str]) -> None:
    for key in keys:
        note_failure(key)


def throttled_message(opens_at: datetime) -> str:
    """'Too many failed attempts. Try again at 14:32 (in 9 minutes).' in the user's language and zone."""
    minutes = max(1, -(-int((opens_at - utcnow()).total_seconds()) // 60))
    return _("Too many failed attempts. Try again at %(time)s (in %(minutes)d minutes).",
             time=format_time(opens_at.replace(tzinfo=UTC), "short"), minutes=minutes)


def retry_after_seconds(opens_at: datetime) -> str:
    """The Retry-After header value for a 429 answer."""
    return str(max(1, int((opens_at - utcnow()).total_seconds()) + 1))


def too_many_attempts(opens_at: datetime, render_page):
    """The page again (`render_page()` draws it) with 429 and Retry-After, saying when the next attempt
    is let through: the one "too many attempts" answer of the sign-in, two-factor, reset and account pages."""
    from flask import flash, make_response

    flash(throttled_message(opens_at), "error")
    response = make_response(render_page(), 429)
    response.headers["Retry-After"] = retry_after_seconds(opens_at)
    return response
