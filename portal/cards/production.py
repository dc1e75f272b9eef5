"""The production file: card numbers, chip UIDs and readouts for many cards at once (operator only)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.operations import record
from portal.cards.models import Card, CardStatus, order_numbers
from portal.cards.operations import CardError, set_production_data
from portal.infra.csv_reading import CsvFileError, RowError, decode_utf8
from portal.infra.extensions import db
from portal.tenancy.models import User

CARD = {"card", "card id", "card reference", "kort", "kort-id"}
ORDER = {"order", "order number", "ordernummer", "beställning"}
NUMBER = {"card number", "kortnummer"}
UID = {"chip uid", "uid", "chip-uid"}
# Columns of the downloaded production list that only help a person read it: never stored as readouts.
INFO = {"company", "företag", "card holder", "kortinnehavare", "card type", "korttyp"}


@dataclass
class ProductionResult:
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_production_file(data: bytes, user: User) -> ProductionResult:
    """Validate every row first; on any error nothing is stored. Other columns become readouts.

    A card that moves (in production, active) tells ordering, which moves its order along. The caller commits."""
    text = decode_utf8(data)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    header = [h.strip() for h in next(reader, [])]
    lower = [h.lower() for h in header]
    col = {name: next((i for i, h in enumerate(lower) if h in names), None)
           for name, names in (("card", CARD), ("order", ORDER), ("number", NUMBER), ("uid", UID))}
    if col["card"] is None and col["order"] is None:
        raise CsvFileError(_l("The file needs a column \"card id\" or \"order number\"."))
    if col["number"] is None:
        raise CsvFileError(_l("The file needs a column \"card number\"."))
    known = {i for i in col.values() if i is not None} | {i for i, h in enumerate(lower) if h in INFO}
    result, plan, seen = ProductionResult(), [], {}
    start = reader.line_num + 1
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        cell = {key: (values[i].strip() if i is not None and i < len(values) else "") for key, i in col.items()}
        card = _find(cell["card"], cell["order"], line, result)
        number = cell["number"]
        if card is None:
            continue
        if not number:
            result.errors.append(RowError(line, "card number", "", str(_l("The card number is missing."))))
            continue
        if number in seen:
            result.errors.append(RowError(line, "card number", number, str(_l(
                "The same card number is on line %(line)d.", line=seen[number]))))
            continue
        other = db.session.scalar(select(Card.id).where(Card.card_number == number, Card.id != card.id))
        if other:
            result.errors.append(RowError(line, "card number", number, str(_l("Another card already has this number."))))
            continue
        seen[number] = line
        readouts = {header[i]: values[i].strip() for i in range(min(len(header), len(values)))
                    if i not in known and header[i] and values[i].strip()}
        plan.append((card, number, cell["uid"], readouts))
    if result.errors:
        return result
    for card, number, uid, readouts in plan:
        try:
            set_production_data(card, user, card_number=number, chip_uid=uid, readouts=readouts)
        except CardError:
            pass  # a terminated card keeps its status; its numbers are still recorded
        result.updated += 1
    record("cards.production_imported", company_id=None, summary=f"{result.updated} cards", user_id=user.id)
    return result


def production_list() -> bytes:
    """Every card waiting for production, as a CSV the operator fills in and uploads again."""
    from portal.catalog.models import CardType
    from portal.infra.csv_safety import write_csv
    from portal.tenancy.models import Company

    rows = db.session.execute(
        select(Card.id, order_numbers.c.number, Company.name, Card.holder_name, CardType.name, Card.card_number,
               Card.chip_uid)
        .join(Company, Card.company_id == Company.id).join(CardType, Card.card_type_id == CardType.id)
        .outerjoin(order_numbers, Card.order_id == order_numbers.c.id)
        .where(Card.status.in_([CardStatus.ORDERED.value, CardStatus.IN_PRODUCTION.value]))
        .order_by(Company.name, Card.id)
    ).all()
    header = ["card id", "order number", "company", "card holder", "card type", "card number", "chip UID"]
    return write_csv([[*r[:5], r[5] or "", r[6] or ""] for r in rows], header).encode("utf-8-sig")


def _find(card_ref: str, order_no: str, line: int, result: ProductionResult) -> Card | None:
    """The one card a row means: by card id, or by order number when that order has exactly one card."""
    if card_ref:
        card = db.session.get(Card, int(card_ref)) if card_ref.isdigit() else None
        if card is None:
            result.errors.append(RowError(line, "card id", card_ref, str(_l("No card with this id."))))
        return card
    cards = db.session.scalars(select(Card).join(order_numbers, Card.order_id == order_numbers.c.id)
                               .where(order_numbers.c.number == order_no)).all() if order_no else []
    if len(cards) != 1:
        reason = _l("No order with this number.") if not cards else _l(
            "This order has %(n)d cards: use the card id column.", n=len(cards))
        result.errors.append(RowError(line, "order number", order_no, str(reason)))
        return None
    return cards[0]
