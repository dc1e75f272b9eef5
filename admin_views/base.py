"""Base views: every company-owned screen inherits the tenant scope from here.

The scope is applied to every query Flask-Admin makes (list, count, details, edit, delete, export,
actions and relationship dropdowns), so a row of another company cannot be reached by id.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext as admin_lazy_gettext
from flask_admin.contrib.sqla import ModelView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, inspect, select

from portal.audit.operations import record
from portal.infra.csv_safety import safe_cell
from portal.infra.extensions import db
from portal.infra.web import page_number
from portal.tenancy.context import current_company, user_can


def _deny():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.url))
    abort(403)


class AccessMixin:
    """`capability` to open the screen; `edit_capability` to change anything on it."""

    capability = "view"
    edit_capability: str | None = None
    operator_only = False

    def is_accessible(self) -> bool:
        if not current_user.is_authenticated:
            return False
        if self.operator_only:
            return bool(current_user.is_operator)
        return user_can(self.capability)

    def inaccessible_callback(self, name, **kwargs):
        return _deny()

    def may_edit(self) -> bool:
        if self.operator_only:
            return bool(current_user.is_authenticated and current_user.is_operator)
        return bool(self.edit_capability) and user_can(self.edit_capability)


class SecureView(AccessMixin, BaseView):
    """A custom (non-model) back-office screen."""


class AppModelView(AccessMixin, ModelView):
    """Model screens with product defaults: count(*) not count('*'), safe CSV export, audit."""

    page_size = 25
    page_size_options = (10, 25, 50, 100)
    can_set_page_size = True
    can_view_details = True
    details_modal = False
    create_modal = False
    edit_modal = False
    empty_hint = _l("Nothing here yet.")
    # Edits are allowed where the role has the edit capability; classes may narrow further.
    allow_create = True
    allow_edit = True
    allow_delete = True

    @property
    def can_create(self) -> bool:
        return self.allow_create and self.may_edit()

    @property
    def can_edit(self) -> bool:
        return self.allow_edit and self.may_edit()

    @property
    def can_delete(self) -> bool:
        return self.allow_delete and self.may_edit()

    # Views that name rows by id: an id outside the scope answers 404 (Flask-Admin would only
    # flash "Record does not exist" and redirect, which hides probing from nobody).
    _ID_VIEWS = {"details_view": "args", "edit_view": "args", "delete_view": "form", "ajax_update": "form"}
    # A screen that cannot create/edit/delete answers 403 (Flask-Admin would silently redirect).
    _ALLOWED_BY = {"create_view": "can_create", "edit_view": "can_edit", "delete_view": "can_delete"}

    def _handle_view(self, name, **kwargs):
        denied = super()._handle_view(name, **kwargs)
        if denied is not None:
            return denied
        allowed_by = self._ALLOWED_BY.get(name)
        if allowed_by and not getattr(self, allowed_by):
            abort(403)
        where = self._ID_VIEWS.get(name)
        if where:
            source = request.args if where == "args" else request.form
            pk = source.get("id") or (request.form.get("pk") if name == "ajax_update" else None)
            if pk is not None and self.get_one(pk) is None:
                abort(404)
        elif name == "action_view" and request.method == "POST":
            for pk in request.form.getlist("rowid"):
                if self.get_one(pk) is None:
                    abort(404)
        return None

    def _get_list_extra_args(self):
        """`?page=-1` (a negative OFFSET, an error on PostgreSQL) shows the first page; a page number
        too large for the database's OFFSET is capped, so neither answers 503."""
        args = super()._get_list_extra_args()
        args.page = page_number(args.page)
        return args

    def scaffold_form(self):
        """Every text field gets a maximum length: the column's (Flask-Admin adds it) or TEXT_MAX."""
        from wtforms import StringField
        from wtforms.validators import Length

        from portal.infra.form_limits import TEXT_MAX

        form_class = super().scaffold_form()
        for name in dir(form_class):
            unbound = getattr(form_class, name)
            if getattr(unbound, "field_class", None) and issubclass(unbound.field_class, StringField):
                validators = list(unbound.kwargs.get("validators") or [])
                if not any(isinstance(v, Length) and v.max and v.max > 0 for v in validators):
                    unbound.kwargs["validators"] = [*validators, Length(max=TEXT_MAX)]
        return form_class

    def get_empty_list_message(self) -> str:
        return str(self.empty_hint)

    def get_count_query(self):
        # count(*) lets the database answer from an index; count('*') is several times slower.
        return self.get_query().with_entities(func.count()).order_by(None)

    def get_one(self, id):
        try:
            pk = int(id)
        except (TypeError, ValueError):
            return None
        return self.get_query().filter(self.model.id == pk).one_or_none()

    def get_export_value(self, model, name):
        return safe_cell(super().get_export_value(model, name))

    @action("delete", admin_lazy_gettext("Delete"), admin_lazy_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        if not self.can_delete:
            abort(403)
        count = 0
        for pk in ids:
            model = self.get_one(pk)
            if model is not None and self.delete_model(model):
                count += 1
        flash(_("%(count)s records were deleted.", count=count), "success")

    # Audit every change made through a model screen. Flask-Admin commits between on_model_change and
    # after_model_change, so the before/after values are read while the change is still pending.
    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        changes = {}
        if not is_created:
            for attr in inspect(model).attrs:
                hist = attr.history
                if hist.has_changes() and attr.key not in {"password_hash"} and not attr.key.endswith("_hash"):
                    changes[attr.key] = ((hist.deleted or [None])[0], (hist.added or [None])[0])
        model._audit_changes = changes

    def after_model_change(self, form, model, is_created):
        changes = getattr(model, "_audit_changes", {})
        record(
            f"{self.model.__name__.lower()}.{'created' if is_created else 'updated'}",
            company_id=getattr(model, "company_id", None) or _company_id(),
            obj=model, summary=str(model), changes=changes,
        )
        db.session.commit()

    def after_model_delete(self, model):
        record(f"{self.model.__name__.lower()}.deleted", company_id=_company_id(), obj=model, summary=str(model))
        db.session.commit()


def _company_id() -> int | None:
    company = current_company()
    return company.id if company else None


class TenantModelView(AppModelView):
    """A model screen scoped to the current company through `company_field`."""

    company_field = "company_id"

    def scope(self, query):
        company = current_company()
        if company is None:
            abort(403)
        return query.filter(getattr(self.model, self.company_field) == company.id)

    def get_query(self):
        return self.scope(super().get_query())

    def on_model_change(self, form, model, is_created):
        company = current_company()
        if is_created:
            setattr(model, self.company_field, company.id)
        elif getattr(model, self.company_field) != company.id:
            abort(404)
        super().on_model_change(form, model, is_created)

    def on_model_delete(self, model):
        if getattr(model, self.company_field) != current_company().id:
            abort(404)
        super().on_model_delete(model)


def scoped_choices(model, *, order_by=None, where=()):
    """A query factory for relationship fields that lists only the current company's rows."""

    def factory():
        company = current_company()
        stmt = select(model).where(model.company_id == (company.id if company else -1), *where)
        if order_by is not None:
            stmt = stmt.order_by(order_by)
        return db.session.scalars(stmt).all()

    return factory


