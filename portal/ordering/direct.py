"""Placing an order from lines given all at once (the API), without anyone's cart.

The lines pass the same checks as the cart's (`checked_card`, `accessory_for`, `card_type_for`,
`address_for`, `card_to_replace`, and for ID06-style card types `end_of_assignment`, the screens' rule for
`valid_until`); photos go through the order form's photo assistant (`assist_photo`: the face framed, the
findings kept on the line and the card); and the order is written by the checkout's `write_order`: the same
prices, cards, audit entry, approval (an order of a company that approves orders waits for it), emails
and `order_placed`. Every line is checked before anything is stored, and every problem is named by where
it is (`("lines", 0, "fields", "national_id")`), so the caller can point at each.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.catalog.layout import photo_field
from portal.infra import storage
from portal.infra.images import ImageRejected
from portal.infra.photo_assistant import assist_photo
from portal.ordering.addresses import add_address
from portal.ordering.checkout import write_order
from portal.ordering.models import CartItem, LineKind, Order
from portal.ordering.operations import (
    CardInvalid,
    OrderingError,
    accessory_for,
    address_for,
    card_to_replace,
    card_type_for,
    checked_card,
    end_of_assignment,
    priced,
)
from portal.tenancy.models import Company, User

Where = tuple  # ("lines", 0, "fields", "national_id")


@dataclass
class CardWanted:
    card_type_id: int
    values: dict = field(default_factory=dict)
    photo: bytes | None = None  # as uploaded: checked by its content, framed by the photo assistant
    replaces_card_id: int | None = None
    valid_until: date | None = None  # ID06-style card types: the end of the holder's assignment


@dataclass
class AccessoryWanted:
    accessory_id: int
    quantity: int


class LinesInvalid(OrderingError):
    """Some of the given lines or the address cannot be ordered: `errors` is [(where, message)]."""

    def __init__(self, errors: list[tuple[Where, str]]):
        super().__init__(errors[0][1], ".".join(map(str, errors[0][0])))
        self.errors = errors


def _card_item(company: Company, line: CardWanted, where: Where, errors: list) -> tuple[CartItem, bytes | None] | None:
    try:
        card_type = card_type_for(company, line.card_type_id)
    except OrderingError as exc:
        errors.append(((*where, exc.field), str(exc)))
        return None
    jpeg, findings, before = None, [], len(errors)
    if line.photo is not None and photo_field(card_type) is not None:
        try:  # the order form's photo assistant: the face framed, and what is wrong with the photo
            jpeg, findings = assist_photo(line.photo, size=(card_type.photo_width, card_type.photo_height),
                                          check=card_type.photo_checks)
        except ImageRejected as exc:
            errors.append(((*where, "photo"), str(exc)))
    clean = None
    try:
        clean = checked_card(company, card_type, line.values, has_photo=line.photo is not None)
    except CardInvalid as exc:
        photo = photo_field(card_type)
        errors += [((*where, "photo") if photo and key == photo.key else (*where, "fields", key), str(message))
                   for key, message in exc.errors.items()]
    try:
        valid_until = end_of_assignment(card_type, line.valid_until)
    except OrderingError as exc:
        errors.append(((*where, "valid_until"), str(exc)))
    try:
        replaced = card_to_replace(company, line.replaces_card_id) if line.replaces_card_id else None
    except OrderingError as exc:
        errors.append(((*where, exc.field), str(exc)))
    if len(errors) > before:
        return None
    item = CartItem(company_id=company.id, kind=LineKind.CARD.value, card_type=card_type, holder_data=clean,
                    replaces_card_id=replaced.id if replaced else None, valid_until=valid_until,
                    photo_findings=findings)
    return item, jpeg


def _accessory_item(company: Company, line: AccessoryWanted, where: Where, errors: list) -> CartItem | None:
    try:
        accessory = accessory_for(line.accessory_id, line.quantity)
    except OrderingError as exc:
        errors.append(((*where, exc.field), str(exc)))
        return None
    return CartItem(company_id=company.id, kind=LineKind.ACCESSORY.value, accessory=accessory, quantity=line.quantity)


def place_order_from_lines(company: Company, user: User | None, lines: list[CardWanted | AccessoryWanted], *,
                           address_id: int | None = None, new_address: dict | None = None, cost_centre: str = "",
                           reference: str = "", note: str = "") -> Order:
    """Order the given cards and accessories, delivered to one of the company's addresses (`address_id`) or to
    a new one (`new_address`, kept among the company's addresses). `user` is the orderer (None: nobody in
    particular, e.g. a key made from the command line). Raises LinesInvalid naming every problem; nothing is
    written then. The caller commits."""
    errors: list[tuple[Where, str]] = []
    items: list[CartItem] = []
    photos: list[tuple[CartItem, bytes]] = []
    if not lines:
        errors.append((("lines",), _l("Order at least one card or accessory.")))
    for index, line in enumerate(lines):
        if isinstance(line, CardWanted):
            found = _card_item(company, line, ("lines", index), errors)
            if found is not None:
                items.append(found[0])
                if found[1] is not None:
                    photos.append(found)
        else:
            item = _accessory_item(company, line, ("lines", index), errors)
            if item is not None:
                items.append(item)
    common = None
    try:
        common = address_for(company, address_id)
    except OrderingError as exc:
        errors.append(((exc.field,), str(exc)))
    if common is None and new_address is None and address_id is None:
        errors.append((("address_id",), _l("Choose a delivery address: one of your company's, or a new one.")))
    if errors:
        raise LinesInvalid(errors)
    if common is None:
        common = add_address(company, new_address)
    for item, jpeg in photos:
        item.photo_key = storage.save(jpeg, "photos", "jpg")
    return write_order(company, user, priced(company, items), common, cost_centre=cost_centre, reference=reference,
                       note=note, key=None)
