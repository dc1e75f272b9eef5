"""Handle cards' filtered list as a file (CSV or Excel): the company's cards only, at most EXPORT_LIMIT rows."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from portal.cards.models import Card, CardStatus
from portal.cards.search import search_cards
from portal.infra.csv_safety import write_csv, write_xlsx
from portal.infra.national_ids import format_national_id
from portal.tenancy.models import Company

EXPORT_LIMIT = 20_000  # rows per file: bounded work per request (narrow the filters for more)

HEADER = (_l("Card holder"), _l("Personal identity number"), _l("Employee number"), _l("Email"), _l("Card number"),
          _l("Card type"), _l("Status"), _l("Valid until"), _l("Orderer"), _l("Order"), _l("Ordered"))


def _row(card: Card) -> list:
    return [card.holder_name, format_national_id(card.national_id) if card.national_id else "", card.employee_no,
            card.holder_email, card.card_number or "", card.card_type.display_name if card.card_type else "",
            str(CardStatus.label_of(card.status)), card.valid_until or "",
            (card.orderer.name or card.orderer.email) if card.orderer else "",
            card.order.number if card.order else str(_l("Printed locally")),
            card.created_at.date() if card.created_at else ""]


def export_cards(company: Company, fmt: str, q: str = "", *, status: str | None = None, card_type_id: int | None = None,
                 date_from: date | None = None, date_to: date | None = None,
                 expiring_before: date | None = None) -> bytes:
    """The cards the list's filters keep, newest first, as CSV (UTF-8 with BOM for Excel) or .xlsx."""
    cards, _more = search_cards(company, q, status=status, card_type_id=card_type_id, date_from=date_from,
                                date_to=date_to, expiring_before=expiring_before, per_page=EXPORT_LIMIT)
    rows = [_row(c) for c in cards]
    header = [str(h) for h in HEADER]
    if fmt == "xlsx":
        return write_xlsx(rows, header, str(_l("Cards")))
    return write_csv(([v.isoformat() if isinstance(v, date) else v for v in r] for r in rows), header).encode("utf-8-sig")
