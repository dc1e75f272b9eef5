"""An abandoned replacement frees the old card (cards owns the claim: `cards.replacement.release_replacement`).

A replacement is abandoned when its way to the new card ends without one: the card in the cart is removed
(`ordering.signals.cart_item_released`, not sent back to In review), the data-collection request is removed
or expires (`collection.signals.request_closed`), or the new card ends before it was ever used, its order
rejected or cancelled (`cards.signals.card_status_changed` to terminated from ordered or in production).
The claim is released only when nothing else is still on its way to replace the card.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from portal.cards.models import Card, CardStatus
from portal.cards.replacement import release_replacement
from portal.cards.signals import card_status_changed
from portal.collection.models import CollectionRequest, RequestStatus
from portal.collection.signals import request_closed
from portal.infra.extensions import db
from portal.ordering.models import CartItem
from portal.ordering.signals import cart_item_released

OPEN_REQUESTS = (RequestStatus.PENDING.value, RequestStatus.IN_REVIEW.value, RequestStatus.REJECTED.value,
                 RequestStatus.IN_CART.value)
NOT_YET_USED = (CardStatus.ORDERED.value, CardStatus.IN_PRODUCTION.value)


def still_replaced(card_id: int, *, except_item: int | None = None, except_request: int | None = None) -> bool:
    """Something else is still on its way to replace the card: a card in a cart, an open data-collection
    request, or a new card ordered, in production or active."""
    item = select(CartItem.id).where(CartItem.replaces_card_id == card_id)
    if except_item is not None:
        item = item.where(CartItem.id != except_item)
    request = select(CollectionRequest.id).where(CollectionRequest.replaces_card_id == card_id,
                                                 CollectionRequest.status.in_(OPEN_REQUESTS))
    if except_request is not None:
        request = request.where(CollectionRequest.id != except_request)
    card = select(Card.id).where(Card.replaces_card_id == card_id, Card.replaces_card_id.is_not(None),  # partial index
                                 Card.status.in_([*NOT_YET_USED, CardStatus.ACTIVE.value]))
    return bool(db.session.scalar(select(exists(item) | exists(request) | exists(card))))


def release_if_abandoned(company_id: int, card_id: int | None, user=None, **excepted) -> bool:
    if not card_id or still_replaced(card_id, **excepted):
        return False
    return release_replacement(company_id, card_id, user)


@cart_item_released.connect
def cart_card_removed(item: CartItem, *, back_to_review: bool, **_) -> None:
    if item.replaces_card_id and not back_to_review:  # back in review: the request still replaces the card
        release_if_abandoned(item.company_id, item.replaces_card_id, except_item=item.id,
                             except_request=item.collection_request_id)


@request_closed.connect
def request_ended(req: CollectionRequest, **_) -> None:
    release_if_abandoned(req.company_id, req.replaces_card_id, except_request=req.id)


@card_status_changed.connect
def new_card_ended(card: Card, *, from_status: str, to_status: str, user=None, **_) -> None:
    if card.replaces_card_id and to_status == CardStatus.TERMINATED.value and from_status in NOT_YET_USED:
        release_if_abandoned(card.company_id, card.replaces_card_id, user)
