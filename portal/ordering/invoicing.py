"""Invoices written from given lines: one per company and period, whoever asks twice.

Ordering owns invoices; what is charged comes from the caller (the card-fee invoices from
`portal.reports.fee_invoices`). VAT is the company's rate on the invoice's total excluding VAT
(`vat.split`, rounded once), and the invoice is due 30 days after it is issued.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.ordering.models import Invoice, InvoiceLine
from portal.ordering.operations import next_number
from portal.ordering.vat import split, vat_rate
from portal.tenancy.models import Company

DAYS_TO_PAY = 30


@dataclass(frozen=True)
class NewLine:
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal  # excluding VAT, as the caller rounded it
    card_type_id: int | None = None


def create_invoice(company: Company, lines: list[NewLine], period: str, issued_on: date | None = None) -> Invoice | None:
    """Write the company's invoice for `period` with `lines`, or None when it already has one.

    The unique (company, period) key decides: a second call, in this transaction or another one at the
    same moment (on PostgreSQL it waits for the first one's commit), fails to add it inside a savepoint
    and writes nothing, not even an invoice number.
    """
    if not lines or db.session.scalar(select(Invoice.id).where(Invoice.company_id == company.id,
                                                             Invoice.period == period)) is not None:
        return None
    issued_on = issued_on or utcnow().date()
    amounts = split(sum((line.amount for line in lines), Decimal("0")), vat_rate(company))
    try:
        with db.session.begin_nested():
            invoice = Invoice(company_id=company.id, number=next_number("invoice", "INV"), period=period,
                              issued_on=issued_on, due_on=issued_on + timedelta(days=DAYS_TO_PAY),
                              currency=current_app.config["CURRENCY"], amount=amounts.net, vat=amounts.vat,
                              lines=[InvoiceLine(description=line.description[:200], card_type_id=line.card_type_id,
                                                 quantity=line.quantity, unit_price=line.unit_price,
                                                 amount=line.amount) for line in lines])
            db.session.add(invoice)
            db.session.flush()
    except IntegrityError:
        return None
    return invoice
