"""Company > Card fees: active cards per month and card type with their fee; CSV and Excel exports; the
company's card-fee invoices with their lines."""
from __future__ import annotations

from flask import Response, request
from flask_admin import expose

from admin_views.base import TenantView
from portal.infra.extensions import db
from portal.ordering.models import Invoice, InvoiceStatus
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
        invoices = db.session.scalars(self.owned(Invoice, Invoice.period.is_not(None))
                                      .order_by(Invoice.period.desc()).limit(24)).all()
        return self.render("admin/company/card_fees.html", rows=rows, invoices=invoices, InvoiceStatus=InvoiceStatus)

    @expose("/invoices/<int:invoice_id>")
    def invoice(self, invoice_id: int):
        return self.render("admin/company/fee_invoice.html", invoice=self.get_owned(Invoice, invoice_id),
                           InvoiceStatus=InvoiceStatus)
