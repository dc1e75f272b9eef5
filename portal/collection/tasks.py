"""The reminders job: at most N reminders spread over D days, each slot sent once, even when run twice."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.collection.models import CollectionRequest, RequestStatus
from portal.collection.operations import current_link
from portal.db_types import utcnow
from portal.extensions import db
from portal.mail import queue_email
from portal.tenancy.models import Company


def reminder_due_at(sent_at: datetime, slot: int, count: int, days: int) -> datetime:
    """Slot k (1..count) is due k*days/count days after the first email: defaults day 5 and day 10."""
    return sent_at + timedelta(days=days * slot / count)


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due. Returns how many were queued."""
    now = now or utcnow()
    # Requests past their expiry stop being pending.
    db.session.execute(update(CollectionRequest).where(
        CollectionRequest.status == RequestStatus.PENDING.value, CollectionRequest.expires_at < now,
    ).values(status=RequestStatus.EXPIRED.value, token_hash=None).execution_options(synchronize_session=False))
    db.session.commit()
    sent = 0
    for company in db.session.scalars(select(Company).where(Company.reminder_count > 0)):
        count, days = company.reminder_count, max(1, company.reminder_days)
        earliest = now - timedelta(days=days / count)  # slot 1 cannot be due before this
        candidates = db.session.execute(select(
            CollectionRequest.id, CollectionRequest.sent_at, CollectionRequest.reminders_sent,
        ).where(
            CollectionRequest.company_id == company.id, CollectionRequest.status == RequestStatus.PENDING.value,
            CollectionRequest.reminders_sent < count, CollectionRequest.sent_at <= earliest,
            CollectionRequest.email != "",
        )).all()
        for req_id, sent_at, seen in candidates:
            due_slots = min(count, math.floor((now - sent_at) / timedelta(days=days / count) + 1e-9))
            if due_slots <= seen:
                continue
            # The claim: only the run that moves reminders_sent from `seen` sends this slot.
            claimed = db.session.execute(update(CollectionRequest).where(
                CollectionRequest.id == req_id, CollectionRequest.reminders_sent == seen,
                CollectionRequest.status == RequestStatus.PENDING.value,
            ).values(reminders_sent=seen + 1, last_sent_at=now).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                db.session.rollback()
                continue
            req = db.session.get(CollectionRequest, req_id)
            token = current_link(req)  # the same link as in the first email
            queue_email(req.email, "collection_reminder", req.language, company_id=company.id, company=company,
                        card_type=req.card_type, request=req, token=token)
            db.session.commit()
            sent += 1
    return sent
