"""What the catalogue offers a company."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.catalog.models import CardType
from portal.infra.extensions import db
from portal.tenancy.models import Company


def offered_card_types(company: Company) -> list[CardType]:
    """Active card types the company may order or collect data for: the shared catalogue plus its own,
    with their layout fields loaded."""
    return list(db.session.scalars(
        select(CardType).options(selectinload(CardType.fields))
        .where(CardType.active.is_(True), or_(CardType.company_id.is_(None), CardType.company_id == company.id))
        .order_by(CardType.name)
    ))
