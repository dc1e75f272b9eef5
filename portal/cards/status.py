"""The one way a card's status moves, and the cards the ordering and printing features ask for.

Every move is a conditional UPDATE from the status the card was read in: two requests at once
cannot both move it (the second is told the card changed). A move writes the status history,
closes the holder's open change requests when the card leaves use, and tells the features above
(`signals.card_status_changed`): printing cancels queued prints, ordering follows its cards.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.audit.operations import record
from portal.cards.models import Card, CardChange, CardStatus, CardStatusEvent, ChangeState
from portal.cards.signals import card_status_changed
from portal.catalog.layout import card_identity
from portal.catalog.models import CardType
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.tenancy.models import Company, User

# Allowed moves; terminated is final.
TRANSITIONS = {
    CardStatus.ORDERED.value: {CardStatus.IN_PRODUCTION.value, CardStatus.ACTIVE.value, CardStatus.TERMINATED.value},
    CardStatus.IN_PRODUCTION.value: {CardStatus.ACTIVE.value, CardStatus.TERMINATED.value},
    CardStatus.ACTIVE.value: {CardStatus.BLOCKED.value, CardStatus.TERMINATED.value},
    CardStatus.BLOCKED.value: {CardStatus.ACTIVE.value, CardStatus.TERMINATED.value},
    CardStatus.TERMINATED.value: set(),
}
# A card in one of these is no longer in use: changes waiting for its holder are closed.
OUT_OF_USE = {CardStatus.TERMINATED.value}


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_from_activation(day: date, months: int) -> date:
    """The last valid day of a card activated on `day` that is valid for `months`."""
    return add_months(day, months) - timedelta(days=1)


class CardError(ValueError):
    """Something the user can fix or must know; str() is the message."""


def _label(status: str) -> str:
    return str(CardStatus.label_of(status)).lower()


def move_card_status(card: Card, to: str, user: User | None, reason: str = "", *, only_if=None) -> None:
    """Move the card from the status it was read in to `to`, or raise CardError (nothing written). `only_if`:
    one more condition the row must meet in the same UPDATE (unblock: the holder's data was not erased)."""
    seen = card.status
    if to not in TRANSITIONS.get(seen, set()):
        if seen == CardStatus.TERMINATED.value:
            raise CardError(_l("This card is terminated and can never be used again."))
        raise CardError(_l("A card that is %(status)s cannot become %(to)s.", status=_label(seen), to=_label(to)))
    now = utcnow()
    values = {"status": to, "status_reason": reason, "status_changed_at": now}
    if to == CardStatus.ACTIVE.value and card.activated_at is None:
        values["activated_at"] = now
        if card.valid_until is None and card.card_type.validity_months:
            values["valid_until"] = valid_from_activation(now.date(), card.card_type.validity_months)
    where = [Card.id == card.id, Card.status == seen] + ([only_if] if only_if is not None else [])
    moved = db.session.execute(update(Card).where(*where).values(**values)
                               .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.refresh(card, ["status"])
        raise CardError(_l("Someone else changed this card at the same moment: it is now %(status)s. "
                           "Nothing was changed.", status=_label(card.status)))
    for key, value in values.items():  # the row has them already: no second UPDATE
        set_committed_value(card, key, value)
    db.session.add(CardStatusEvent(card_id=card.id, from_status=seen, to_status=to, reason=reason,
                                   user_id=user.id if user else None))
    if to in OUT_OF_USE:
        close_open_changes(card)
    db.session.flush()
    card_status_changed.send(card, from_status=seen, to_status=to, user=user)
    if to == CardStatus.ACTIVE.value and card.replaces_card_id:
        _block_replaced(card, user)


REPLACED = "Replaced by a new card"  # a SYSTEM_REASONS key: shown translated in the history


def _block_replaced(card: Card, user: User | None) -> None:
    """The card this one replaces stops working now that the new one is active: terminated when it was
    replaced through *Replace card* (lost, stolen, damaged, ...: it never comes back), otherwise blocked."""
    old = db.session.get(Card, card.replaces_card_id)
    if old is None or old.company_id != card.company_id:
        return
    if old.replacement_reason and old.status in (CardStatus.ACTIVE.value, CardStatus.BLOCKED.value):
        move_card_status(old, CardStatus.TERMINATED.value, user, REPLACED)
        record("card.terminated", company_id=old.company_id, obj=old, summary=f"{old.holder_name}: {REPLACED}",
               user_id=user.id if user else None)
    elif old.status == CardStatus.ACTIVE.value:
        move_card_status(old, CardStatus.BLOCKED.value, user, REPLACED)
        record("card.blocked", company_id=old.company_id, obj=old, summary=f"{old.holder_name}: {REPLACED}",
               user_id=user.id if user else None)


def close_open_changes(card: Card) -> int:
    """The holder's pending changes end; their links say the card is no longer in use."""
    return db.session.execute(update(CardChange).where(CardChange.card_id == card.id,
                                                       CardChange.state == ChangeState.PENDING.value)
                              .values(state=ChangeState.CLOSED.value, decided_at=utcnow())
                              .execution_options(synchronize_session="fetch")).rowcount


def create_card(company: Company, card_type: CardType, holder_data: dict, photo_key: str | None, *,
                orderer: User | None, status: str = CardStatus.ORDERED.value, reason: str = "",
                order_id: int | None = None, order_line_id: int | None = None,
                replaces_card_id: int | None = None, valid_until: date | None = None,
                photo_findings: list[str] | None = None) -> Card:
    """A new card with its first status event: for an order line, or printed at the company's desk."""
    card = Card(company_id=company.id, card_type_id=card_type.id, orderer_id=orderer.id if orderer else None,
                order_id=order_id, order_line_id=order_line_id, holder_data=holder_data, photo_key=photo_key,
                photo_findings=list(photo_findings or []), replaces_card_id=replaces_card_id, valid_until=valid_until,
                status=status, status_reason=reason, **card_identity(card_type, holder_data))
    db.session.add(card)
    db.session.flush()
    db.session.add(CardStatusEvent(card_id=card.id, to_status=status, reason=reason,
                                   user_id=orderer.id if orderer else None))
    return card


def cards_of_order(order_id: int) -> list[Card]:
    return list(db.session.scalars(select(Card).where(Card.order_id == order_id).order_by(Card.id)))


def terminate_order_cards(order_id: int, user: User | None, reason: str) -> int:
    """An order was cancelled or rejected: each of its cards still in use is terminated."""
    done = 0
    for card in cards_of_order(order_id):
        if card.status != CardStatus.TERMINATED.value:
            move_card_status(card, CardStatus.TERMINATED.value, user, reason[:2000])
            done += 1
    return done
