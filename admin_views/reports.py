"""Screen: Reports (cards in a period, chosen columns, CSV / Excel export, charts)."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin_views.base import TenantView
from portal.cards.models import CardStatus
from portal.catalog.models import CardType
from portal.infra.extensions import db
from portal.infra.web import field_limits, page_number
from portal.reports.models import ReportSchedule
from portal.reports.operations import (
    COLUMNS,
    ReportFilter,
    allowed_columns,
    column_label,
    export_csv,
    export_xlsx,
    filter_from_params,
    layout_columns,
    monthly_counts,
    readout_keys,
    report_rows,
    status_counts,
)
from portal.reports.saved import (
    ReportError,
    delete_report,
    period_from_key,
    period_params,
    save_report,
    saved_report,
    saved_reports,
)
from portal.tenancy.models import User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PAGE = 100


def parse_filter(args, allowed_columns: set[str]) -> ReportFilter:
    return filter_from_params(args.to_dict(flat=False), allowed_columns)


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
            return Response(export_xlsx(company, f), mimetype=XLSX,
                            headers={"Content-Disposition": "attachment; filename=cardwright-cards.xlsx"})
        page = page_number(request.args.get("page"))
        total, rows = report_rows(company, f, limit=PAGE, offset=page * PAGE, with_ids=True)
        card_types = db.session.scalars(
            self.owned(CardType, shared=True).order_by(CardType.name)
        ).all()
        orderers = db.session.scalars(
            self.owned(User).order_by(User.name)
        ).all()
        saved = saved_reports(company)
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
            saved=saved, schedules=ReportSchedule, members=orderers,
            current=next((r for r in saved if str(r.id) == request.args.get("saved")), None),
            query_pairs=[(k, v) for k, values in _page_args().items() for v in values],
        )

    def _saved(self, report_id: int):
        try:
            return saved_report(self.company, report_id)
        except LookupError:
            abort(404)

    def _allowed(self) -> set[str]:
        layout, readouts = allowed_columns(self.company)
        return set(COLUMNS) | set(layout) | set(readouts)

    @expose("/save", methods=["POST"])
    @field_limits(name=120)
    def save(self):
        """Save the filters and columns shown under a name (the same name replaces that report)."""
        args = {k: request.form.getlist(k) for k in request.form if k.startswith("q_")}
        args = {k.removeprefix("q_"): v for k, v in args.items()}
        try:
            report = save_report(self.company, current_user, request.form.get("name", ""), args,
                                 schedule=request.form.get("schedule", "none"),
                                 recipient_ids=request.form.getlist("recipient"))
        except ReportError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".index", **args))
        db.session.commit()
        flash(_("The report \"%(name)s\" is saved.", name=report.name), "success")
        return redirect(url_for(".open_saved", report_id=report.id))

    @expose("/saved/<int:report_id>")
    def open_saved(self, report_id: int):
        report = self._saved(report_id)
        return redirect(url_for(".index", saved=report.id, **report.params))

    @expose("/saved/<int:report_id>/delete", methods=["POST"])
    def delete_saved(self, report_id: int):
        try:
            name = delete_report(self.company, report_id)
        except LookupError:
            abort(404)
        db.session.commit()
        flash(_("The report \"%(name)s\" is deleted.", name=name), "success")
        return redirect(url_for(".index"))

    @expose("/saved/<int:report_id>/excel")
    def saved_excel(self, report_id: int):
        """The Excel file of a saved report, for the period an email names (else as saved)."""
        report = self._saved(report_id)
        period = period_from_key(request.args.get("period", ""))
        f = filter_from_params(period_params(report, period), self._allowed())
        name = f"cardwright-report-{report.id}{'-' + period.key if period else ''}.xlsx"
        return Response(export_xlsx(self.company, f), mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename={name}"})


def register(admin) -> None:
    admin.add_view(ReportsView(name=_l("Reports"), endpoint="reports", category=_l("Cards")))
