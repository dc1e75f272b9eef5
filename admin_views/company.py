"""Screens of the company admin: Settings, Users, Addresses. The audit log is in company_audit."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.form.rules import FieldSet
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import exists, select
from wtforms import SelectField

from admin_views.base import TenantModelView, TenantView
from admin_views.company_retention import RetentionPreviewMixin, chosen_months, preview_text
from portal.infra.extensions import db
from portal.infra.formatting import badge, money
from portal.infra.images import ImageRejected, min_logo_size
from portal.ordering.approval import approvers_of
from portal.ordering.models import Address, CartItem
from portal.tenancy.company_forms import CompanySettingsForm, InviteUserForm
from portal.tenancy.invitations import InvitationError, invite_user
from portal.tenancy.models import Membership, Role
from portal.tenancy.settings import SettingsError, remove_company_logo, set_company_logo, update_company_settings
from portal.tenancy.users import (
    MembershipError,
    change_role,
    members,
    resend_invitation,
    set_active,
    withdraw_invitation,
)

COUNTRIES = [("SE", _l("Sweden")), ("NO", _l("Norway")), ("FI", _l("Finland")), ("DK", _l("Denmark")),
             ("IS", _l("Iceland")), ("DE", _l("Germany")), ("GB", _l("United Kingdom")), ("PL", _l("Poland")),
             ("EE", _l("Estonia")), ("LT", _l("Lithuania")), ("LV", _l("Latvia"))]


def chosen_months_or_saved(company, value):
    try:
        return chosen_months(value)
    except LookupError:
        return company.retention_months


class SettingsView(RetentionPreviewMixin, TenantView):
    capability = "settings"

    @expose("/", methods=["GET", "POST"])
    def index(self):

        company = self.company
        form = CompanySettingsForm(obj=company)
        if request.method == "GET":
            form.retention.data = str(company.retention_months or "")
            form.expiry_notice_days.data = (company.expiry_notice_days or "").replace(",", ", ")
        if request.method == "POST" and request.form.get("action") == "remove_logo":
            remove_company_logo(company)
            db.session.commit()
            flash(_("The logo is removed."), "success")
            return redirect(url_for(".index"))
        if form.validate_on_submit():
            confirm = self.unconfirmed_shortening(company, int(form.retention.data) if form.retention.data else None)
            if confirm:
                flash(_("The retention period gets shorter: confirm it below. Nothing was saved yet."), "warning")
                return self._page(form, company, confirm)
            try:
                update_company_settings(
                    company, current_user, name=form.name.data.strip(), org_number=(form.org_number.data or "").strip(),
                    language=form.language.data, primary_color=form.primary_color.data.lower(),
                    requires_order_approval=form.requires_order_approval.data,
                    local_print_requires_approval=form.local_print_requires_approval.data, reminder_count=form.reminder_count.data,
                    reminder_days=form.reminder_days.data, request_valid_days=form.request_valid_days.data,
                    retention_months=int(form.retention.data) if form.retention.data else None,
                    expiry_notice_days=form.expiry_notice_days.data,
                )
                upload = form.logo.data
                if upload and getattr(upload, "filename", ""):
                    set_company_logo(company, upload.read(), fit=bool(form.fit_logo.data))
            except (SettingsError, ImageRejected) as exc:
                db.session.rollback()
                form.logo.errors = [str(exc)] if isinstance(exc, ImageRejected) else []
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash(_("Settings saved."), "success")
                return redirect(url_for(".index"))
        return self._page(form, company)

    def _page(self, form, company, confirm_retention=None):
        from flask import current_app

        return self.render("admin/company/settings.html", form=form, company=company,
                           surcharge=money(current_app.config["COLOUR_LOGO_SURCHARGE"]),
                           retention_text=preview_text(company, chosen_months_or_saved(company, form.retention.data)),
                           confirm_retention=confirm_retention, approvers=len(approvers_of(company)),
                           min_logo=min_logo_size(),
                           default_notice_days=", ".join(str(d) for d in current_app.config["CARD_EXPIRY_NOTICE_DAYS"]))


class UsersView(TenantView):
    capability = "users"

    @expose("/", methods=["GET", "POST"])
    def index(self):
        company = self.company
        form = InviteUserForm()
        if form.validate_on_submit():
            try:
                invite_user(company, form.email.data, form.name.data, form.role.data, current_user,
                            company.language)
            except InvitationError as exc:
                db.session.rollback()
                form.email.errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("Invitation sent to %(email)s.", email=form.email.data.strip().lower()), "success")
                return redirect(url_for(".index"))
        return self.render("admin/company/users.html", members=members(company), form=form, roles=Role)

    @expose("/<int:membership_id>/change", methods=["POST"])
    def change(self, membership_id: int):
        company = self.company
        self.get_owned(Membership, membership_id)  # another company's member answers 404
        what = request.form.get("what")
        try:
            if what == "role":
                change_role(company, current_user, membership_id, request.form.get("role", ""))
                message = _("Role changed.")
            elif what in ("deactivate", "activate"):
                set_active(company, current_user, membership_id, what == "activate")
                message = _("Access restored.") if what == "activate" else _("Access removed.")
            elif what == "resend":
                resend_invitation(company, current_user, membership_id)
                message = _("Invitation sent again.")
            elif what == "withdraw":
                withdraw_invitation(company, current_user, membership_id)
                message = _("Invitation withdrawn.")
            else:
                abort(400)
        except LookupError:
            abort(404)
        except MembershipError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(message, "success")
        return redirect(url_for(".index"))


class AddressView(TenantModelView):
    save_and_add_another = True  # several addresses are often entered in a row
    created_message = _l("Address %(name)s added.")
    saved_message = _l("Address %(name)s saved.")
    capability = "view"
    edit_capability = "addresses"
    can_view_details = False
    column_list = ["name", "attention", "street", "postcode", "city", "country", "for_collection", "archived"]
    column_labels = {
        "name": _l("Name"), "attention": _l("Attention"), "street": _l("Street address"), "postcode": _l("Postcode"),
        "city": _l("City"), "country": _l("Country"), "for_collection": _l("Data collection address"),
        "archived": _l("Archived"),
    }
    column_searchable_list = ["name", "city", "street"]
    column_default_sort = "name"
    column_formatters = {
        "country": lambda v, c, m, n: dict(COUNTRIES).get(m.country, m.country),
        "for_collection": lambda v, c, m, n: badge(_("Yes"), "success")
        if m.for_collection else "",
        "archived": lambda v, c, m, n: badge(_("Archived"))
        if m.archived else "",
    }
    form_columns = ["name", "attention", "street", "postcode", "city", "country", "for_collection", "archived"]
    form_rules = [FieldSet(("name", "attention", "street", "postcode", "city", "country"), _l("Address")),
                  FieldSet(("for_collection", "archived"), _l("Settings"))]
    form_overrides = {"country": SelectField}
    form_args = {
        "country": {"choices": COUNTRIES, "label": _l("Country")},
        "for_collection": {"label": _l("Data collection address"),
                           "description": _l("Employees may choose this address when they fill in their card data.")},
        "archived": {"label": _l("Archived"), "description": _l("Hidden from every address list, kept for old orders.")},
    }
    empty_hint = _l("No addresses yet. Add the addresses where cards should be delivered.")

    def delete_model(self, model):
        # Orders keep a copy of their address, but cart lines point at it: archive instead of losing them.
        if db.session.scalar(select(exists().where(CartItem.address_id == model.id))):
            model.archived = True
            db.session.commit()
            flash(_("%(name)s is used in a cart, so it is archived instead of deleted.", name=model.name), "info")
            return True
        return super().delete_model(model)

    def is_action_allowed(self, name: str) -> bool:
        # Orderers and viewers read the addresses; only those who may edit them archive or delete.
        return self.may_edit() and super().is_action_allowed(name)

    @action("archive", _l("Archive"), _l("Archive the selected addresses?"))
    def action_archive(self, ids):
        for pk in ids:
            address = self.get_one(pk)
            if address is not None:
                address.archived = True
        db.session.commit()
        flash(_("Archived."), "success")


def register(admin) -> None:
    from admin_views.company_api_keys import ApiKeysView
    from admin_views.company_audit import AuditView
    from portal.audit.models import AuditEvent

    admin.add_view(SettingsView(name=_l("Settings"), category=_l("Company"), endpoint="company_settings",
                                url="/admin/company/settings"))
    admin.add_view(UsersView(name=_l("Users"), category=_l("Company"), endpoint="company_users",
                             url="/admin/company/users"))
    admin.add_view(AddressView(Address, db, name=_l("Addresses"), category=_l("Company"), endpoint="addresses"))
    admin.add_view(AuditView(AuditEvent, db, name=_l("Audit log"), category=_l("Company"), endpoint="audit"))
    admin.add_view(ApiKeysView(name=_l("API keys"), category=_l("Company"), endpoint="company_api_keys",
                               url="/admin/company/api-keys"))
    from admin_views.company_card_fees import CardFeesView
    from admin_views.company_webhooks import WebhooksView

    admin.add_view(CardFeesView(name=_l("Card fees"), category=_l("Company"), endpoint="company_card_fees",
                                url="/admin/company/card-fees"))

    admin.add_view(WebhooksView(name=_l("Webhooks"), category=_l("Company"), endpoint="company_webhooks",
                                url="/admin/company/webhooks"))
    from admin_views.company_privacy import PrivacyView

    admin.add_view(PrivacyView(name=_l("Privacy"), category=_l("Company"), endpoint="company_privacy",
                               url="/admin/company/privacy"))
