"""Replace card and Renew: a new card for an old one, through an order or a data-collection round.

*Replace card* claims the old card (once: `cards.replacement.claim_replacement`, which blocks lost and
stolen cards at once), then opens the way to the new card: the card's data as a pre-filled card in the
orderer's cart (ordering's `add_card_to_cart`), or, when the holder should send a new photo, a
data-collection request with the data filled in (collection's `send_requests`). Either way the new card
points back at the old one, which is terminated when the new one becomes active.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.cards.models import Card, ReplacementReason
from portal.cards.replacement import claim_replacement
from portal.cards.status import CardError
from portal.collection.email_list import ParsedAddress
from portal.collection.operations import CollectionError, send_requests
from portal.infra.extensions import db
from portal.ordering.operations import OrderingError, add_card_to_cart
from portal.tenancy.models import Company, User

ORDER, COLLECT = "order", "collect"
RENEW_LIMIT = 200  # cards renewed per click (bounded work per request)


@dataclass
class Replacement:
    card: Card
    via: str  # ORDER (a card in the cart) or COLLECT (a request sent to the holder)


def replace_card(company: Company, user: User, card: Card, reason: str, *, via: str | None = None) -> Replacement:
    """Start replacing `card` for `reason`; `via` is ORDER or COLLECT (default: COLLECT for a new photo)."""
    via = via or (COLLECT if reason == ReplacementReason.NEW_PHOTO.value else ORDER)
    claim_replacement(company, user, card, reason)
    if via == COLLECT:
        if not card.holder_email:
            raise CardError(_l("The card has no email address, so the holder cannot be asked for a new photo: "
                               "replace it through an order instead."))
        data = {k: v for k, v in (card.holder_data or {}).items() if not str(k).startswith("_")}
        try:
            send_requests(company, user, card.card_type, [ParsedAddress(card.holder_email, card.holder_name)],
                          data=data, replaces_card_id=card.id)
        except CollectionError as exc:
            raise CardError(str(exc)) from None
        return Replacement(card, COLLECT)
    try:
        add_card_to_cart(company, user, card.card_type, dict(card.holder_data or {}), card.photo_key,
                         replaces_card_id=card.id,
                         valid_until=card.valid_until if card.card_type.validity_until_end_date else None)
    except OrderingError as exc:
        raise CardError(str(exc)) from None
    return Replacement(card, ORDER)


@dataclass
class Renewed:
    ordered: int = 0
    collected: int = 0
    problems: list[str] = field(default_factory=list)


def renew_cards(company: Company, user: User, cards: list[Card], via: str) -> Renewed:
    """*Renew* for many cards at once (the expiring list, the digest's link): each becomes a card in the cart
    or a data-collection request; those that cannot be renewed are named with why (the rest go ahead)."""
    done = Renewed()
    for card in cards[:RENEW_LIMIT]:
        try:
            with db.session.begin_nested():  # one card's refusal leaves the others in place
                replace_card(company, user, card, ReplacementReason.RENEWAL.value, via=via)
        except CardError as exc:
            done.problems.append(f"{card.holder_name}: {exc}")
            continue
        if via == COLLECT:
            done.collected += 1
        else:
            done.ordered += 1
    return done
