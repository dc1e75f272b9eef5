"""Erase a person now: their data is blanked in every table with the same values retention writes
(portal.retention.operations: CARD_BLANK and the others), their photo files are deleted after the
commit, and what must be kept is listed with the reason. Audited (the entry names no one)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from portal.audit.models import AuditEvent
from portal.audit.operations import record
from portal.audit.reads import subject_of
from portal.cards.models import Card, CardChange, CardStatus, CardStatusEvent
from portal.collection.models import CollectionRequest, ImportBatch, RequestStatus
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.ordering.models import CartItem, Order, OrderLine
from portal.outbox.models import OutboxEmail
from portal.printing.models import PrintJob
from portal.privacy.people import Footprint
from portal.retention.operations import (
    AUDIT_BLANK,
    CARD_BLANK,
    CARD_CHANGE_BLANK,
    ORDER_BLANK,
    ORDER_LINE_BLANK,
    PRINT_JOB_BLANK,
    REQUEST_BLANK,
    STATUS_EVENT_BLANK,
)
from portal.tenancy.models import Company
from portal.webhooks.models import WebhookDelivery

IN_USE = (CardStatus.ORDERED.value, CardStatus.IN_PRODUCTION.value, CardStatus.ACTIVE.value)
OPEN_REQUESTS = (RequestStatus.PENDING.value, RequestStatus.IN_REVIEW.value, RequestStatus.REJECTED.value,
                 RequestStatus.IN_CART.value)

# Why something stays (shown on the confirmation page, and in the result).
KEPT_CARD = _l("Card %(number)s is still in use (%(status)s): its holder's data and history stay until the card is "
               "blocked or terminated. Block it, then erase again.")
KEPT_LINE = _l("The order line of a card still in use stays with it.")
KEPT_ORDERS = _l("The orders' numbers, dates, lines and amounts stay (bookkeeping); the holder's name, data and "
                 "photo on them are removed.")
KEPT_USER = _l("%(email)s is also a user of the portal: the user account stays until you remove it under "
              "Company > Users.")
KEPT_AUDIT = _l("The audit log keeps who did what and when, and who viewed this person's data (as an "
                "unreadable key, not the data itself).")


@dataclass
class ErasureResult:
    cards: int = 0
    lines: int = 0
    requests: int = 0
    changes: int = 0
    audit_events: int = 0
    emails: int = 0
    webhook_deliveries: int = 0
    cart_items: int = 0
    import_errors: int = 0
    photos: int = 0
    kept: list[str] = field(default_factory=list)


def kept_reasons(fp: Footprint) -> list[str]:
    """What erasing now would keep, and why."""
    reasons = [str(KEPT_CARD) % {"number": c.card_number or f"#{c.id}", "status": CardStatus(c.status).label}
               for c in fp.cards if c.status in IN_USE]
    if any(c.status in IN_USE and c.order_line_id for c in fp.cards):
        reasons.append(str(KEPT_LINE))
    if fp.orders:
        reasons.append(str(KEPT_ORDERS))
    if fp.user_email:
        reasons.append(str(KEPT_USER) % {"email": fp.user_email})
    reasons.append(str(KEPT_AUDIT))
    return reasons


def _run(stmt) -> int:
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0


def _mentions(value, needles: list[str]) -> bool:
    text = str(value or "").casefold()
    return any(n.casefold() in text for n in needles if n)


def erase_person(company: Company, fp: Footprint) -> ErasureResult:
    """Anonymise this person now (the caller commits; the photo files go after the commit)."""
    now = utcnow()
    person = fp.person
    # The person's cards are locked as read (PostgreSQL): a second erasure or a status change waits for
    # this one, and what is in use is decided from the state now, not from the page that was shown.
    if fp.cards:
        fp.cards = list(db.session.scalars(select(Card).where(
            Card.company_id == company.id, Card.id.in_([c.id for c in fp.cards])).order_by(Card.id)
            .with_for_update().execution_options(populate_existing=True)))
    result = ErasureResult(kept=kept_reasons(fp))
    cards = [c for c in fp.cards if c.status not in IN_USE]
    card_ids = [c.id for c in cards]
    kept_lines = {c.order_line_id for c in fp.cards if c.status in IN_USE and c.order_line_id}
    line_ids = [line.id for line in fp.lines if line.id not in kept_lines]
    request_ids = [r.id for r in fp.requests]
    change_ids = [ch.id for ch in fp.changes if ch.card_id in card_ids]
    photos = {c.photo_key for c in cards} | {line.photo_key for line in fp.lines if line.id in line_ids}
    photos |= {r.photo_key for r in fp.requests} | {ch.photo_key for ch in fp.changes if ch.id in change_ids}
    photos |= {item.photo_key for item in fp.cart_items}
    needles = [person.name, person.email, person.national_id]

    # Audit events first, while the rows still name the person.
    audit_ids = [e.id for e in fp.audit_events if e.summary or e.changes]
    if audit_ids:
        result.audit_events = _run(update(AuditEvent).where(AuditEvent.company_id == company.id,
                                                            AuditEvent.id.in_(audit_ids)).values(**AUDIT_BLANK))
    if card_ids:
        _run(update(CardChange).where(CardChange.company_id == company.id, CardChange.id.in_(change_ids))
             .values(**CARD_CHANGE_BLANK))
        _run(update(PrintJob).where(PrintJob.company_id == company.id, PrintJob.card_id.in_(card_ids))
             .values(**PRINT_JOB_BLANK))
        _run(update(CardStatusEvent).where(CardStatusEvent.card_id.in_(card_ids)).values(**STATUS_EVENT_BLANK))
        # From the state read: a card unblocked meanwhile is in use again and keeps its holder.
        result.cards = _run(update(Card).where(Card.company_id == company.id, Card.id.in_(card_ids),
                                               Card.status.not_in(IN_USE)).values(**CARD_BLANK, anonymised_at=now))
        result.changes = len(change_ids)
    if line_ids:
        result.lines = _run(update(OrderLine).where(OrderLine.id.in_(line_ids)).values(**ORDER_LINE_BLANK))
    # An order's delivery address and note go when they name the person (the order itself stays).
    order_ids = [o.id for o in fp.orders if _mentions(o.delivery, needles) or _mentions(o.note, needles)]
    if order_ids:
        _run(update(Order).where(Order.company_id == company.id, Order.id.in_(order_ids)).values(**ORDER_BLANK))
    if request_ids:
        _run(update(CollectionRequest).where(CollectionRequest.company_id == company.id,
                                             CollectionRequest.id.in_(request_ids),
                                             CollectionRequest.status.in_(OPEN_REQUESTS))
             .values(status=RequestStatus.REMOVED.value))
        result.requests = _run(update(CollectionRequest).where(CollectionRequest.company_id == company.id,
                                                               CollectionRequest.id.in_(request_ids))
                               .values(**REQUEST_BLANK, anonymised_at=now))
    if fp.emails:
        result.emails = _run(delete(OutboxEmail).where(OutboxEmail.company_id == company.id,
                                                       OutboxEmail.id.in_([e.id for e in fp.emails])))
    if fp.webhook_deliveries:
        result.webhook_deliveries = _run(delete(WebhookDelivery).where(
            WebhookDelivery.company_id == company.id, WebhookDelivery.id.in_([d.id for d in fp.webhook_deliveries])))
    if fp.cart_items:
        result.cart_items = _run(delete(CartItem).where(CartItem.company_id == company.id,
                                                        CartItem.id.in_([i.id for i in fp.cart_items])))
    for batch in fp.import_batches:  # a CSV import's row errors quote the rows' values: theirs go
        kept_errors = [e for e in batch.errors or [] if not _mentions(json.dumps(e, ensure_ascii=False), needles)]
        result.import_errors += len(batch.errors or []) - len(kept_errors)
        _run(update(ImportBatch).where(ImportBatch.company_id == company.id, ImportBatch.id == batch.id)
             .values(errors=kept_errors))
    photos = storage.unreferenced(k for k in photos if k)
    storage.discard(*photos)
    result.photos = len(photos)
    event = record("privacy.erased", company_id=company.id, user_id=None,
                   summary=f"{result.cards} cards, {result.lines} order lines, {result.requests} requests erased",
                   changes={"cards": (None, result.cards), "order_lines": (None, result.lines),
                            "requests": (None, result.requests), "photos": (None, result.photos),
                            "kept": (None, len(result.kept))})
    event.subject = subject_of(national_id=person.national_id, email=person.email, name=person.name)
    db.session.flush()
    return result
