"""Screen: Reports (cards in a period, chosen columns, CSV / Excel export, charts)."""
from __future__ import annotations

from datetime import date

from flask import Response, request
from flask_admin import expose
from flask_babel import lazy_gettext as _l

from admin_views.base import TenantView
from portal.cards.models import CardStatus
from portal.catalog.models import CardType
from portal.infra.extensions import db
from portal.infra.web import page_number
from portal.reports.operations import (
    COLUMNS,
    DEFAULT_COLUMNS,
    ReportFilter,
    column_label,
    export_csv,
    export_xlsx,
    layout_columns,
    monthly_counts,
    readout_keys,
    report_rows,
    status_counts,
)
from portal.tenancy.models import User

PAGE = 100


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


def parse_filter(args, allowed_columns: set[str]) -> ReportFilter:
    columns = [c for c in args.getlist("col") if c in allowed_columns] or list(DEFAULT_COLUMNS)
    status = args.get("status") or None
    return ReportFilter(
        date_from=_date(args.get("from")), date_to=_date(args.get("to")),
        basis="activated" if args.get("basis") == "activated" else "created",
        card_type_id=_int(args.get("card_type")),
        status=status if CardStatus.of(status) else None,
        orderer_id=_int(args.get("orderer")), columns=columns,
    )


def _page_args() -> dict:
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    args.pop("format", None)
    return args


class ReportsView(TenantView):
    capability = "view"

    @expose("/")
    def index(self):
        company = self.company
        readouts = [f"readout:{k}" for k in readout_keys(company)]
        layout = layout_columns(company)
        allowed = set(COLUMNS) | set(layout) | set(readouts)
        f = parse_filter(request.args, allowed)
        fmt = request.args.get("format")
        if fmt == "csv":
            return Response(export_csv(company, f), mimetype="text/csv; charset=utf-8",
                            headers={"Content-Disposition": "attachment; filename=cardwright-cards.csv"})
        if fmt == "xlsx":
            return Response(export_xlsx(company, f),
                            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": "attachment; filename=cardwright-cards.xlsx"})
        page = page_number(request.args.get("page"))
        total, rows = report_rows(company, f, limit=PAGE, offset=page * PAGE, with_ids=True)
        card_types = db.session.scalars(
            self.owned(CardType, shared=True).order_by(CardType.name)
        ).all()
        orderers = db.session.scalars(
            self.owned(User).order_by(User.name)
        ).all()
        return self.render(
            "admin/reports/index.html", f=f, total=total, rows=rows, page=page, pages=(total + PAGE - 1) // PAGE,
            headers=[column_label(k, layout) for k in f.columns],
            all_columns=[(k, column_label(k, layout)) for k in [*COLUMNS, *layout, *readouts]],
            card_types=card_types, orderers=orderers, statuses=CardStatus,
            months=monthly_counts(company), by_status=status_counts(company), page_args=_page_args(),
            status_colour={str(s.label): s.colour for s in CardStatus},
            status_column=f.columns.index("status") if "status" in f.columns else -1,
            link_column=f.columns.index("holder_name") if "holder_name" in f.columns else -1,
            is_date=lambda v: isinstance(v, date),
        )


def register(admin) -> None:
    admin.add_view(ReportsView(name=_l("Reports"), endpoint="reports", category=_l("Cards")))
