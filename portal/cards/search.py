"""Finding cards fast: one search box for names, national ids in any format, card numbers and more."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from portal.cards.models import Card
from portal.extensions import db
from portal.national_ids import search_keys
from portal.ordering.models import Order
from portal.tenancy.models import Company, User


def _prefix(column, value: str):
    """A prefix match as a range, which every database answers from an ordinary index."""
    return (column >= value) & (column < value + "\uffff")


def _conditions(q: str):
    q = (q or "").strip()[:100]
    if not q:
        return None
    compact = q.replace(" ", "")
    if compact.replace("-", "").replace("+", "").isdigit():
        # Numbers: national ids (stored canonical, 12 digits for SE), card numbers, employee numbers.
        conds = [_prefix(Card.national_id, key) for key in search_keys(q)]
        conds += [_prefix(Card.card_number, compact), _prefix(Card.employee_no, compact),
                  Card.order_id.in_(select(Order.id).where(_prefix(Order.number, q.upper())))]
        return or_(*conds)
    conds = [_prefix(Card.national_id, key) for key in search_keys(q) if key[:1].isdigit()]
    conds += [
        Card.card_number.startswith(compact, autoescape=True),
        Card.chip_uid.startswith(compact.upper(), autoescape=True),
        Card.employee_no.startswith(q, autoescape=True),
        func.lower(Card.holder_name).startswith(q.lower(), autoescape=True),
        func.lower(Card.holder_name).contains(f" {q.lower()}", autoescape=True),
        Card.order_id.in_(select(Order.id).where(Order.number.startswith(q.upper(), autoescape=True))),
        Card.orderer_id.in_(select(User.id).where(or_(func.lower(User.email).startswith(q.lower(), autoescape=True),
                                                     func.lower(User.name).startswith(q.lower(), autoescape=True)))),
    ]
    return or_(*conds)


def search_cards(company: Company, q: str = "", *, status: str | None = None, card_type_id: int | None = None,
                 date_from: date | None = None, date_to: date | None = None, page: int = 0, per_page: int = 25):
    """(cards of the page, whether there is a next page). No full count: paging asks for one row more."""
    stmt = select(Card).where(Card.company_id == company.id)
    cond = _conditions(q)
    if cond is not None:
        stmt = stmt.where(cond)
    if status:
        stmt = stmt.where(Card.status == status)
    if card_type_id:
        stmt = stmt.where(Card.card_type_id == card_type_id)
    if date_from:
        stmt = stmt.where(Card.created_at >= datetime.combine(date_from, time.min))
    if date_to:
        stmt = stmt.where(Card.created_at < datetime.combine(date_to + timedelta(days=1), time.min))
    stmt = (stmt.options(joinedload(Card.card_type), joinedload(Card.order), joinedload(Card.orderer))
            .order_by(Card.created_at.desc(), Card.id.desc()).offset(page * per_page).limit(per_page + 1))
    rows = list(db.session.scalars(stmt).unique())
    return rows[:per_page], len(rows) > per_page
