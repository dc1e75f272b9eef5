"""Model screens that speak like the rest of the product (mixed into every `AppModelView`).

- Messages in our words: "Printer Desk added." instead of Flask-Admin's stock "Record was
  successfully created."; a view may set its own `created_message` / `saved_message` /
  `deleted_message` (lazy strings with %(name)s).
- Save buttons decided per view: Save and Cancel only, unless the view switches on
  `save_and_add_another` (screens where one adds several in a row) or `save_and_continue`
  (screens edited in several passes).
- The list header shows the real count ("Cards · 1,234"), the list reads as a table, and an empty
  list says what to do (`empty_hint`); templates in admin_views/templates/admin/model/.
"""
from __future__ import annotations

from flask import g, session
from flask_admin import expose
from flask_admin.babel import gettext as admin_gettext
from flask_babel import lazy_gettext as _l


class HumanFormMessages:
    created_message = _l("%(name)s added.")
    saved_message = _l("%(name)s saved.")
    deleted_message = _l("%(name)s deleted.")
    save_and_add_another = False
    save_and_continue = False
    list_template = "admin/model/cw_list.html"
    create_template = "admin/model/create_plain.html"
    edit_template = "admin/model/edit_plain.html"

    def _name_of(self, model) -> str:
        name = getattr(model, "name", None) or getattr(model, "number", None) or getattr(model, "holder_name", None)
        return str(name) if name else str(self.name)

    def _remember(self, message, model) -> None:
        if message is not None:
            g.human_form_message = str(message) % {"name": self._name_of(model)}

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        self._remember(self.created_message if is_created else self.saved_message, model)

    def after_model_delete(self, model):
        super().after_model_delete(model)
        self._remember(self.deleted_message, model)

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

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        response = super().delete_view()
        self._replace_stock_message(admin_gettext("Record was successfully deleted."))
        return response
