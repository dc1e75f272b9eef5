"""Card reports: filtered card lists with chosen columns, exports, and monthly figures for charts."""
from __future__ import annotations

import io
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from portal.cards.models import Card, CardStatus, ReplacementReason
from portal.catalog.models import CardType, FieldKind, LayoutField
from portal.infra.csv_safety import safe_cell, write_csv
from portal.infra.extensions import db
from portal.tenancy.models import Company

# Column key -> (label, how to read it from a card). Readouts are added per key found in the data.
COLUMNS: OrderedDict = OrderedDict([
    ("holder_name", (_l("Card holder"), lambda c: c.holder_name)),
    ("national_id", (_l("Personal identity number"), lambda c: _national_id(c.national_id))),
    ("employee_no", (_l("Employee number"), lambda c: c.employee_no)),
    ("holder_email", (_l("Email"), lambda c: c.holder_email)),
    ("card_type", (_l("Card type"), lambda c: c.card_type.display_name if c.card_type else "")),
    ("status", (_l("Status"), lambda c: str(CardStatus.label_of(c.status)))),
    ("card_number", (_l("Card number"), lambda c: c.card_number or "")),
    ("chip_uid", (_l("Chip UID"), lambda c: c.chip_uid or "")),
    ("order_number", (_l("Order number"), lambda c: c.order.number if c.order else "")),
    ("orderer", (_l("Orderer"), lambda c: (c.orderer.name or c.orderer.email) if c.orderer else "")),
    # Dates stay dates: the screen shows them in the user's locale, CSV as ISO 8601, Excel as date cells.
    ("created_at", (_l("Ordered"), lambda c: c.created_at.date() if c.created_at else "")),
    ("activated_at", (_l("Activated"), lambda c: c.activated_at.date() if c.activated_at else "")),
    ("valid_until", (_l("Valid until"), lambda c: c.valid_until or "")),
    ("replacement_reason", (_l("Replacement reason"),
                            lambda c: str(ReplacementReason.label_of(c.replacement_reason)) if c.replacement_reason else "")),
])
DEFAULT_COLUMNS = ["holder_name", "card_type", "status", "card_number", "order_number", "created_at"]
MAX_EXPORT_ROWS = 200_000


def _national_id(value: str) -> str:
    if not value:
        return ""
    from portal.infra.national_ids import format_national_id

    try:
        return format_national_id(value)
    except Exception:  # noqa: BLE001 - foreign formats are shown as stored
        return value


@dataclass
class ReportFilter:
    date_from: date | None = None
    date_to: date | None = None
    basis: str = "created"  # "created" (personalised/ordered) or "activated"
    card_type_id: int | None = None
    status: str | None = None
    orderer_id: int | None = None
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def filter_from_params(params: dict[str, list[str]], allowed_columns: set[str]) -> ReportFilter:
    """The report's filter from the screen's query (lists of strings per key, the URL's shape)."""
    def one(key):
        values = params.get(key) or []
        return values[0] if values else None

    columns = [c for c in params.get("col") or [] if c in allowed_columns] or list(DEFAULT_COLUMNS)
    status = one("status") or None
    return ReportFilter(
        date_from=_date(one("from")), date_to=_date(one("to")),
        basis="activated" if one("basis") == "activated" else "created",
        card_type_id=_int(one("card_type")),
        status=status if CardStatus.of(status) else None,
        orderer_id=_int(one("orderer")), columns=columns,
    )


def allowed_columns(company: Company) -> tuple[dict[str, str], list[str]]:
    """(layout field columns with labels, readout columns) the company's report may show."""
    return layout_columns(company), [f"readout:{k}" for k in readout_keys(company)]


