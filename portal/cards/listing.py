"""Cards a page at a time for systems that keep in step (the API): oldest first by id, resumed after the
last id seen, optionally only those changed since a moment (portal.infra.paging)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import joinedload

from portal.cards.models import Card
from portal.cards.search import expiring_by
from portal.infra.paging import rows_after
from portal.tenancy.models import Company


def cards_after(company: Company, *, after_id: int = 0, updated_since: datetime | None = None,
                status: str | None = None, card_type_id: int | None = None,
                expiring_before: date | None = None, limit: int = 100) -> tuple[list[Card], int | None]:
    """(up to `limit` cards with ids above `after_id`, the id to continue after or None at the end)."""
    where = [Card.company_id == company.id]
    if updated_since is not None:
        where.append(Card.updated_at >= updated_since)
    if status:
        where.append(Card.status == status)
    if card_type_id:
        where.append(Card.card_type_id == card_type_id)
    if expiring_before is not None:
        where += expiring_by(expiring_before)
    return rows_after(Card, *where, after_id=after_id, limit=limit, options=(joinedload(Card.card_type),))
