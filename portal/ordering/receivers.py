"""Ordering follows its cards (cards tell it through `portal.cards.signals`).

A card of a placed order that production takes up puts the order in production; once every card of
an order in production is active (terminated ones aside), the order's cards are ready and the
orderer gets an email. Both are conditional moves, so two cards finishing at once move it once.
"""
from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.operations import record
from portal.cards.models import Card, CardStatus
from portal.cards.signals import card_status_changed
from portal.infra.extensions import db
from portal.ordering.checkout import move_order_status
from portal.ordering.models import Order, OrderStatus
from portal.ordering.operations import OrderingError
from portal.ordering.signals import order_ready

_TAKEN_UP = {CardStatus.IN_PRODUCTION.value, CardStatus.ACTIVE.value}
# A card terminated while the others are active (a misprint, a holder who left) lets the order be ready too.
_MOVES_ON = _TAKEN_UP | {CardStatus.TERMINATED.value}


@card_status_changed.connect
def follow_card(card: Card, *, from_status: str, to_status: str, user=None, **_) -> None:
    if card.order_id is None or to_status not in _MOVES_ON:
        return
    order = db.session.get(Order, card.order_id)
    if order is None:
        return
    try:
        if order.status == OrderStatus.PLACED.value and to_status in _TAKEN_UP:
            move_order_status(order, (OrderStatus.PLACED.value,), OrderStatus.IN_PRODUCTION.value)
        if order.status == OrderStatus.IN_PRODUCTION.value and _all_cards_active(order):
            move_order_status(order, (OrderStatus.IN_PRODUCTION.value,), OrderStatus.READY.value)
            _tell_orderer_ready(order)
    except OrderingError:
        return  # another request moved the order at the same moment; it has the order's next step


def _all_cards_active(order: Order) -> bool:
    counts = dict(db.session.execute(select(Card.status, func.count()).where(Card.order_id == order.id)
                                     .group_by(Card.status)).all())
    in_use = {s: n for s, n in counts.items() if s != CardStatus.TERMINATED.value}
    return bool(in_use) and set(in_use) == {CardStatus.ACTIVE.value}


def _tell_orderer_ready(order: Order) -> None:
    record("order.ready", company_id=order.company_id, obj=order, summary=order.number)
    cards = db.session.scalar(select(func.count()).select_from(Card).where(
        Card.order_id == order.id, Card.status == CardStatus.ACTIVE.value))
    order_ready.send(order, cards=cards)  # notifications email the orderer (if they want it)
