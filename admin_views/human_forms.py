"""Model forms that speak like the rest of the product: "Printer Desk added." instead of Flask-Admin's
stock "Record was successfully created.", and Save / Cancel without "Save and Add Another"."""
from __future__ import annotations

from flask import g, session
from flask_admin import expose
from flask_admin.babel import gettext as admin_gettext


class HumanFormMessages:
    """Mix into a ModelView; set `created_message` and `saved_message` (lazy strings with %(name)s)."""

    created_message = None
    saved_message = None
    create_template = "admin/model/create_plain.html"
    edit_template = "admin/model/edit_plain.html"

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        message = self.created_message if is_created else self.saved_message
        if message is not None:
            g.human_form_message = str(message) % {"name": getattr(model, "name", None) or str(model)}

    def _replace_stock_message(self, stock: str) -> None:
        mine = g.pop("human_form_message", None)
        flashes = session.get("_flashes")
        if mine and flashes:
            session["_flashes"] = [(cat, mine if msg == stock else msg) for cat, msg in flashes]

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        response = super().create_view()
        self._replace_stock_message(admin_gettext("Record was successfully created."))
        return response

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        response = super().edit_view()
        self._replace_stock_message(admin_gettext("Record was successfully saved."))
        return response
