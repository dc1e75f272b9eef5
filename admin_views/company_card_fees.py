"""Company > Card fees: active cards per month and card type with their fee; CSV and Excel exports."""
from __future__ import annotations

from flask import Response, request
from flask_admin import expose

from admin_views.base import TenantView
from portal.reports.card_fees import card_fee_rows, export_fees_csv, export_fees_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CardFeesView(TenantView):
    capability = "view"

    @expose("/")
    def index(self):
        rows = card_fee_rows(self.company)
        fmt = request.args.get("format")
        if fmt == "csv":
            return Response(export_fees_csv(rows), mimetype="text/csv; charset=utf-8",
                            headers={"Content-Disposition": "attachment; filename=cardwright-card-fees.csv"})
        if fmt == "xlsx":
            return Response(export_fees_xlsx(rows), mimetype=XLSX,
                            headers={"Content-Disposition": "attachment; filename=cardwright-card-fees.xlsx"})
        return self.render("admin/company/card_fees.html", rows=rows)
