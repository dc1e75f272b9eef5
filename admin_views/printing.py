"""Screens: Printing (the company's printers) and the print queue."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_admin.form.rules import FieldSet
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import SelectField
from wtforms.validators import ValidationError

from admin_views.base import TenantModelView
from portal.infra.extensions import db
from portal.infra.formatting import badge, when
from portal.printing.models import (
    SYSTEM_ERRORS,
    Printer,
    PrinterBackend,
    PrintJob,
    PrintJobStatus,
)
from portal.printing.operations import PrintError, cancel_job, queue_print, queue_test_page, validate_target


def _status_badge(view, context, model, name):
    return badge(PrintJobStatus.of(model.status))


def _post_button(url: str, label, css: str, testid: str) -> Markup:
    return Markup('<form method="post" action="{}" class="d-inline mr-1"><input type="hidden" name="csrf_token" '
                  'value="{}"><button class="btn btn-sm {}" data-testid="{}">{}</button></form>').format(
        url, generate_csrf(), css, testid, label)


def _printer_buttons(view, context, model, name):
    buttons = Markup("")
    if model.enabled:
        buttons += _post_button(url_for(".test_page", printer_id=model.id), _("Test page"), "btn-outline-primary",
                                "test-page")
    if view.may_edit():
        buttons += _post_button(url_for(".toggle", printer_id=model.id), _("Disable") if model.enabled else _("Enable"),
                                "btn-outline-secondary", "toggle")
    return buttons


def _enabled_badge(view, context, model, name):
    return badge(_("Enabled") if model.enabled else _("Disabled"), "success" if model.enabled else "secondary")


class PrinterView(TenantModelView):
    created_message = _l("Printer %(name)s added. Print a test page to check it.")
    saved_message = _l("Printer %(name)s saved.")
    capability = "print"
    edit_capability = "settings"
    can_view_details = False
    column_list = ["name", "location", "model", "backend", "target", "enabled", "actions"]
    column_labels = {
        "name": _l("Name"), "location": _l("Location"), "model": _l("Printer model"),
        "backend": _l("Connection"), "target": _l("Queue or folder"), "enabled": _l("Status"), "actions": "",
    }
    column_formatters = {"backend": lambda v, c, m, n: PrinterBackend.label_of(m.backend),
                         "enabled": _enabled_badge, "actions": _printer_buttons}
    column_descriptions = {"target": _l("CUPS: the queue name. Hot folder: a folder name inside the server's print folder.")}
    form_columns = ["name", "location", "model", "backend", "target", "enabled"]
    form_rules = [FieldSet(("name", "location", "model"), _l("Printer")),
                  FieldSet(("backend", "target", "enabled"), _l("Connection"))]
    form_overrides = {"backend": SelectField}
    form_args = {
        "backend": {"label": _l("Connection"), "choices": PrinterBackend.choices()},
        "target": {"label": _l("Queue or folder")},
        "model": {"label": _l("Printer model")},
        "enabled": {"label": _l("Enabled"), "description": _l("Only enabled printers are offered for printing.")},
    }
    empty_hint = _l("No printers yet. Add the card printer at your desk to print cards at once with \"Print now\".")

    def on_model_change(self, form, model, is_created):
        try:
            model.target = validate_target(model.backend or PrinterBackend.HOT_FOLDER.value, model.target)
        except PrintError as exc:
            raise ValidationError(str(exc)) from None
        super().on_model_change(form, model, is_created)

    def _printer(self, printer_id: int) -> Printer:
        printer = self.get_one(printer_id)
        if printer is None:
            abort(404)
        return printer

    @expose("/<int:printer_id>/test-page", methods=["POST"])
    def test_page(self, printer_id: int):
        printer = self._printer(printer_id)
        try:
            queue_test_page(self.company, current_user, printer.id)
        except PrintError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Test page queued on %(printer)s. It prints within a minute; see the print queue.",
                    printer=printer.name), "success")
        return redirect(url_for(".index_view"))

    @expose("/<int:printer_id>/toggle", methods=["POST"])
    def toggle(self, printer_id: int):
        if not self.may_edit():
            abort(403)
        printer = self._printer(printer_id)
        printer.enabled = not printer.enabled  # audited by the listener as printer.enabled / printer.disabled
        db.session.commit()
        flash(_("%(printer)s is enabled.", printer=printer.name) if printer.enabled
              else _("%(printer)s is disabled: it is no longer offered for Print now.", printer=printer.name), "success")
        return redirect(url_for(".index_view"))


def _card_link(view, context, model, name):
    if model.card is None:
        return _("Test page")
    return Markup('<a href="{}">{}</a>').format(url_for("cards.details", card_id=model.card_id),
                                                model.card.holder_name or _("(anonymised)"))


def _job_buttons(view, context, model, name):
    if model.card is None or model.status not in (PrintJobStatus.PRINTED.value, PrintJobStatus.FAILED.value,
                                                  PrintJobStatus.CANCELLED.value):
        return ""
    return _post_button(url_for(".reprint", job_id=model.id), _("Print again"), "btn-outline-primary", "reprint")


class PrintQueueView(TenantModelView):
    capability = "print"
    edit_capability = "print"
    allow_create = False
    allow_edit = False
    allow_delete = False
    can_view_details = False
    column_display_actions = False
    column_list = ["created_at", "card", "printer", "status", "attempts", "error", "printed_at", "actions"]
    column_default_sort = ("id", True)
    column_labels = {
        "created_at": _l("Queued"), "card": _l("Card holder"), "printer": _l("Printer"), "status": _l("Status"),
        "attempts": _l("Attempts"), "error": _l("Error"), "printed_at": _l("Printed"), "actions": "",
    }
    column_filters = [FilterEqual(PrintJob.status, _l("Status"),
                                  options=PrintJobStatus.choices())]
    column_formatters = {
        "status": _status_badge,
        "card": _card_link,
        "actions": _job_buttons,
        "error": lambda v, c, m, n: SYSTEM_ERRORS.get(m.error, m.error),
        "created_at": lambda v, c, m, n: when(m.created_at),
        "printed_at": lambda v, c, m, n: when(m.printed_at),
    }
    empty_hint = _l("The print queue is empty. Use \"Print now\" when ordering a card to print it here.")

    def get_query(self):
        from sqlalchemy.orm import joinedload

        return super().get_query().options(joinedload(PrintJob.card), joinedload(PrintJob.printer))

    @expose("/<int:job_id>/reprint", methods=["POST"])
    def reprint(self, job_id: int):
        """Print the job's card once more: a new job, only ever on request."""
        job = self.get_one(job_id)
        if job is None or job.card is None:
            abort(404)
        try:
            queue_print(self.company, current_user, job.card, job.printer_id)
        except PrintError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(ngettext("%(num)d card was queued for printing again.", "%(num)d cards were queued for printing again.", 1), "success")
        return redirect(url_for(".index_view"))

    @action("reprint", _l("Print again"), _l("Print the selected cards again?"))
    def action_reprint(self, ids):
        company = self.company
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
        flash(ngettext("%(num)d card was queued for printing again.", "%(num)d cards were queued for printing again.", n), "success")

    @action("cancel", _l("Cancel"), _l("Cancel the selected jobs?"))
    def action_cancel(self, ids):
        company = self.company
        for pk in ids:
            job = self.get_one(pk)
            if job is not None:
                try:
                    cancel_job(company, job)
                except PrintError as exc:
                    flash(str(exc), "error")
        db.session.commit()
        return redirect(request.referrer or url_for(".index_view"))


def register(admin) -> None:
    admin.add_view(PrinterView(Printer, db, name=_l("Printers"), category=_l("Printing"), endpoint="printers"))
    admin.add_view(PrintQueueView(PrintJob, db, name=_l("Print queue"), category=_l("Printing"), endpoint="print_queue"))
