"""A card being replaced (lost, stolen, damaged, name change, new photo, renewal) and how long a card is valid.

The replacement is claimed on the old card by one conditional UPDATE, so two people pressing *Replace card*
at the same moment start one replacement; lost and stolen cards are blocked at once. The new card (made
later by an order) points back with `replaces_card_id`; when it becomes active the old card is terminated
(`status._retire_replaced`).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.audit.operations import record
from portal.cards.models import Card, CardStatus, ReplacementReason
from portal.cards.status import CardError, move_card_status
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.tenancy.models import Company, User

REPLACEABLE = (CardStatus.ACTIVE.value, CardStatus.BLOCKED.value)
BLOCK_AT_ONCE = {ReplacementReason.LOST.value: "Lost", ReplacementReason.STOLEN.value: "Stolen"}  # SYSTEM_REASONS


def claim_replacement(company: Company, user: User | None, card: Card, reason: str) -> None:
    """Mark the card as being replaced for `reason` (once: a second claim is refused); lost or stolen
    cards are blocked now, with the reason in their status history."""
    if ReplacementReason.of(reason) is None:
        raise CardError(_l("Choose why the card is replaced."))
    if card.company_id != company.id:
        raise LookupError(card.id)
    if card.status not in REPLACEABLE:
        raise CardError(_l("Only an active or blocked card can be replaced."))
    claimed = db.session.execute(update(Card).where(
        Card.id == card.id, Card.replacement_reason.is_(None), Card.status.in_(REPLACEABLE),
    ).values(replacement_reason=reason, replacement_requested_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.refresh(card)
        raise CardError(_l("This card is already being replaced (or it changed at the same moment): "
                           "nothing was changed."))
    db.session.refresh(card, ["replacement_reason", "replacement_requested_at", "status"])
    if reason in BLOCK_AT_ONCE and card.status == CardStatus.ACTIVE.value:
        move_card_status(card, CardStatus.BLOCKED.value, user, BLOCK_AT_ONCE[reason])
    record("card.replacement_requested", company_id=company.id, obj=card,
           summary=f"{card.holder_name}: {reason}", user_id=user.id if user else None)


def set_valid_until(card: Card, day) -> None:
    """The card's last valid day (an ID06-style card printed at the desk: the end of the assignment)."""
    card.valid_until = day


def replacements_of(card: Card) -> list[Card]:
    """The cards made to replace this one (newest first): shown on the old card's page."""
    return list(db.session.scalars(select(Card).where(Card.replaces_card_id == card.id,
                                                      Card.company_id == card.company_id).order_by(Card.id.desc())))
