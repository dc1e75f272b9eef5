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
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from admin_views.human_forms import HumanFormMessages
from portal.infra.csv_safety import safe_cell
from portal.infra.extensions import db
from portal.infra.web import page_number
from portal.tenancy.context import current_company, user_can
from portal.tenancy.models import Company
from portal.tenancy.ownership import is_company_owned, owned_by


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


class AppModelView(AccessMixin, HumanFormMessages, ModelView):
    """Model screens with product defaults: count(*) not count('*'), safe CSV export, messages and
    save buttons in our words, the list header with its count (`HumanFormMessages`)."""

    # Ours (human_forms: count, toolbar, empty state) over the labelled list (a11y_list) over Flask-Admin's.
    list_template = "admin/model/cw_list.html"
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
        # count(id) lets the database answer from an index; count('*') is several times slower. Naming
        # the key column keeps the table in the statement when no filter names it (an operator list):
        # a bare count(*) there is SELECT count(*) without FROM, which is 1 ("List (1)" above five rows).
        return self.get_query().with_entities(func.count(self.model.id)).order_by(None)

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

    # No audit code here: changes of audited models are recorded by the session listener
    # (portal.audit.listener), which no view override can skip.


class TenantMixin:
    """What every company screen shares: the current company and rows loaded only from it."""

    def _handle_view(self, name, **kwargs):
        denied = super()._handle_view(name, **kwargs)
        if denied is None and current_company() is None:
            abort(403)  # no company to work in: nothing of any company is shown
        return denied

    @property
    def company(self) -> Company:
        company = current_company()
        if company is None:
            abort(403)
        return company

    def owned(self, model, *where, shared: bool = False):
        """A select() of the current company's rows of `model` (see portal.tenancy.ownership)."""
        criterion = owned_by(model, self.company.id, shared=shared)
        if criterion is None:
            raise TypeError(f"{model.__name__} is not owned by a company: query it without the tenant scope")
        return select(model).where(criterion, *where)

    def get_owned(self, model, id, *, shared: bool = False):
        """The current company's row of `model` with this id; 404 for another company's (or no) row."""
        try:
            pk = int(id)
        except (TypeError, ValueError):
            abort(404)
        row = db.session.scalar(self.owned(model, model.id == pk, shared=shared))
        if row is None:
            abort(404)
        return row


class TenantView(TenantMixin, SecureView):
    """A custom company screen: load rows with `get_owned` / `owned`, never by a bare id."""


class TenantAjaxLoader(QueryAjaxModelLoader):
    """form_ajax_refs lookups of a company screen: only the current company's rows (and shared ones)."""

    def get_query(self):
        query = super().get_query()
        company = current_company()
        if not is_company_owned(self.model):
            return query
        return query.filter(owned_by(self.model, company.id if company else -1, shared=True))

    def get_one(self, pk):
        with db.session.no_autoflush:
            return self.get_query().filter(getattr(self.model, self.pk) == pk).one_or_none()


class TenantModelConverter(AdminModelConverter):
    """Relationship dropdowns of a company screen list only the current company's rows (and shared ones).

    Flask-Admin's default lists every row of the related model (flask-admin issue 397). A view that
    passes its own `query_factory` in form_args keeps it.
    """

    def _model_select_field(self, prop, multiple, remote_model, **kwargs):
        ajax = prop.key in (getattr(self.view, "_form_ajax_refs", None) or {})  # scoped by TenantAjaxLoader
        if not ajax and "query_factory" not in kwargs and is_company_owned(remote_model):
            def scoped():
                company = current_company()
                return db.session.query(remote_model).filter(
                    owned_by(remote_model, company.id if company else -1, shared=True))

            kwargs["query_factory"] = scoped
        return super()._model_select_field(prop, multiple, remote_model, **kwargs)


class TenantModelView(TenantMixin, AppModelView):
    """A model screen scoped to the current company: list, count, get one, export, actions, dropdowns
    and ajax lookups. A model owned through its parent (`__tenant_owner__`) is scoped through it."""

    model_form_converter = TenantModelConverter

    def get_query(self):
        return super().get_query().filter(owned_by(self.model, self.company.id))

    def _create_ajax_loader(self, name, options):
        loader = super()._create_ajax_loader(name, options)
        return TenantAjaxLoader(name, self.session, loader.model, **options)

    def on_model_change(self, form, model, is_created):
        if is_created and hasattr(self.model, "company_id"):
            model.company_id = self.company.id
        elif not is_created:
            self._check_owned(model)
        super().on_model_change(form, model, is_created)

    def on_model_delete(self, model):
        self._check_owned(model)
        super().on_model_delete(model)

    def _check_owned(self, model) -> None:
        with db.session.no_autoflush:  # the stored owner, not a pending change
            if db.session.scalar(self.owned(self.model, self.model.id == model.id)) is None:
                abort(404)
