"""A card's life after ordering: production, block, unblock, terminate, and holder-approved changes."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.audit.operations import record
from portal.cards.models import Card, CardChange, CardStatus, ChangeState
from portal.cards.signals import card_changed
from portal.cards.status import TRANSITIONS, CardError, move_card_status
from portal.catalog.layout import card_identity, validate_layout_values
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.photo_assistant import assist_photo
from portal.infra.tokens import derived_token, hash_matches, hash_token, new_salt
from portal.outbox.mail import queue_email
from portal.tenancy.models import Company, User

CHANGE_VALID = timedelta(days=14)
__all__ = ["TRANSITIONS", "CardError", "move_card_status"]


class ChangeLinkProblem(Exception):
    """A change link that cannot be used: kind is unknown, used, expired or closed (card out of use)."""

    def __init__(self, kind: str, change: CardChange | None = None):
        super().__init__(kind)
        self.kind, self.change = kind, change


def own_card(company: Company, card_id) -> Card:
    card_id = int(card_id)
    if not 0 < card_id < 2**31:  # beyond every id (and PostgreSQL's integer): no such card
        raise LookupError(card_id)
    card = db.session.get(Card, card_id)
    if card is None or card.company_id != company.id:
        raise LookupError(card_id)
    return card


def block_card(company: Company, user: User | None, card: Card, reason: str) -> None:
    if not (reason or "").strip():
        raise CardError(_l("Write why the card is blocked."))
    move_card_status(card, CardStatus.BLOCKED.value, user, reason.strip()[:2000])
    record("card.blocked", company_id=company.id, obj=card, summary=f"{card.holder_name}: {reason}",
           user_id=user.id if user else None)


ERASED = _l("This card's holder data was erased, so it cannot be unblocked: order a new card for the holder "
            "instead.")


def unblock_card(company: Company, user: User | None, card: Card) -> None:
    """Unblock a blocked card; never one whose holder data was erased (privacy or retention), decided in the
    same conditional UPDATE, so an erasure at the same moment cannot leave an active card without a holder."""
    if card.anonymised_at is not None:
        raise CardError(ERASED)
    if card.status != CardStatus.BLOCKED.value:
        raise CardError(_l("Only blocked cards can be unblocked."))
    try:
        move_card_status(card, CardStatus.ACTIVE.value, user, only_if=Card.anonymised_at.is_(None))
    except CardError:
        db.session.refresh(card, ["anonymised_at"])
        if card.anonymised_at is not None:
            raise CardError(ERASED) from None
        raise
    record("card.unblocked", company_id=company.id, obj=card, summary=card.holder_name, user_id=user.id if user else None)


def terminate_card(company: Company, user: User | None, card: Card, reason: str) -> None:
    if not (reason or "").strip():
        raise CardError(_l("Write why the card is terminated."))
    move_card_status(card, CardStatus.TERMINATED.value, user, reason.strip()[:2000])
    record("card.terminated", company_id=company.id, obj=card, summary=f"{card.holder_name}: {reason}",
           user_id=user.id if user else None)


def set_production_data(card: Card, user: User | None, *, card_number: str | None = None, chip_uid: str | None = None,
                        readouts: dict | None = None) -> None:
    """The operator's production step: numbers and readouts; a card with a number becomes active."""
    if card_number is not None:
        card.card_number = card_number.strip()[:40] or None
    if chip_uid is not None:
        card.chip_uid = chip_uid.strip()[:40] or None
    if readouts:
        card.readouts = {**(card.readouts or {}), **{k[:40]: str(v)[:200] for k, v in readouts.items()}}
    target = CardStatus.ACTIVE.value if card.card_number else CardStatus.IN_PRODUCTION.value
    if card.status in (CardStatus.ORDERED.value, CardStatus.IN_PRODUCTION.value) and target != card.status:
        move_card_status(card, target, user, "Production")  # a SYSTEM_REASONS key, translated when shown


def activate_printed_card(card: Card) -> None:
    """A card printed at the company's own desk ("Print now") is in use once it comes out of the printer."""
    if card.order_id is None and card.status == CardStatus.IN_PRODUCTION.value:
        move_card_status(card, CardStatus.ACTIVE.value, None, "Printed locally")


# Holder-approved changes ------------------------------------------------------------------------

def _change_link(change: CardChange, salt: str) -> str:
    token = derived_token("card-change", salt)
    change.token_hash = hash_token(token)
    return token


