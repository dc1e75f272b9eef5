"""Webhooks listen to the features below them and write one delivery row per endpoint that wants the
event, in the transaction of the change (a change that rolls back sends nothing)."""
from __future__ import annotations

from portal.cards.models import Card, CardStatus
from portal.cards.signals import card_changed, card_status_changed
from portal.collection.models import CollectionRequest
from portal.collection.signals import collection_submitted
from portal.ordering.models import Order
from portal.ordering.signals import order_approved, order_placed
from portal.printing.models import PrintJob
from portal.printing.signals import print_job_failed
from portal.webhooks.events import card_data, collection_data, emit, order_data, print_job_data

ACTIVE, BLOCKED, TERMINATED = CardStatus.ACTIVE.value, CardStatus.BLOCKED.value, CardStatus.TERMINATED.value


def card_event(from_status: str | None, to_status: str) -> str | None:
    """Which event a status move is: activated (made, printed), unblocked, blocked or terminated."""
    if to_status == ACTIVE:
        return "card.unblocked" if from_status == BLOCKED else "card.activated"
    return {BLOCKED: "card.blocked", TERMINATED: "card.terminated"}.get(to_status)


@card_status_changed.connect
def card_status(card: Card, *, from_status: str, to_status: str, **_) -> None:
    event = card_event(from_status, to_status)
    if event:
        emit(card.company_id, event, card_data(card, previous_status=from_status))


@card_changed.connect
def card_data_changed(card: Card, *, fields=(), **_) -> None:
    emit(card.company_id, "card.changed", card_data(card, changed_fields=list(fields)))


@order_placed.connect
def order_was_placed(order: Order, *, cards: int | None = None, **_) -> None:
    emit(order.company_id, "order.placed", order_data(order, cards))


@order_approved.connect
def order_was_approved(order: Order, **_) -> None:
    emit(order.company_id, "order.approved", order_data(order))


@collection_submitted.connect
def collection_was_submitted(req: CollectionRequest, **_) -> None:
    emit(req.company_id, "collection.submitted", collection_data(req))


@print_job_failed.connect
def print_job_has_failed(job: PrintJob, **_) -> None:
    emit(job.company_id, "print_job.failed", print_job_data(job))
