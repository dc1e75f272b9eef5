"""Card-fee invoices: a company's card fees of one month (`card_fees`) invoiced through ordering.

Reports reads the numbers, ordering writes the invoice (`ordering.invoicing.create_invoice`): one line per
card type, its active cards that month times its monthly fee (a yearly fee's twelfth), the amount as
*Company > Card fees* shows it.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select

from portal.cards.models import Card, CardStatus
from portal.catalog.models import CardType, FeePeriod
from portal.infra.extensions import db
from portal.ordering.invoicing import NewLine, create_invoice
from portal.ordering.models import Invoice
from portal.reports.card_fees import card_fee_rows, month_bounds
from portal.tenancy.models import Company

FOUR_PLACES = Decimal("0.0001")


def previous_month(today: date) -> str:
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def invoice_card_fees(company: Company, month: str, issued_on: date | None = None) -> Invoice | None:
    """Invoice the company's card fees of `month` ("2026-10"): None when it has none or is already invoiced."""
    year, number = (int(part) for part in month.split("-"))
    rows = card_fee_rows(company, months=1, today=date(year, number, 1))
    lines = [NewLine(description=row.card_type.name, quantity=row.cards, unit_price=row.monthly_fee.quantize(
        FOUR_PLACES), amount=row.amount, card_type_id=row.card_type.id) for row in rows if row.cards]
    return create_invoice(company, lines, month, issued_on=issued_on)


def companies_to_invoice(month: str) -> list[int]:
    """Companies with a card of a fee-bearing type active in `month` and no invoice for it yet (one query)."""
    start, end = month_bounds(month)
    fee_types = select(CardType.id).where(CardType.fee_period != FeePeriod.NONE.value, CardType.fee > 0)
    invoiced = select(Invoice.company_id).where(Invoice.period == month)
    return list(db.session.scalars(
        select(Card.company_id).distinct()
        .where(Card.card_type_id.in_(fee_types), Card.activated_at.is_not(None), Card.activated_at < end,
               or_(Card.status != CardStatus.TERMINATED.value, Card.status_changed_at >= start),
               Card.company_id.not_in(invoiced))
        .order_by(Card.company_id)))