def request_card_change(company: Company, user: User | None, card: Card, values: dict, photo: bytes | None = None, *,
                        holder_email: str = "", crop=None, rotate: int = 0) -> CardChange:
    """Propose new holder data or photo; nothing changes until the holder approves by link."""
    if card.company_id != company.id:
        raise LookupError(card.id)
    if card.status == CardStatus.TERMINATED.value:
        raise CardError(_l("This card is terminated and can never be used again."))
    clean, errors = validate_layout_values(card.card_type, values, country=company.country)
    if errors:
        raise CardError(" ".join(str(e) for e in errors.values()))
    new_email = (holder_email or "").strip()
    if new_email and "@" not in new_email:
        raise CardError(_l("Not a valid email address."))
    # The approval goes to the address on record: a new address is part of what that holder approves, so
    # nobody can send the link to a mailbox of their choosing. Only a card without an address takes the
    # one written here (there is nobody else to ask).
    email = (card.holder_email or "").strip() or new_email
    if not email:
        raise CardError(_l("The card has no email address: write the holder's email so they can approve."))
    new_email = new_email or email
    photo_key, findings = None, []
    if photo is not None:  # an empty file is refused by normalise_photo, never silently skipped
        ct = card.card_type
        jpeg, findings = assist_photo(photo, size=(ct.photo_width, ct.photo_height), crop=crop, rotate=rotate,
                                      check=ct.photo_checks)
        photo_key = storage.save(jpeg, "photos", "jpg")
    db.session.execute(update(CardChange).where(CardChange.card_id == card.id,
                                                CardChange.state == ChangeState.PENDING.value)
                       .values(state=ChangeState.CANCELLED.value, token_hash=None))
    change = CardChange(card_id=card.id, company_id=company.id, proposed={**clean, "_email": new_email},
                        photo_key=photo_key, photo_findings=findings, expires_at=utcnow() + CHANGE_VALID, requested_by_id=user.id if user else None)
    token = _change_link(change, new_salt())
    db.session.add(change)
    db.session.flush()
    queue_email(email, "card_change_request", company.language, company_id=company.id, company=company,
                card=card, change=change, token=token)
    record("card.change_requested", company_id=company.id, obj=card, summary=card.holder_name,
           user_id=user.id if user else None)
    return change


def open_change(token: str) -> CardChange:
    change = db.session.scalar(select(CardChange).where(CardChange.token_hash == hash_token(token)))
    if change is None or not hash_matches(change.token_hash, token):
        raise ChangeLinkProblem("unknown")
    if change.state == ChangeState.CLOSED.value:
        raise ChangeLinkProblem("closed", change)
    if change.state != ChangeState.PENDING.value:
        raise ChangeLinkProblem("used", change)
    if change.expires_at < utcnow():
        raise ChangeLinkProblem("expired")
    return change


def _decide(change: CardChange, state: str) -> None:
    """Pending -> decided, from the state read: a change closed meanwhile (card terminated) stays closed."""
    decided = db.session.execute(update(CardChange).where(CardChange.id == change.id,
                                                          CardChange.state == ChangeState.PENDING.value)
                                 .values(state=state, decided_at=utcnow())
                                 .execution_options(synchronize_session=False)).rowcount
    if decided != 1:
        db.session.refresh(change, ["state"])
        raise ChangeLinkProblem("closed" if change.state == ChangeState.CLOSED.value else "used", change)
    db.session.refresh(change, ["state", "decided_at"])


def approve_card_change(change: CardChange) -> None:
    card = change.card
    if card.status == CardStatus.TERMINATED.value:
        raise ChangeLinkProblem("closed", change)
    _decide(change, ChangeState.APPROVED.value)  # the link now says "answered"
    data = {k: v for k, v in change.proposed.items() if not k.startswith("_")}
    card.holder_data = {**(card.holder_data or {}), **data}
    for key, value in card_identity(card.card_type, card.holder_data).items():
        setattr(card, key, value)
    if change.proposed.get("_email"):
        card.holder_email = change.proposed["_email"]
    if change.photo_key:
        old, card.photo_key = card.photo_key, change.photo_key
        card.photo_findings = list(change.photo_findings or [])
        if old and old != card.photo_key:
            storage.discard(old)  # the order line may still show the old photo: then it stays
    record("card.change_approved", company_id=card.company_id, obj=card, summary=card.holder_name, user_id=None)
    card_changed.send(card, fields=sorted(data) + (["photo"] if change.photo_key else []))
    _tell_orderer(change, approved=True)


def decline_card_change(change: CardChange) -> None:
    _decide(change, ChangeState.DECLINED.value)
    storage.discard(change.photo_key)
    change.photo_key = None
    record("card.change_declined", company_id=change.company_id, obj=change.card, summary=change.card.holder_name,
           user_id=None)
    _tell_orderer(change, approved=False)


def _tell_orderer(change: CardChange, approved: bool) -> None:
    requester = db.session.get(User, change.requested_by_id) if change.requested_by_id else None
    if requester is None:
        return
    company = change.card.company
    queue_email(requester.email, "card_change_result", requester.language or company.language,
                company_id=company.id, company=company, card=change.card, approved=approved)