def _statement(company: Company, f: ReportFilter):
    date_col = Card.activated_at if f.basis == "activated" else Card.created_at
    stmt = select(Card).where(Card.company_id == company.id)
    if f.date_from:
        stmt = stmt.where(date_col >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        stmt = stmt.where(date_col < datetime.combine(f.date_to + timedelta(days=1), time.min))
    if f.basis == "activated":
        stmt = stmt.where(Card.activated_at.is_not(None))
    if f.card_type_id:
        stmt = stmt.where(Card.card_type_id == f.card_type_id)
    if f.status:
        stmt = stmt.where(Card.status == f.status)
    if f.orderer_id:
        stmt = stmt.where(Card.orderer_id == f.orderer_id)
    return stmt


def readout_keys(company: Company, limit: int = 500) -> list[str]:
    """Readout names found on the company's cards (e.g. chip type, MIFARE sector), for the column chooser."""
    keys: set[str] = set()
    for readouts in db.session.scalars(
        select(Card.readouts).where(Card.company_id == company.id, Card.card_number.is_not(None)).limit(limit)
    ):
        keys.update((readouts or {}).keys())
    return sorted(keys)


def layout_columns(company: Company) -> dict[str, str]:
    """"field:<key>" -> label for every typed field of the layouts of the company's card types, in layout
    order: a field added to a layout is a report and export column at once, with no code change."""
    fields = db.session.scalars(
        select(LayoutField).join(CardType, CardType.id == LayoutField.card_type_id)
        .where(or_(CardType.company_id.is_(None), CardType.company_id == company.id),
               LayoutField.kind != FieldKind.PHOTO.value)
        .order_by(CardType.name, CardType.id, LayoutField.position, LayoutField.id))
    found: dict[str, str] = {}
    for f in fields:
        if f.key not in COLUMNS:  # e.g. national_id and employee_no have their own (formatted) columns
            found.setdefault(f"field:{f.key}", f.label)
    return found


def column_label(key: str, layout: dict[str, str] | None = None) -> str:
    if key in COLUMNS:
        return str(COLUMNS[key][0])
    if key.startswith("field:"):
        return str((layout or {}).get(key) or key.removeprefix("field:"))
    return str(_l("Readout: %(name)s", name=key.removeprefix("readout:")))


def column_labels(company: Company, keys: list[str]) -> list[str]:
    layout = layout_columns(company) if any(k.startswith("field:") for k in keys) else {}
    return [column_label(k, layout) for k in keys]


def _value(card: Card, key: str):
    if key in COLUMNS:
        return COLUMNS[key][1](card) or ""
    if key.startswith("readout:"):
        return str((card.readouts or {}).get(key.removeprefix("readout:"), ""))
    if key.startswith("field:"):
        field_key = key.removeprefix("field:")
        value = (card.holder_data or {}).get(field_key)
        if value is None:
            return ""
        field = next((f for f in card.card_type.fields if f.key == field_key), None) if card.card_type else None
        return field.shown_value(str(value)) if field else str(value)  # a choice in the reader's language
    return ""


def report_rows(company: Company, f: ReportFilter, *, limit: int | None = 100, offset: int = 0, with_ids: bool = False):
    """(total, rows) for the chosen columns: strings, and `date`s for the date columns.

    With `with_ids` each row is (card id, values), so the screen can link to the card."""
    base = _statement(company, f)
    total = db.session.scalar(select(func.count()).select_from(base.order_by(None).subquery()))
    stmt = base.options(joinedload(Card.card_type), joinedload(Card.order), joinedload(Card.orderer))
    stmt = stmt.order_by(Card.created_at.desc(), Card.id.desc()).offset(offset)
    if limit:
        stmt = stmt.limit(limit)
    cards = db.session.scalars(stmt).unique()
    if with_ids:
        return total, [(c.id, [_value(c, k) for k in f.columns]) for c in cards]
    return total, [[_value(c, k) for k in f.columns] for c in cards]


def export_csv(company: Company, f: ReportFilter) -> bytes:
    _, rows = report_rows(company, f, limit=MAX_EXPORT_ROWS)
    return write_csv(rows, column_labels(company, f.columns)).encode("utf-8-sig")


def export_xlsx(company: Company, f: ReportFilter) -> bytes:
    from openpyxl import Workbook

    _, rows = report_rows(company, f, limit=MAX_EXPORT_ROWS)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(_l("Cards"))[:31])
    ws.append([safe_cell(label) for label in column_labels(company, f.columns)])
    for row in rows:
        # Every cell is written as text and escaped (no cell can start a formula); dates as date cells.
        ws.append([v if isinstance(v, date) else safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def status_counts(company: Company) -> list[tuple[str, int]]:
    """How many of the company's cards are in each status now (for the per-status chart)."""
    found = dict(db.session.execute(select(Card.status, func.count()).where(Card.company_id == company.id)
                                    .group_by(Card.status)).all())
    return [(status.value, found.get(status.value, 0)) for status in CardStatus]


def monthly_counts(company: Company, months: int = 12, today: date | None = None) -> list[dict]:
    """Cards ordered per month for the last `months` months, split by status (for the charts)."""
    today = today or date.today()
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    if db.engine.dialect.name == "postgresql":
        month = func.to_char(Card.created_at, "YYYY-MM")
    else:
        month = func.strftime("%Y-%m", Card.created_at)
    stmt = (
        select(month.label("m"), Card.status, func.count())
        .where(Card.company_id == company.id, Card.created_at >= datetime.combine(first, time.min))
        .group_by("m", Card.status)
    )
    buckets: OrderedDict[str, dict] = OrderedDict()
    cursor = first
    for _ in range(months):
        buckets[cursor.strftime("%Y-%m")] = {}
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    for m, status, n in db.session.execute(stmt):
        if m in buckets:
            buckets[m][status] = n
    return [{"month": m, "by_status": v, "total": sum(v.values())} for m, v in buckets.items()]
