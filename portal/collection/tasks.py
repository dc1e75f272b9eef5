"""The reminders job: at most N reminders spread over D days, each slot sent once, even when run twice."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from portal.catalog.models import CardType
from portal.collection.models import REMINDER_GAP, CollectionRequest, RequestStatus
from portal.collection.operations import current_link
from portal.collection.signals import request_closed
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.jobs import scheduled
from portal.infra.tokens import derived_token
from portal.outbox.mail import queue_rows, render_email
from portal.tenancy.models import Company

CHUNK = 500  # requests claimed and queued per transaction


def _not_emailed_since(cutoff: datetime):
    """Nobody gets two emails with their link within REMINDER_GAP (a reminder by hand counts too); a slot
    that falls inside the gap is sent on the next run after it."""
    return or_(CollectionRequest.last_sent_at.is_(None), CollectionRequest.last_sent_at <= cutoff)


def _due(now: datetime) -> dict[tuple[int, int], list[int]]:
    """Ids of requests with a reminder due, grouped by (company id, reminders already sent)."""
    rows = db.session.execute(select(
        CollectionRequest.id, CollectionRequest.company_id, CollectionRequest.sent_at, CollectionRequest.reminders_sent,
        Company.reminder_count, Company.reminder_days,
    ).join(Company, Company.id == CollectionRequest.company_id).where(
        CollectionRequest.status == RequestStatus.PENDING.value, Company.reminder_count > 0,
        CollectionRequest.reminders_sent < Company.reminder_count, CollectionRequest.sent_at.is_not(None),
        CollectionRequest.email != "", _not_emailed_since(now - REMINDER_GAP),
    )).all()
    due: dict[tuple[int, int], list[int]] = {}
    for req_id, company_id, sent_at, seen, count, days in rows:
        days = max(1, days)
        due_slots = min(count, math.floor((now - sent_at) / timedelta(days=days / count) + 1e-9))
        if due_slots > seen:
            due.setdefault((company_id, seen), []).append(req_id)
    return due


def _claim(ids: list[int], seen: int, now: datetime) -> list[int]:
    """The claim: only the run that moves reminders_sent from `seen` sends this slot (set-based)."""
    claimed = db.session.execute(update(CollectionRequest).where(
        CollectionRequest.id.in_(ids), CollectionRequest.reminders_sent == seen,
        CollectionRequest.status == RequestStatus.PENDING.value, _not_emailed_since(now - REMINDER_GAP),
    ).values(reminders_sent=seen + 1, last_sent_at=now).returning(CollectionRequest.id)
        .execution_options(synchronize_session=False))
    return list(claimed.scalars())


def _queue_reminders(company: Company, ids: list[int]) -> None:
    """Render once per card type, language and expiry; put each request's own link in."""
    marker = "TOKENxMARKERxTOKENxMARKERxTOKENxMARKERx00"
    rendered: dict[tuple, tuple[str, str, str]] = {}
    card_types: dict[int, CardType] = {}
    rows = []
    found = db.session.execute(select(
        CollectionRequest.id, CollectionRequest.email, CollectionRequest.language, CollectionRequest.card_type_id,
        CollectionRequest.expires_at, CollectionRequest.token_salt, CollectionRequest.token_hash,
    ).where(CollectionRequest.id.in_(ids))).all()
    for req in found:
        if req.token_salt and req.token_hash:
            token = derived_token("collection", req.token_salt)  # the same link as in the first email
        else:
            token = current_link(db.session.get(CollectionRequest, req.id))
        key = (req.card_type_id, req.language, req.expires_at)
        if key not in rendered:
            if req.card_type_id not in card_types:
                card_types[req.card_type_id] = db.session.get(CardType, req.card_type_id)
            rendered[key] = render_email("collection_reminder", req.language, company=company,
                                         card_type=card_types[req.card_type_id], request=req, token=marker)
        subject, text, html = rendered[key]
        rows.append({"company_id": company.id, "to": req.email, "subject": subject[:300],
                     "body_text": text.replace(marker, token), "body_html": html.replace(marker, token),
                     "kind": "collection_reminder"})
    queue_rows(rows)


@scheduled("reminders", 15 * 60)
def send_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due. Returns how many were queued.

    Set-based: one query finds what is due, one UPDATE per chunk claims it (a second run at the same
    time claims nothing twice), and the emails go into the outbox in the claim's transaction.
    """
    now = now or utcnow()
    # Requests past their expiry stop being pending. The link stays known (it opens nothing) so it can
    # still say that it has expired, in the request's language.
    expired = db.session.execute(update(CollectionRequest).where(
        CollectionRequest.status == RequestStatus.PENDING.value, CollectionRequest.expires_at < now,
    ).values(status=RequestStatus.EXPIRED.value).returning(CollectionRequest.id, CollectionRequest.replaces_card_id)
        .execution_options(synchronize_session=False)).all()
    replacing = [row.id for row in expired if row.replaces_card_id]
    if replacing:  # renewal frees the cards these were to replace
        for req in db.session.scalars(select(CollectionRequest).where(CollectionRequest.id.in_(replacing))):
            request_closed.send(req)
    db.session.commit()
    sent = 0
    for (company_id, seen), ids in _due(now).items():
        company = db.session.get(Company, company_id)
        for start in range(0, len(ids), CHUNK):
            claimed = _claim(ids[start:start + CHUNK], seen, now)
            if claimed:
                _queue_reminders(company, claimed)
            db.session.commit()
            sent += len(claimed)
    return sent
