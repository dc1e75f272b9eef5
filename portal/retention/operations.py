"""Retention: personal data of old orders is anonymised in bulk, with set-based UPDATEs.

What is anonymised (the README lists the same):
- orders: delivery address, note (the order number, dates, reference, cost centre, amounts and status stay);
- order lines: holder name, holder data (names, email, phone, national id, employee number, every
  layout field), photo, per-card delivery address;
- cards: holder name, email, national id, employee number, holder data, photo, status reasons and
  status-history reasons (card number, chip UID, readouts, status and dates stay);
- card change requests of those cards: proposed values and photo;
- print jobs of those cards: output path and error text;
- data-collection requests finished before the cut-off (ordered, removed, expired): email, name,
  collected data, photo, rejection reason, link token;
- cards printed locally with "Print now" (they have no order) whose status last changed before the
  cut-off: as cards above;
- audit events about those cards, orders, requests and print jobs: summary and recorded changes (the
  action, who and when stay);
- sent and failed emails of the company older than the cut-off are deleted from the outbox;
- photo files of all of the above are deleted from storage, unless something kept still uses them (the
  photo of a collected card is also the request's and the order line's).
Cards that are still active keep their holder's data (and so does their order line) until the card
is blocked or terminated and the period has passed again.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import String, and_, cast, delete, func, or_, select, text, update
from sqlalchemy.exc import OperationalError

from portal.audit.models import AuditEvent
from portal.audit.operations import record
from portal.cards.models import Card, CardChange, CardStatus, CardStatusEvent
from portal.collection.models import CollectionRequest, RequestStatus
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.ordering.models import Order, OrderLine
from portal.outbox.models import OutboxEmail, OutboxState
from portal.printing.models import PrintJob
from portal.tenancy.models import Company

log = logging.getLogger(__name__)
FINISHED_REQUESTS = (RequestStatus.ORDERED.value, RequestStatus.REMOVED.value, RequestStatus.EXPIRED.value)


# What anonymising blanks, table by table: retention's bulk runs below and a person's erasure
# (portal.privacy.erasure) both write these values, so the two never drift apart.
CARD_BLANK = {"holder_name": "", "holder_email": "", "national_id": "", "employee_no": "", "holder_data": {},
              "photo_key": None, "status_reason": ""}
ORDER_LINE_BLANK = {"holder_name": "", "holder_data": {}, "photo_key": None, "delivery": None}
ORDER_BLANK = {"delivery": None, "note": ""}
CARD_CHANGE_BLANK = {"proposed": {}, "photo_key": None, "token_hash": None}
PRINT_JOB_BLANK = {"output": "", "error": ""}
STATUS_EVENT_BLANK = {"reason": ""}
REQUEST_BLANK = {"email": "", "name": "", "data": {}, "photo_key": None, "rejection_reason": "", "token_hash": None}
AUDIT_BLANK = {"summary": "", "changes": {}}


@dataclass
class RetentionCounts:
    orders: int = 0
    order_lines: int = 0
    cards: int = 0
    requests: int = 0
    photos: int = 0
    audit_events: int = 0
    emails: int = 0


def cutoff_for(company: Company, now: datetime, months: int | None = None) -> datetime | None:
    months = company.retention_months if months is None else months
    if not months:
        return None
    return now - relativedelta(months=months)


def _due_orders(company_id: int, cutoff: datetime):
    return select(Order.id).where(
        Order.company_id == company_id, Order.last_activity_at < cutoff, Order.anonymised_at.is_(None)
    )


def preview(company: Company, now: datetime | None = None, months: int | None = None) -> int:
    """How many orders the next run would anonymise ("N orders would be anonymised"), with the company's
    period or with `months` (0: never), so a period can be judged before it is saved."""
    cutoff = cutoff_for(company, now or utcnow(), months)
    if cutoff is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(_due_orders(company.id, cutoff).subquery())) or 0


RETENTION_LOCK = 72_310_100  # advisory-lock class of retention runs (the second key is the company id)


def _lock_company(company: Company) -> bool:
    """On PostgreSQL, one retention run per company at a time: a second process running the job at the
    same moment skips the company instead of deleting the same photos and auditing a second run. The
    lock ends with the transaction; the statements after it see what the other run committed."""
    if db.engine.dialect.name != "postgresql":
        return True  # SQLite: one writer at a time anyway
    return bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:a, :b)"),
                                  {"a": RETENTION_LOCK, "b": company.id}))


def anonymise_company(company: Company, now: datetime | None = None) -> RetentionCounts:
    """Anonymise what is past the company's retention period. One transaction; idempotent."""
    now = now or utcnow()
    counts = RetentionCounts()
    cutoff = cutoff_for(company, now)
    if cutoff is None or not _lock_company(company):
        return counts
    due_orders = _due_orders(company.id, cutoff).scalar_subquery()
    # Cards of due orders that are not active: their holders' data goes. So does that of cards printed
    # locally (no order) and of cards that were still active when their order was anonymised, once their
    # status has not changed for the period.
    done_orders = select(Order.id).where(Order.company_id == company.id, Order.anonymised_at.is_not(None))
    left_over = and_(or_(Card.order_id.is_(None), Card.order_id.in_(done_orders)), Card.status_changed_at < cutoff)
    cards_q = and_(Card.company_id == company.id, or_(Card.order_id.in_(due_orders), left_over),
                   Card.status != CardStatus.ACTIVE.value, Card.anonymised_at.is_(None))
    card_ids = select(Card.id).where(cards_q).scalar_subquery()
    # Uncorrelated, so the database builds the set once (a correlated EXISTS per line was quadratic).
    active_lines = select(Card.order_line_id).where(Card.company_id == company.id, Card.status == CardStatus.ACTIVE.value,
                                                    Card.order_line_id.is_not(None))
    lines_q = and_(or_(OrderLine.order_id.in_(due_orders),
                       OrderLine.id.in_(select(Card.order_line_id).where(cards_q, Card.order_line_id.is_not(None)))),
                   OrderLine.id.not_in(active_lines))
    req_q = and_(CollectionRequest.company_id == company.id, CollectionRequest.status.in_(FINISHED_REQUESTS),
                 CollectionRequest.updated_at < cutoff, CollectionRequest.anonymised_at.is_(None))

    # Orders long past often have no cards or lines left to clear: one cheap probe each skips
    # several statements that would otherwise walk the due orders again.
    has_cards = db.session.scalar(select(Card.id).where(cards_q).limit(1)) is not None
    # Each half on its own: one index each (an OR of the two reads the whole order_line table).
    has_lines = any(db.session.scalar(select(OrderLine.id).where(part, OrderLine.id.not_in(active_lines)).limit(1))
                    is not None for part in (
                        OrderLine.order_id.in_(due_orders),
                        *([OrderLine.id.in_(select(Card.order_line_id).where(cards_q, Card.order_line_id.is_not(None)))]
                          if has_cards else [])))

    def run(stmt) -> int:
        return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0

    photos: set[str] = set()
    if has_cards:
        photos.update(db.session.scalars(select(Card.photo_key).where(cards_q, Card.photo_key.is_not(None))))
        photos.update(db.session.scalars(
            select(CardChange.photo_key).where(CardChange.card_id.in_(card_ids), CardChange.photo_key.is_not(None))))
    if has_lines:
        photos.update(db.session.scalars(select(OrderLine.photo_key).where(lines_q, OrderLine.photo_key.is_not(None))))
    photos.update(db.session.scalars(
        select(CollectionRequest.photo_key).where(req_q, CollectionRequest.photo_key.is_not(None))))

    # Audit events name people in their summaries: blank those about what is anonymised now (first,
    # while the subqueries still find the rows).
    about = or_(*(and_(AuditEvent.object_type == kind,
                       AuditEvent.object_id.in_(select(cast(column, String(40))).where(condition)))
                  for kind, column, condition in (("Card", Card.id, cards_q), ("Order", Order.id, Order.id.in_(due_orders)),
                                                  ("CollectionRequest", CollectionRequest.id, req_q),
                                                  ("PrintJob", PrintJob.id, PrintJob.card_id.in_(card_ids)))))
    counts.audit_events = run(update(AuditEvent).where(AuditEvent.company_id == company.id, about,
                                                       AuditEvent.summary != "").values(**AUDIT_BLANK))
    counts.emails = run(delete(OutboxEmail).where(
        OutboxEmail.company_id == company.id, OutboxEmail.created_at < cutoff,
        OutboxEmail.state.in_([OutboxState.SENT.value, OutboxState.FAILED.value])))
    if has_cards:
        run(update(CardChange).where(CardChange.card_id.in_(card_ids)).values(**CARD_CHANGE_BLANK))
        run(update(PrintJob).where(PrintJob.card_id.in_(card_ids)).values(**PRINT_JOB_BLANK))
        run(update(CardStatusEvent).where(CardStatusEvent.card_id.in_(card_ids)).values(**STATUS_EVENT_BLANK))
    if has_lines:
        counts.order_lines = run(update(OrderLine).where(lines_q).values(**ORDER_LINE_BLANK))
    if has_cards:
        counts.cards = run(update(Card).where(cards_q).values(**CARD_BLANK, anonymised_at=now))
    # The due orders' own conditions, not `id IN (due orders)`: one pass over the company's orders, as a
    # bare UPDATE (the subquery built the set of 100,000 ids first and then looked up each).
    counts.orders = run(update(Order).where(Order.company_id == company.id, Order.last_activity_at < cutoff,
                                            Order.anonymised_at.is_(None)).values(**ORDER_BLANK, anonymised_at=now))
    counts.requests = run(update(CollectionRequest).where(req_q).values(
        **REQUEST_BLANK, anonymised_at=now, updated_at=CollectionRequest.updated_at))
    # A photo of something anonymised may still be another row's (a collected photo is also the active
    # card's): only files nothing refers to any more go, after the commit.
    photos = storage.unreferenced(photos)
    storage.discard(*photos)
    counts.photos = len(photos)
    if any(asdict(counts).values()):
        record("retention.run", company_id=company.id, user_id=None,
               summary=f"{counts.orders} orders, {counts.cards} cards, {counts.requests} requests anonymised",
               changes={k: [None, v] for k, v in asdict(counts).items()})
    db.session.commit()  # the discarded files go after it: a rollback leaves every photo in place
    return counts


def anonymise_all(now: datetime | None = None) -> RetentionCounts:
    """The daily job: every company with a retention period, each in a transaction of its own.

    On PostgreSQL each company's run reads one snapshot (REPEATABLE READ): a card blocked or an order
    written while the run is under way is either wholly in it (its photo deleted) or left for the next
    run, never anonymised with its photo file left behind. A conflict with such a write rolls the
    company back; the next run does it.
    """
    total = RetentionCounts()
    company_ids = db.session.scalars(select(Company.id).where(Company.retention_months.is_not(None))).all()
    for company_id in company_ids:
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        try:
            counts = anonymise_company(db.session.get(Company, company_id), now)
        except OperationalError as exc:  # serialization failure: another transaction changed these rows
            db.session.rollback()
            log.warning("retention of company %s postponed to the next run: %s", company_id, exc.orig)
            continue
        for field in asdict(total):
            setattr(total, field, getattr(total, field) + getattr(counts, field))
    return total
