"""Screens: Printing (the company's printers) and the print queue."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectField
from wtforms.validators import ValidationError

from admin_views.base import TenantModelView
from portal.extensions import db
from portal.printing.models import (
    PRINT_JOB_STATUS_COLOURS,
    PRINT_JOB_STATUS_LABELS,
    PRINTER_BACKEND_LABELS,
    Printer,
    PrinterBackend,
    PrintJob,
)
from portal.printing.operations import PrintError, cancel_job, queue_print, queue_test_page, validate_target
from portal.tenancy.context import require_company


def _status_badge(view, context, model, name):
    status = model.status
    return Markup('<span class="badge badge-{}">{}</span>').format(
        PRINT_JOB_STATUS_COLOURS.get(status, "secondary"), PRINT_JOB_STATUS_LABELS.get(status, status)
    )


class PrinterView(TenantModelView):
    capability = "print"
    edit_capability = "settings"
    can_view_details = False
    column_list = ["name", "location", "model", "backend", "target", "enabled"]
    column_labels = {
        "name": _l("Name"), "location": _l("Location"), "model": _l("Printer model"),
        "backend": _l("Connection"), "target": _l("Queue or folder"), "enabled": _l("Enabled"),
    }
    column_formatters = {"backend": lambda v, c, m, n: PRINTER_BACKEND_LABELS.get(m.backend, m.backend)}
    column_descriptions = {"target": _l("CUPS: the queue name. Hot folder: a folder name inside the server's print folder.")}
    form_columns = ["name", "location", "model", "backend", "target", "enabled"]
    form_overrides = {"backend": SelectField}
    form_args = {
        "backend": {"label": _l("Connection"), "choices": [(k.value, v) for k, v in PRINTER_BACKEND_LABELS.items()]},
        "target": {"label": _l("Queue or folder")},
        "model": {"label": _l("Printer model")},
    }
    empty_hint = _l("No printers yet. Add the card printer at your desk to print cards at once with \"Print now\".")

    def on_model_change(self, form, model, is_created):
        try:
            model.target = validate_target(model.backend or PrinterBackend.HOT_FOLDER.value, model.target)
        except PrintError as exc:
            raise ValidationError(str(exc)) from None
        super().on_model_change(form, model, is_created)

    @action("test_page", _l("Print a test page"))
    def action_test_page(self, ids):
        company = require_company()
        for pk in ids:
            printer = self.get_one(pk)
            if printer is not None:
                try:
                    queue_test_page(company, current_user, printer.id)
                except PrintError as exc:
                    flash(str(exc), "error")
                    continue
        db.session.commit()
        flash(_("Test page queued. It prints within a few seconds."), "success")


class PrintQueueView(TenantModelView):
    capability = "print"
    edit_capability = "print"
    allow_create = False
    allow_edit = False
    allow_delete = False
    column_list = ["created_at", "card", "printer", "status", "attempts", "error", "printed_at"]
    column_default_sort = ("id", True)
    column_labels = {
        "created_at": _l("Queued"), "card": _l("Card holder"), "printer": _l("Printer"), "status": _l("Status"),
        "attempts": _l("Attempts"), "error": _l("Error"), "printed_at": _l("Printed"),
    }
    column_filters = ["status"]
    column_formatters = {
        "status": _status_badge,
        "card": lambda v, c, m, n: (m.card.holder_name if m.card else _("Test page")),
        "created_at": lambda v, c, m, n: _fmt(m.created_at),
        "printed_at": lambda v, c, m, n: _fmt(m.printed_at),
    }
    empty_hint = _l("The print queue is empty. Use \"Print now\" when ordering a card to print it here.")

    def get_query(self):
        from sqlalchemy.orm import joinedload

        return super().get_query().options(joinedload(PrintJob.card), joinedload(PrintJob.printer))

    @action("reprint", _l("Print again"), _l("Print the selected cards again?"))
    def action_reprint(self, ids):
        company = require_company()
        n = 0
        for pk in ids:
            job = self.get_one(pk)
            if job is not None and job.card is not None:
                try:
                    queue_print(company, current_user, job.card, job.printer_id)
                    n += 1
                except PrintError as exc:
                    flash(str(exc), "error")
        db.session.commit()
        flash(_("%(n)d cards queued for printing again.", n=n), "success")

    @action("cancel", _l("Cancel"), _l("Cancel the selected jobs?"))
    def action_cancel(self, ids):
        company = require_company()
        for pk in ids:
            job = self.get_one(pk)
            if job is not None:
                try:
                    cancel_job(company, job)
                except PrintError as exc:
                    flash(str(exc), "error")
        db.session.commit()
        return redirect(request.referrer or url_for(".index_view"))


def _fmt(value):
    from flask_babel import format_datetime

    return format_datetime(value, "short") if value else ""


def register(admin) -> None:
    admin.add_view(PrinterView(Printer, db, name=_l("Printers"), category=_l("Printing"), endpoint="printers"))
    admin.add_view(PrintQueueView(PrintJob, db, name=_l("Print queue"), category=_l("Printing"), endpoint="print_queue"))
