"""Operator screens of the customer portal: settings, access rights, accounts, resources, requests."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, TextAreaField

from admin_views.base import AppModelView, SecureView
from admin_views.customer_resources import all_companies, register_resources
from portal.audit.operations import record
from portal.customers.models import (
    PORTAL_SECTIONS,
    AccessRight,
    CustomerRequest,
    CustomerRequestStatus,
    PortalAccount,
)
from portal.customers.operations import (
    PortalError,
    access_right_in_use,
    answer_customer_request,
    email_login_details,
    portal_settings,
    save_account,
)
from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.formatting import as_lines, badge, when
from portal.infra.images import ImageRejected, normalise_picture
from portal.infra.web import field_limits
from portal.tenancy.models import Company

CAT = _l("Customer portal")


class PortalSettingsView(SecureView):
    operator_only = True

    @expose("/", methods=["GET", "POST"])
    def index(self):
        settings = portal_settings()
        if request.method == "POST":
            settings.enabled = request.form.get("enabled") == "1"
            settings.sections = [s for s in PORTAL_SECTIONS if request.form.get(f"section_{s}") == "1"]
            upload = request.files.get("logo")
            if upload and upload.filename:
                try:
                    png = normalise_picture(upload.read(), max_size=(600, 200))
                except ImageRejected as exc:
                    db.session.rollback()
                    flash(str(exc), "error")
                    return redirect(url_for(".index"))
                old, settings.logo_key = settings.logo_key, storage.save(png, "logos", "png")
                storage.delete(old)
            record("portal.settings_updated", company_id=None, summary=f"enabled={settings.enabled}")
            db.session.commit()
            flash(_("Customer portal settings saved."), "success")
            return redirect(url_for(".index"))
        db.session.commit()
        return self.render("admin/customers/settings.html", settings=settings, sections=PORTAL_SECTIONS)

    @expose("/logo.png")
    def logo(self):
        """The sign-in logo for the operator's preview (the portal's own copy answers 404 while it is off)."""
        key = portal_settings().logo_key
        return storage.send(key, mimetype="image/png", max_age=0)


class AccessRightView(AppModelView):
    operator_only = True
    can_view_details = False
    column_list = ["name", "can_view_jobs", "can_view_invoices", "can_view_resources", "can_make_requests",
                   "can_view_notes"]
    column_labels = {"name": _l("Name"), "can_view_jobs": _l("View jobs"), "can_view_invoices": _l("View invoices"),
                     "can_view_resources": _l("View customer resources"), "can_make_requests": _l("Make requests"),
                     "can_view_notes": _l("View notes")}
    form_columns = column_list
    empty_hint = _l("No access rights yet. Create a profile such as \"Commercial\" with the permissions it gives.")

    def delete_model(self, model):
        if access_right_in_use(model):
            flash(_("%(name)s is used by customer accounts and cannot be deleted.", name=model.name), "error")
            return False
        return super().delete_model(model)


class AccountsView(SecureView):
    operator_only = True

    @expose("/")
    def index(self):
        company_id = request.args.get("company", type=int)
        stmt = select(PortalAccount).options(selectinload(PortalAccount.company), selectinload(PortalAccount.access_right))
        if company_id:
            stmt = stmt.where(PortalAccount.company_id == company_id)
        accounts = db.session.scalars(stmt.order_by(PortalAccount.username)).all()
        return self.render("admin/customers/accounts.html", accounts=accounts, companies=all_companies(),
                           rights=db.session.scalars(select(AccessRight).order_by(AccessRight.name)).all(),
                           company_id=company_id)

    @expose("/save", methods=["POST"])
    @field_limits(username=80, email=254, password=200)
    def save(self):
        form = request.form
        account_id = form.get("id", type=int)
        account = db.session.get(PortalAccount, account_id) if account_id else PortalAccount()
        if account is None:
            abort(404)
        if not account_id:
            company = db.session.get(Company, form.get("company_id", type=int) or -1)
            if company is None:
                flash(_("Choose the company."), "error")
                return redirect(url_for(".index"))
            account.company_id = company.id
        right_id = form.get("access_right_id", type=int)
        account.access_right_id = right_id if right_id and db.session.get(AccessRight, right_id) else None
        account.email = form.get("email", "").strip()[:254]
        account.active = form.get("active", "1") == "1"
        try:
            generated = save_account(account, username=form.get("username", ""), password=form.get("password", ""),
                                     generate=form.get("generate") == "1")
        except PortalError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".index"))
        db.session.add(account)
        db.session.commit()
        if generated:
            # Shown once, now, so the operator can pass it on; only its hash is stored.
            flash(_("Generated password for %(name)s: %(password)s (shown only now)", name=account.username,
                    password=generated), "warning")
        else:
            flash(_("Account %(name)s saved.", name=account.username), "success")
        return redirect(url_for(".index", company=account.company_id))

    @expose("/<int:account_id>/delete", methods=["POST"])
    def delete(self, account_id: int):
        account = db.session.get(PortalAccount, account_id) or abort(404)
        company_id, name = account.company_id, account.username
        record("portal.account_deleted", company_id=company_id, obj=account, summary=name)
        db.session.delete(account)
        db.session.commit()
        flash(_("Account %(name)s deleted.", name=name), "success")
        return redirect(url_for(".index", company=company_id))

    @expose("/<int:account_id>/email", methods=["POST"])
    def send_details(self, account_id: int):
        account = db.session.get(PortalAccount, account_id)
        if account is None:
            abort(404)
        try:
            email_login_details(account)
        except PortalError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Login details emailed to %(email)s.", email=account.email), "success")
        return redirect(url_for(".index", company=account.company_id))


def _request_status(view, context, model, name):
    return badge(CustomerRequestStatus.of(model.status))


class CustomerRequestView(AppModelView):
    operator_only = True
    allow_create = False
    column_list = ["created_at", "company", "subject", "status", "replied_at"]
    column_details_list = ["created_at", "company", "account", "subject", "notes", "attachment_name", "status", "reply"]
    column_labels = {"created_at": _l("Received"), "company": _l("Company"), "subject": _l("Subject"),
                     "status": _l("Status"), "replied_at": _l("Answered"), "notes": _l("Notes"),
                     "account": _l("Sent by"), "attachment_name": _l("Attachment"), "reply": _l("Reply")}
    column_default_sort = ("created_at", True)
    column_formatters = {
        "status": _request_status,
        "attachment_name": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            url_for(".attachment", request_id=m.id), m.attachment_name) if m.attachment_key else "",
        "created_at": lambda v, c, m, n: when(m.created_at),
        "notes": lambda v, c, m, n: as_lines(m.notes),
        "reply": lambda v, c, m, n: as_lines(m.reply),
        "replied_at": lambda v, c, m, n: when(m.replied_at) or "–",
        "account": lambda v, c, m, n: (f"{m.account.username} ({m.account.email})" if m.account and m.account.email
                                       else m.account.username if m.account else ""),
    }
    column_filters = [FilterEqual(CustomerRequest.status, _l("Status"),
                                  options=CustomerRequestStatus.choices())]
    form_columns = ["status", "reply"]
    form_overrides = {"status": SelectField, "reply": TextAreaField}
    form_args = {"status": {"choices": CustomerRequestStatus.choices(),
                            "label": _l("Status")},
                 "reply": {"label": _l("Reply (the customer sees it)")}}
    empty_hint = _l("No requests from customers yet.")

    def on_model_change(self, form, model, is_created):
        answer_customer_request(model, form.reply.object_data)

    @expose("/attachment/<int:request_id>")
    def attachment(self, request_id: int):
        req = db.session.get(CustomerRequest, request_id)
        if req is None or not storage.exists(req.attachment_key):
            abort(404)
        return storage.send(req.attachment_key, as_attachment=True,
                            download_name=req.attachment_name or "attachment")


def register(admin) -> None:
    admin.add_view(PortalSettingsView(name=_l("Portal settings"), category=CAT, endpoint="portal_settings",
                                      url="/admin/portal/settings"))
    admin.add_view(AccessRightView(AccessRight, db, name=_l("Access rights"), category=CAT, endpoint="access_rights"))
    admin.add_view(AccountsView(name=_l("Customer accounts"), category=CAT, endpoint="portal_accounts",
                                url="/admin/portal/accounts"))
    register_resources(admin, CAT)
    admin.add_view(CustomerRequestView(CustomerRequest, db, name=_l("Customer requests"), category=CAT,
                                       endpoint="customer_requests"))
