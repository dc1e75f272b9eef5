"""Cards at the end of their validity: the orderer's digest before expiry, and blocking once expired.

Both are idempotent. A card is blocked by a conditional status move (a second run finds it blocked); a
notice is claimed per card by one UPDATE from the notice it was last sent (30, then 7 days before), so a
run twice at once sends each digest line once.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select, update

from portal.audit.operations import record
from portal.cards.models import Card, CardStatus
from portal.cards.status import CardError, move_card_status
from portal.infra.extensions import db
from portal.notifications.operations import tell
from portal.tenancy.models import Company, User, notice_days_of

EXPIRED = "Expired"  # a SYSTEM_REASONS key: the status history says it, translated
CHUNK = 500


def expired_card_ids(today: date, limit: int = CHUNK) -> list[int]:
    return list(db.session.scalars(select(Card.id).where(
        Card.status == CardStatus.ACTIVE.value, Card.valid_until.is_not(None), Card.valid_until < today)
        .order_by(Card.id).limit(limit)))


def block_expired(ids: list[int]) -> int:
    """Block these active cards past their last valid day ("Expired" in their history)."""
    done = 0
    for card in db.session.scalars(select(Card).where(Card.id.in_(ids))):
        if card.status != CardStatus.ACTIVE.value:
            continue
        try:
            move_card_status(card, CardStatus.BLOCKED.value, None, EXPIRED)
        except CardError:  # moved by someone else meanwhile: nothing to do
            continue
        record("card.blocked", company_id=card.company_id, obj=card, summary=f"{card.holder_name}: {EXPIRED}")
        done += 1
    return done


def _notice_for(valid_until: date, today: date, days: tuple[int, ...]) -> int | None:
    """The smallest notice (in days) the card is within, or None."""
    left = (valid_until - today).days
    fitting = [d for d in days if left <= d]
    return min(fitting) if fitting else None


def company_notice_days() -> dict[int, tuple[int, ...]]:
    """The companies that chose their own expiry notices (Company > Settings): {company id: days}."""
    return {company.id: notice_days_of(company, ()) for company in db.session.scalars(
        select(Company).where(Company.expiry_notice_days.is_not(None), Company.expiry_notice_days != ""))}


def claim_notices(today: date, days: tuple[int, ...],
                  own: dict[int, tuple[int, ...]] | None = None) -> dict[tuple[int, int], list[int]]:
    """Claim the cards whose next notice is due: {(company id, orderer id): card ids}. `days` are the notices
    of every company that did not choose its own (`own`: {company id: days}). A card gets each notice once,
    and only the nearest one when it comes into view late (a card valid for 5 more days gets the 7-day notice,
    not the 30-day one as well)."""
    own = own or {}
    groups: dict[tuple[int, ...], list[int] | None] = {tuple(days): None}  # days -> companies (None: the rest)
    for company_id, chosen in own.items():
        if tuple(chosen) != tuple(days):
            groups.setdefault(tuple(chosen), []).append(company_id)
    by_notice: dict[int, list] = {}
    for chosen, companies in groups.items():
        if not chosen:
            continue
        stmt = select(Card.id, Card.company_id, Card.orderer_id, Card.valid_until, Card.expiry_notice_days).where(
            Card.status == CardStatus.ACTIVE.value, Card.valid_until.is_not(None), Card.valid_until >= today,
            Card.valid_until <= today + timedelta(days=max(chosen)), Card.orderer_id.is_not(None))
        if companies is not None:
            stmt = stmt.where(Card.company_id.in_(companies))
        for row in db.session.execute(stmt):
            if companies is None and own.get(row.company_id, chosen) != chosen:
                continue  # a company with notices of its own: its group reads it
            notice = _notice_for(row.valid_until, today, chosen)
            if notice is not None and (row.expiry_notice_days is None or row.expiry_notice_days > notice):
                by_notice.setdefault(notice, []).append(row)
    claimed: dict[tuple[int, int], list[int]] = {}
    for notice, found in by_notice.items():
        for start in range(0, len(found), CHUNK):
            part = found[start:start + CHUNK]
            won = set(db.session.execute(update(Card).where(
                Card.id.in_([r.id for r in part]), Card.status == CardStatus.ACTIVE.value,
                or_(Card.expiry_notice_days.is_(None), Card.expiry_notice_days > notice),
            ).values(expiry_notice_days=notice).returning(Card.id)
                .execution_options(synchronize_session=False)).scalars())
            for r in part:
                if r.id in won:
                    claimed.setdefault((r.company_id, r.orderer_id), []).append(r.id)
    return claimed


def queue_digest(company: Company, orderer: User, card_ids: list[int], today: date) -> bool:
    """One email to the orderer listing their cards that expire soon, with the link to renew them, if they
    want it (*My account*) and still work for the company; True if queued."""
    cards = list(db.session.scalars(select(Card).where(Card.id.in_(card_ids))
                                    .order_by(Card.valid_until, Card.holder_name)))
    return tell(orderer, "cards_expiring", "card_expiry_digest", company, expiring_cards=cards, today=today,
                days=max((c.valid_until - today).days for c in cards))
