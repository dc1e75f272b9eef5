"""Card fees: per month and card type, the company's cards that were active in that month and their fee.

A card counts in a month when it was activated before the month ended and not terminated before the
month began (a blocked card still counts: it exists until it is terminated). A card type's fee is per
month, or per year spread evenly: a twelfth per card per month. Amounts exclude VAT and are rounded
half-up to the cent per row (month and card type).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from portal.cards.models import Card, CardStatus
from portal.catalog.models import CardType, FeePeriod
from portal.infra.csv_safety import safe_cell, write_csv
from portal.infra.extensions import db
from portal.tenancy.models import Company

CENT = Decimal("0.01")


@dataclass(frozen=True)
class FeeRow:
    month: str  # "2026-03"
    card_type: CardType
    cards: int
    monthly_fee: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.monthly_fee * self.cards).quantize(CENT, ROUND_HALF_UP)


def monthly_fee(card_type: CardType) -> Decimal:
    """What one active card of the type costs per month (a yearly fee spread over twelve months)."""
    fee = Decimal(card_type.fee or 0)
    if card_type.fee_period == FeePeriod.MONTH:
        return fee
    if card_type.fee_period == FeePeriod.YEAR:
        return fee / 12
    return Decimal("0")


def month_keys(months: int, today: date) -> list[str]:
    first = date(today.year, today.month, 1)
    keys = []
    for _ in range(months):
        keys.append(first.strftime("%Y-%m"))
        first = (first - timedelta(days=1)).replace(day=1)
    return keys  # newest first


def month_bounds(key: str) -> tuple[datetime, datetime]:
    year, month = (int(part) for part in key.split("-"))
    start = date(year, month, 1)
    end = (start + timedelta(days=32)).replace(day=1)
    return datetime.combine(start, time.min), datetime.combine(end, time.min)


def card_fee_rows(company: Company, months: int = 12, today: date | None = None) -> list[FeeRow]:
    """Newest month first; only card types with a fee. One grouped query per month (bounded by `months`)."""
    types = {ct.id: ct for ct in db.session.scalars(
        select(CardType).where(CardType.fee_period != FeePeriod.NONE.value, CardType.fee > 0,
                               or_(CardType.company_id.is_(None), CardType.company_id == company.id)))}
    if not types:
        return []
    rows = []
    for key in month_keys(months, today or date.today()):
        start, end = month_bounds(key)
        counts = dict(db.session.execute(
            select(Card.card_type_id, func.count())
            .where(Card.company_id == company.id, Card.card_type_id.in_(types), Card.activated_at.is_not(None),
                   Card.activated_at < end,
                   or_(Card.status != CardStatus.TERMINATED.value, Card.status_changed_at >= start))
            .group_by(Card.card_type_id)).all())
        rows += [FeeRow(key, types[type_id], count, monthly_fee(types[type_id]))
                 for type_id, count in sorted(counts.items(), key=lambda item: types[item[0]].display_name)]
    return rows


HEADER = (_l("Month"), _l("Card type"), _l("Active cards"), _l("Fee per card and month"), _l("Amount"))


def _export_rows(rows: list[FeeRow]) -> list[list]:
    return [[row.month, row.card_type.display_name, row.cards, row.monthly_fee.quantize(CENT, ROUND_HALF_UP),
             row.amount] for row in rows]


def export_fees_csv(rows: list[FeeRow]) -> bytes:
    return write_csv(_export_rows(rows), [str(h) for h in HEADER]).encode("utf-8-sig")


def export_fees_xlsx(rows: list[FeeRow]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(_l("Card fees"))[:31])
    ws.append([safe_cell(str(h)) for h in HEADER])
    for month, name, cards, fee, amount in _export_rows(rows):
        # Text escaped (no cell starts a formula); counts and amounts as numbers.
        ws.append([month, safe_cell(name), cards, fee, amount])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
