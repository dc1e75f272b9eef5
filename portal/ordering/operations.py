"""Cart, checkout, approvals and cancellation. Callers commit; every function takes the company."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.cards.duplicates import NotReplaceable, replaceable_card
from portal.catalog.layout import holder_name, photo_field, validate_layout_values
from portal.catalog.models import Accessory, CardType
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.ordering.models import Address, CartItem, LineKind, OrderCounter
from portal.ordering.signals import cart_item_released
from portal.ordering.vat import Amounts, split, vat_rate
from portal.tenancy.models import Company, User


class OrderingError(ValueError):
    """A request the user can fix; str() is the message to show, `field` the input it is about if one."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


class CardInvalid(OrderingError):
    """The holder's details do not fit the card type: `errors` by layout field key; str() is the first."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), "fields")
        self.errors = errors


def card_type_for(company: Company, card_type_id) -> CardType:
    ct = db.session.get(CardType, _int(card_type_id))
    if ct is None or not ct.active or ct.company_id not in (None, company.id):
        raise OrderingError(_l("Choose one of the card types offered to your company."), "card_type_id")
    return ct


def address_for(company: Company, address_id) -> Address | None:
    if address_id in (None, ""):
        return None
    addr = db.session.get(Address, _int(address_id))
    if addr is None or addr.company_id != company.id or addr.archived:
        raise OrderingError(_l("Choose one of your company's delivery addresses."), "address_id")
    return addr


def active_addresses(company: Company) -> list[Address]:
    return list(db.session.scalars(
        select(Address).where(Address.company_id == company.id, Address.archived.is_(False)).order_by(Address.name)
    ))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def add_card_to_cart(company: Company, user: User, card_type: CardType, holder_data: dict, photo_key: str | None,
                     *, address_id: int | None = None, collection_request_id: int | None = None,
                     replaces_card_id=None, valid_until=None, photo_findings: list[str] | None = None) -> CartItem:
    """Validate the holder data against the layout and put one card in the user's cart (replacing an active
    card of the same person if `replaces_card_id` is given: that card is blocked when the new one is active).
    ID06-style card types need `valid_until`, the last day of the holder's employment or assignment."""
    clean = checked_card(company, card_type, holder_data, has_photo=bool(photo_key))
    addr = address_for(company, address_id)
    replaced = card_to_replace(company, replaces_card_id) if replaces_card_id else None
    item = CartItem(company_id=company.id, user_id=user.id, kind=LineKind.CARD.value, card_type_id=card_type.id,
                    holder_data=clean, photo_key=photo_key, photo_findings=list(photo_findings or []),
                    address_id=addr.id if addr else None,
                    collection_request_id=collection_request_id, replaces_card_id=replaced.id if replaced else None,
                    valid_until=end_of_assignment(card_type, valid_until))
    db.session.add(item)
    db.session.flush()
    return item


def checked_card(company: Company, card_type: CardType, holder_data: dict, *, has_photo: bool) -> dict:
    """The holder's details as the card keeps them, checked against the card type's layout (national ids,
    dates, lengths, choices) and photo; CardInvalid names every field that does not fit."""
    if card_type.company_id not in (None, company.id) or not card_type.active:
        raise OrderingError(_l("Choose one of the card types offered to your company."), "card_type_id")
    clean, errors = validate_layout_values(card_type, holder_data, country=company.country)
    photo = photo_field(card_type)
    if photo is not None and not has_photo:
        errors[photo.key] = _l("This card needs a photo.")
    if errors:
        raise CardInvalid(errors)
    return clean


def end_of_assignment(card_type: CardType, value) -> date | None:
    """The end date an ID06-style card needs (today or later, within ten years); None for other card types."""
    if not card_type.validity_until_end_date:
        return None
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise OrderingError(_l("Enter the last day of the employment or assignment.")) from None
    today = utcnow().date()
    if not today <= day <= today + timedelta(days=3653):
        raise OrderingError(_l("The last day of the assignment must be between today and ten years from now."))
    return day


def accessory_for(accessory_id, quantity: int) -> Accessory:
    """An accessory that can be ordered, in a quantity that can (1 to 10,000)."""
    acc = db.session.get(Accessory, _int(accessory_id))
    if acc is None or not acc.active:
        raise OrderingError(_l("This accessory is not available."), "accessory_id")
    if not 1 <= quantity <= 10000:
        raise OrderingError(_l("Choose a quantity between 1 and 10,000."), "quantity")
    return acc


def add_accessory_to_cart(company: Company, user: User, accessory_id, quantity: int) -> CartItem:
    acc = accessory_for(accessory_id, quantity)
    item = db.session.scalar(select(CartItem).where(
        CartItem.company_id == company.id, CartItem.user_id == user.id, CartItem.accessory_id == acc.id))
    if item is None:
        item = CartItem(company_id=company.id, user_id=user.id, kind=LineKind.ACCESSORY.value,
                        accessory_id=acc.id, quantity=0)
        db.session.add(item)
    item.quantity += quantity
    db.session.flush()
    return item


def cart_items(company: Company, user: User) -> list[CartItem]:
    return list(db.session.scalars(
        select(CartItem)
        .options(selectinload(CartItem.card_type).selectinload(CardType.fields),
                 selectinload(CartItem.accessory), selectinload(CartItem.address))
        .where(CartItem.company_id == company.id, CartItem.user_id == user.id)
        .order_by(CartItem.kind, CartItem.id)
    ))


