"""Warnings before a second card for the same person is ordered: the company's live cards and the other lines
of the orderer's cart with the same national identity number."""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from portal.cards.duplicates import live_cards_by_person, national_id_of
from portal.cards.models import Card, CardStatus
from portal.catalog.models import CardType
from portal.infra.national_ids import format_national_id
from portal.ordering.models import CartItem, LineKind
from portal.ordering.operations import CartSummary, cart_items
from portal.tenancy.models import Company, User


@dataclass
class SamePerson:
    national_id: str
    cards: list[Card] = field(default_factory=list)  # live cards (ordered, in production, active)
    in_cart: list[CartItem] = field(default_factory=list)  # other cards for them in the cart

    @property
    def active(self) -> list[Card]:
        return [c for c in self.cards if c.status == CardStatus.ACTIVE.value]

    def display_id(self, country: str | None) -> str:
        return format_national_id(self.national_id, country or "SE")

    def status_of(self, card: Card) -> str:
        return str(CardStatus.label_of(card.status))


def same_person_for_many(company: Company, user: User, entries: Iterable[tuple[Hashable, CardType | None, dict]],
                         cart: list[CartItem] | None = None) -> dict[Hashable, SamePerson]:
    """For each (key, card type, holder data): the person's live cards and other cart lines, if any. A key
    that is a cart line's id does not match that line itself."""
    wanted = {key: national_id_of(ct, data) for key, ct, data in entries}
    wanted = {key: nid for key, nid in wanted.items() if nid}
    if not wanted:
        return {}
    cards = live_cards_by_person(company, wanted.values())
    lines = [i for i in (cart_items(company, user) if cart is None else cart) if i.kind == LineKind.CARD.value]
    in_cart: dict[str, list[CartItem]] = {}
    for item in lines:
        in_cart.setdefault(national_id_of(item.card_type, item.holder_data), []).append(item)
    found = {}
    for key, nid in wanted.items():
        others = [i for i in in_cart.get(nid, []) if i.id != key]
        if cards.get(nid) or others:
            found[key] = SamePerson(nid, cards.get(nid, []), others)
    return found


def same_person_for(company: Company, user: User, card_type: CardType, data: dict) -> SamePerson | None:
    """Before a card is added to the cart (or printed)."""
    return same_person_for_many(company, user, [("new", card_type, data)]).get("new")


def cart_same_person(company: Company, user: User, summary: CartSummary) -> dict[int, SamePerson]:
    """By cart line id, for the cart and checkout pages."""
    items = [line.item for line in summary.cards]
    return same_person_for_many(company, user, [(i.id, i.card_type, i.holder_data) for i in items], cart=items)
