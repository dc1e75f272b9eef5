"""Data collection follows the cart lines its requests became (ordering tells it through
`portal.ordering.signals`): ordered, sent back to In review with the cart's edits, or removed."""
from __future__ import annotations

from portal.collection.models import CollectionRequest, RequestStatus
from portal.infra import storage
from portal.infra.extensions import db
from portal.ordering.models import CartItem
from portal.ordering.signals import cart_item_ordered, cart_item_released


def _request_of(item: CartItem) -> CollectionRequest | None:
    req = db.session.get(CollectionRequest, item.collection_request_id) if item.collection_request_id else None
    return req if req is not None and req.company_id == item.company_id else None


@cart_item_ordered.connect
def request_ordered(item: CartItem, **_) -> None:
    req = _request_of(item)
    if req is not None:
        req.status = RequestStatus.ORDERED.value
        req.token_hash = None


@cart_item_released.connect
def request_released(item: CartItem, *, back_to_review: bool, **_) -> None:
    req = _request_of(item)
    if req is None:
        return
    req.status = (RequestStatus.IN_REVIEW if back_to_review else RequestStatus.REMOVED).value
    if back_to_review:  # edits made in the cart go back with the card
        req.data, req.address_id = dict(item.holder_data), item.address_id
        if item.photo_key and item.photo_key != req.photo_key:
            storage.discard(req.photo_key)  # replaced in the cart: the old one is nobody's now
            req.photo_key, req.photo_findings = item.photo_key, list(item.photo_findings or [])
    else:  # removed, as from In review: the photo goes with it (once nothing kept refers to it)
        storage.discard(req.photo_key)
        req.photo_key = None
