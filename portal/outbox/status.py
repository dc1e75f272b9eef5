"""What the operator sees of the email outbox: how much waits or fails, and sending again on request."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.outbox.models import OutboxEmail, OutboxState


@dataclass
class OutboxFigures:
    queued: int = 0      # waiting to be sent (first try or a retry)
    retrying: int = 0    # of those, how many have failed at least once
    failed: int = 0      # given up on: needs the operator
    oldest_queued_at: datetime | None = None
    last_error: str = ""

    @property
    def needs_attention(self) -> bool:
        return bool(self.retrying or self.failed)


def outbox_figures() -> OutboxFigures:
    """Counts for the operator's dashboard: a few indexed counts on (state, next_attempt_at)."""
    waiting = (OutboxState.PENDING.value, OutboxState.SENDING.value)
    counts = dict(db.session.execute(
        select(OutboxEmail.state, func.count()).where(
            OutboxEmail.state.in_((*waiting, OutboxState.FAILED.value))).group_by(OutboxEmail.state)).all())
    retrying = db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.state.in_(waiting), OutboxEmail.attempts > 0)) or 0
    oldest = db.session.scalar(select(func.min(OutboxEmail.created_at)).where(OutboxEmail.state.in_(waiting)))
    last_error = db.session.scalar(
        select(OutboxEmail.last_error).where(OutboxEmail.state != OutboxState.SENT.value, OutboxEmail.last_error != "")
        .order_by(OutboxEmail.id.desc()).limit(1)) or ""
    return OutboxFigures(queued=sum(counts.get(s, 0) for s in waiting), retrying=retrying,
                         failed=counts.get(OutboxState.FAILED.value, 0), oldest_queued_at=oldest, last_error=last_error)


def send_again(ids: list[int], now: datetime | None = None) -> int:
    """Put failed or waiting emails back in the queue for the next outbox run, with a fresh count of
    attempts. Emails already sent or being sent are left alone. The caller commits."""
    now = now or utcnow()
    result = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id.in_(ids), OutboxEmail.state.in_((OutboxState.PENDING.value, OutboxState.FAILED.value)))
        .values(state=OutboxState.PENDING.value, attempts=0, next_attempt_at=now, claim=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
