"""Two cards for the same person: found by the national identity number, whatever format it was typed in
(the layout stores it in one canonical form, so 19850312-1009, 198503121009 and 8503121009 are one person)."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.cards.models import Card, CardStatus
from portal.catalog.layout import card_identity
from portal.catalog.models import CardType
from portal.infra.extensions import db
from portal.tenancy.models import Company

# Cards a person has or is about to have: another one for them is most likely a mistake or a replacement.
LIVE = (CardStatus.ORDERED.value, CardStatus.IN_PRODUCTION.value, CardStatus.ACTIVE.value)


class NotReplaceable(ValueError):
    """str() is the message for the user."""


def national_id_of(card_type: CardType | None, data: dict | None) -> str:
    if card_type is None:
        return ""
    return card_identity(card_type, data or {})["national_id"]


def live_cards_by_person(company: Company, national_ids: Iterable[str]) -> dict[str, list[Card]]:
    """The company's live cards for each of these (canonical) national identity numbers."""
    wanted = sorted({n for n in national_ids if n})
    if not wanted:
        return {}
    found: dict[str, list[Card]] = {}
    for card in db.session.scalars(select(Card).where(
            Card.company_id == company.id, Card.national_id.in_(wanted), Card.status.in_(LIVE),
            Card.anonymised_at.is_(None)).order_by(Card.id)):
        found.setdefault(card.national_id, []).append(card)
    return found


def replaceable_card(company: Company, card_id) -> Card:
    """A card a new one may replace: the company's, and active (it is blocked when the new one is), or
    blocked while *Replace card* replaces it (a lost card: terminated when the new one is active)."""
    try:
        card = db.session.get(Card, int(card_id))
    except (TypeError, ValueError):
        card = None
    if card is None or card.company_id != company.id:
        raise NotReplaceable(_l("Choose one of your company's cards to replace."))
    if card.status != CardStatus.ACTIVE.value and not (
            card.replacement_reason and card.status == CardStatus.BLOCKED.value):
        raise NotReplaceable(_l("Only an active card can be replaced."))
    return card


def replace_with(company: Company, new_card: Card, old_card_id) -> None:
    """Mark `new_card` as the replacement of an active card: that card is blocked when the new one is active."""
    new_card.replaces_card_id = replaceable_card(company, old_card_id).id
