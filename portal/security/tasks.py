"""Scheduled jobs of security: forget API answers kept for Idempotency-Key replays after a day."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.infra.jobs import scheduled
from portal.security.idempotency import forget_old


@scheduled("api_idempotency", 3600)
def forget_old_api_answers() -> int:
    count = forget_old()
    db.session.commit()
    return count
