"""Notifications listen to the features below them and queue the emails people asked for, in the
transaction of the change (a change that rolls back sends nothing)."""
from __future__ import annotations

from sqlalchemy import and_, func, select

from portal.collection.models import CollectionRequest, RequestStatus
from portal.collection.signals import collection_submitted
from portal.infra.extensions import db
from portal.notifications.operations import tell
from portal.ordering.models import Order
from portal.ordering.signals import order_approved, order_ready, order_rejected, order_shipped
from portal.printing.models import PrintJob
from portal.printing.signals import print_job_failed
from portal.tenancy.models import Company, User


@order_approved.connect
def order_was_approved(order: Order, *, approver: User | None = None, **_) -> None:
    tell(order.orderer, "order_decided", "order_approved", order.company, order=order, approver=approver)


@order_rejected.connect
def order_was_rejected(order: Order, *, approver: User | None = None, reason: str = "", **_) -> None:
    tell(order.orderer, "order_decided", "order_rejected", order.company, order=order, approver=approver,
         reason=reason)


@order_ready.connect
def order_is_ready(order: Order, *, cards: int = 0, **_) -> None:
    tell(order.orderer, "cards_ready", "order_ready", order.company, order=order, cards=cards)


@order_shipped.connect
def order_was_shipped(order: Order, **_) -> None:
    tell(order.orderer, "order_shipped", "order_shipped", order.company, order=order)


@print_job_failed.connect
def print_job_has_failed(job: PrintJob, **_) -> None:
    """The orderer of the card (or who sent the job, for a test page) hears of it."""
    if job.card is not None and job.card.orderer_id:
        person = db.session.get(User, job.card.orderer_id)
    else:
        person = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    tell(person, "print_failed", "print_job_failed", db.session.get(Company, job.company_id), job=job, card=job.card)


def _round_of(req: CollectionRequest):
    """The requests sent together with `req`: its CSV import (batch), or the same paste (same sender, card
    type and moment of sending; a request's sent_at never changes)."""
    if req.batch_id is not None:
        return CollectionRequest.batch_id == req.batch_id
    return and_(CollectionRequest.company_id == req.company_id, CollectionRequest.batch_id.is_(None),
                CollectionRequest.created_by_id == req.created_by_id, CollectionRequest.card_type_id == req.card_type_id,
                CollectionRequest.sent_at == req.sent_at)


@collection_submitted.connect
def collection_answered(req: CollectionRequest, *, first: bool = True, **_) -> None:
    """Everyone invited in the round has answered: its sender is told, once (by the first answer of the
    last one still pending)."""
    if not first or req.created_by_id is None or req.sent_at is None:
        return
    in_round = _round_of(req)
    waiting = db.session.scalar(select(func.count()).select_from(CollectionRequest).where(
        in_round, CollectionRequest.status == RequestStatus.PENDING.value))
    if waiting:
        return
    answered = db.session.scalar(select(func.count()).select_from(CollectionRequest).where(
        in_round, CollectionRequest.submitted_at.is_not(None)))
    tell(db.session.get(User, req.created_by_id), "collection_finished", "collection_round_finished", req.company,
         cards=answered, card_type=req.card_type)
