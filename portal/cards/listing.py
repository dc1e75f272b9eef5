"""Cards a page at a time for systems that keep in step (the API): oldest first by id, resumed after the
last id seen, optionally only those changed since a moment. Each page is one indexed query plus one
for what the cards show, however many cards the company has."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.cards.models import Card
from portal.infra.extensions import db
from portal.tenancy.models import Company


def cards_after(company: Company, *, after_id: int = 0, updated_since: datetime | None = None,
                status: str | None = None, card_type_id: int | None = None, limit: int = 100
                ) -> tuple[list[Card], int | None]:
    """(up to `limit` cards with ids above `after_id`, the id to continue after or None at the end)."""
    stmt = select(Card.id).where(Card.company_id == company.id, Card.id > after_id)
    if updated_since is not None:
        stmt = stmt.where(Card.updated_at >= updated_since)
    if status:
        stmt = stmt.where(Card.status == status)
    if card_type_id:
        stmt = stmt.where(Card.card_type_id == card_type_id)
    ids = list(db.session.scalars(stmt.order_by(Card.id).limit(limit + 1)))
    more = len(ids) > limit
    ids = ids[:limit]
    if not ids:
        return [], None
    cards = list(db.session.scalars(select(Card).options(joinedload(Card.card_type)).where(Card.id.in_(ids))
                                    .order_by(Card.id)).unique())
    return cards, (ids[-1] if more else None)
