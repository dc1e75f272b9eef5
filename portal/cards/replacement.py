"""A card being replaced (lost, stolen, damaged, name change, new photo, renewal) and how long a card is valid.

The replacement is claimed on the old card by one conditional UPDATE, so two people pressing *Replace card*
at the same moment start one replacement; lost and stolen cards are blocked at once. The new card (made
later by an order) points back with `replaces_card_id`; when it becomes active the old card is terminated
(`status._retire_replaced`).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from portal.audit.operations import record
from portal.cards.models import Card, CardStatus, ReplacementReason
from portal.cards.status import CardError, move_card_status
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.tenancy.models import Company, User

REPLACEABLE = (CardStatus.ACTIVE.value, CardStatus.BLOCKED.value)
BLOCK_AT_ONCE = {ReplacementReason.LOST.value: "Lost", ReplacementReason.STOLEN.value: "Stolen"}  # SYSTEM_REASONS


ERASED = _l("This card's holder data was erased, so it cannot be replaced: order a new card for the holder "
            "instead.")


def claim_replacement(company: Company, user: User | None, card: Card, reason: str) -> None:
    """Mark the card as being replaced for `reason` (once: a second claim is refused); lost or stolen
    cards are blocked now, with the reason in their status history."""
    if ReplacementReason.of(reason) is None:
        raise CardError(_l("Choose why the card is replaced."))
    if card.company_id != company.id:
        raise LookupError(card.id)
    if card.status not in REPLACEABLE:
        raise CardError(_l("Only an active or blocked card can be replaced."))
    if card.anonymised_at is not None:
        raise CardError(ERASED)
    claimed = db.session.execute(update(Card).where(
        Card.id == card.id, Card.replacement_reason.is_(None), Card.status.in_(REPLACEABLE),
        Card.anonymised_at.is_(None),
    ).values(replacement_reason=reason, replacement_requested_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.refresh(card)
        if card.anonymised_at is not None:
            raise CardError(ERASED)
        raise CardError(_l("This card is already being replaced (or it changed at the same moment): "
                           "nothing was changed."))
    db.session.refresh(card, ["replacement_reason", "replacement_requested_at", "status"])
    if reason in BLOCK_AT_ONCE and card.status == CardStatus.ACTIVE.value:
        move_card_status(card, CardStatus.BLOCKED.value, user, BLOCK_AT_ONCE[reason])
    record("card.replacement_requested", company_id=company.id, obj=card,
           summary=f"{card.holder_name}: {reason}", user_id=user.id if user else None)


def release_replacement(company_id: int, card_id: int, user: User | None) -> bool:
    """The replacement of this card was abandoned (its cart card removed, its data request removed or expired,
    the new card's order rejected or cancelled): the claim goes, so the card can be replaced again. A lost or
    stolen card stays blocked. One conditional UPDATE from "being replaced"; True if this call released it."""
    released = db.session.execute(update(Card).where(
        Card.id == card_id, Card.company_id == company_id, Card.replacement_reason.is_not(None),
        Card.status.in_(REPLACEABLE),
    ).values(replacement_reason=None, replacement_requested_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if released != 1:
        return False
    card = db.session.get(Card, card_id)
    db.session.refresh(card, ["replacement_reason", "replacement_requested_at"])
    record("card.replacement_released", company_id=company_id, obj=card, summary=card.holder_name,
           user_id=user.id if user else None)
    return True


def set_valid_until(card: Card, day) -> None:
    """The card's last valid day (an ID06-style card printed at the desk: the end of the assignment)."""
    card.valid_until = day


def _not_abandoned():
    """A replacement card that is not one ended before it was ever used (its order rejected or cancelled)."""
    return or_(Card.status != CardStatus.TERMINATED.value, Card.activated_at.is_not(None))


def replacements_of(card: Card) -> list[Card]:
    """The cards made to replace this one (newest first), not those abandoned before use: shown on the old
    card's page."""
    # From the partial index of cards that replace one (`+ 0`: not the company's index, which the databases
    # chose before and walked the whole company with: 50 ms at 100,000 cards).
    return list(db.session.scalars(select(Card).where(Card.replaces_card_id == card.id,
                                                      Card.replaces_card_id.is_not(None),
                                                      Card.company_id + 0 == card.company_id, _not_abandoned())
                                   .order_by(Card.id.desc())))


def replacement_links(company_id: int, cards: list[Card]) -> dict[int, tuple[int | None, list[int]]]:
    """For each card: the card of the same company it replaces, and the cards replacing it (newest first, not
    those abandoned before use). Two queries for any number of cards (the API's list pages)."""
    ids = [c.id for c in cards]
    wanted = {c.replaces_card_id for c in cards if c.replaces_card_id}
    own = set(db.session.scalars(select(Card.id).where(Card.id.in_(wanted), Card.company_id == company_id))) \
        if wanted else set()
    by: dict[int, list[int]] = {}
    if ids:
        for new_id, old_id in db.session.execute(select(Card.id, Card.replaces_card_id).where(
                Card.replaces_card_id.in_(ids), Card.replaces_card_id.is_not(None),  # as above
                Card.company_id + 0 == company_id, _not_abandoned())
                .order_by(Card.id.desc())):
            by.setdefault(old_id, []).append(new_id)
    return {c.id: (c.replaces_card_id if c.replaces_card_id in own else None, by.get(c.id, [])) for c in cards}