def own_cart_item(company: Company, user: User, item_id) -> CartItem:
    item = db.session.get(CartItem, _int(item_id))
    if item is None or item.company_id != company.id or item.user_id != user.id:
        raise LookupError(item_id)
    return item


def colour_surcharge(company: Company) -> Decimal:
    if not company.logo_is_colour:
        return Decimal("0.00")
    return Decimal(str(current_app.config.get("COLOUR_LOGO_SURCHARGE", "20.00")))


@dataclass
class CartLine:
    item: CartItem
    description: str
    unit_price: Decimal
    surcharge: Decimal
    quantity: int

    @property
    def total(self) -> Decimal:
        return (self.unit_price + self.surcharge) * self.quantity


@dataclass
class CartSummary:
    cards: list[CartLine] = field(default_factory=list)
    accessories: list[CartLine] = field(default_factory=list)
    vat_rate: Decimal = Decimal("0")  # the company's, in percent (portal.ordering.vat)

    @property
    def total(self) -> Decimal:
        """Excluding VAT."""
        return sum((line.total for line in self.cards + self.accessories), Decimal("0.00"))

    @property
    def amounts(self) -> Amounts:
        """Net, VAT (rounded once on the whole cart, as the order will be) and gross."""
        return split(self.total, self.vat_rate)

    @property
    def empty(self) -> bool:
        return not (self.cards or self.accessories)

    @property
    def all_cards_have_address(self) -> bool:
        """Every card has its own address and nothing else needs one (accessories go to a common address)."""
        return bool(self.cards) and not self.accessories and all(line.item.address_id for line in self.cards)


def cart_summary(company: Company, user: User) -> CartSummary:
    return priced(company, cart_items(company, user))


def priced(company: Company, items: list[CartItem]) -> CartSummary:
    """Lines (in a cart, or given at once through the API) with today's prices and the colour surcharge."""
    summary = CartSummary(vat_rate=vat_rate(company))
    surcharge = colour_surcharge(company)
    for item in items:
        if item.kind == LineKind.CARD:
            ct = item.card_type
            summary.cards.append(CartLine(item, f"{ct.display_name}: {holder_name(ct, item.holder_data)}", ct.price,
                                          surcharge, 1))
        else:
            acc = item.accessory
            summary.accessories.append(CartLine(item, acc.display_name, acc.price, Decimal("0.00"), item.quantity))
    return summary


def update_cart_card(company: Company, user: User, item_id, holder_data: dict, photo_key: str | None,
                     address_id, photo_findings: list[str] | None = None) -> CartItem:
    item = own_cart_item(company, user, item_id)
    clean, errors = validate_layout_values(item.card_type, holder_data, country=company.country)
    if errors:
        raise OrderingError(next(iter(errors.values())))
    addr = address_for(company, address_id)
    item.holder_data = clean
    if photo_key and photo_key != item.photo_key:
        storage.discard(item.photo_key)  # kept while the collection request still shows it
        item.photo_key, item.photo_findings = photo_key, list(photo_findings or [])
    item.address_id = addr.id if addr else None
    return item


def card_to_replace(company: Company, card_id):
    try:
        return replaceable_card(company, card_id)
    except NotReplaceable as exc:
        raise OrderingError(str(exc), "replaces_card_id") from None


def set_replacement(company: Company, user: User, item_id, card_id) -> CartItem:
    """Let a card in the cart replace an active card of the same person, or (no card_id) not any more."""
    item = own_cart_item(company, user, item_id)
    if item.kind != LineKind.CARD.value:
        raise LookupError(item_id)
    item.replaces_card_id = card_to_replace(company, card_id).id if card_id else None
    return item


def update_accessory_quantity(company: Company, user: User, item_id, quantity: int) -> None:
    item = own_cart_item(company, user, item_id)
    if quantity <= 0:
        db.session.delete(item)
    elif quantity > 10000:
        raise OrderingError(_l("Choose a quantity between 1 and 10,000."))
    else:
        item.quantity = quantity


def _release_request(item: CartItem, back_to_review: bool) -> None:
    """A card from data collection or one replacing a card leaves the cart: the collection feature decides what
    its request becomes, renewal frees the card it was to replace."""
    if item.collection_request_id or item.replaces_card_id:
        cart_item_released.send(item, back_to_review=back_to_review)
    storage.discard(item.photo_key)  # deleted after the commit unless the request or an order still has it


def remove_cart_item(company: Company, user: User, item_id, *, back_to_review: bool = False) -> None:
    """Remove one line; a card from data collection can go back to In review instead of being lost."""
    item = own_cart_item(company, user, item_id)
    _release_request(item, back_to_review)
    db.session.delete(item)


def clear_cart(company: Company, user: User, *, back_to_review: bool = False) -> int:
    items = cart_items(company, user)
    for item in items:
        _release_request(item, back_to_review)
        db.session.delete(item)
    return len(items)


def next_number(name: str, prefix: str) -> str:
    """Race-safe yearly sequence: the UPDATE locks the counter row until the transaction ends."""
    year = utcnow().year
    key = f"{name}-{year}"
    if db.session.get(OrderCounter, key) is None:
        db.session.add(OrderCounter(name=key, value=0))
        db.session.flush()
    db.session.execute(update(OrderCounter).where(OrderCounter.name == key).values(value=OrderCounter.value + 1))
    value = db.session.scalar(select(OrderCounter.value).where(OrderCounter.name == key))
    return f"{prefix}-{year}-{value:06d}"
