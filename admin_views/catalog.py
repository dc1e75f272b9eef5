"""Operator screens: Companies, Card types with their layouts, Accessories, All users."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import exists, func, select
from wtforms import EmailField, SelectField, TextAreaField
from wtforms.validators import Email, Length, NumberRange, Optional, ValidationError

from admin_views.base import AppModelView
from admin_views.catalog_languages import (
    MissingTranslationsView,
    language_groups,
    translation_fields,
)
from admin_views.company_audit import OperatorAuditView
from portal.audit.models import AuditEvent
from portal.cards.models import Card
from portal.catalog.models import Accessory, CardKind, CardType, FeePeriod, FieldKind, LayoutField
from portal.catalog.translations import OTHER_LANGUAGES, lines
from portal.infra.extensions import db
from portal.infra.form_limits import TEXT_MAX
from portal.infra.formatting import badge, money, when
from portal.infra.i18n import language_choices, language_name
from portal.infra.national_ids import COUNTRIES
from portal.ordering.models import OrderLine
from portal.tenancy.invitations import invite_user
from portal.tenancy.models import Company, Membership, Role, User, default_retention_for

KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _yes(value) -> Markup | str:
    return badge(_("Yes"), "success") if value else ""


class OperatorView(AppModelView):
    operator_only = True


class CompanyAdminView(OperatorView):
    can_delete = False
    allow_delete = False
    column_list = ["name", "org_number", "language", "members", "cards", "onboarded_on", "active"]
    column_labels = {
        "name": _l("Name"), "org_number": _l("Organisation number"), "language": _l("Language"),
        "members": _l("Users"), "cards": _l("Cards"), "onboarded_on": _l("Customer since"), "active": _l("Active"),
        "retention_months": _l("Anonymise after (months)"), "requires_order_approval": _l("Orders need approval"),
        "first_admin": _l("First admin's email"), "country": _l("Country"),
    }
    column_searchable_list = ["name", "org_number"]
    column_default_sort = "name"
    column_formatters = {
        "language": lambda v, c, m, n: language_name(m.language),
        "members": lambda v, c, m, n: m.member_count,
        "cards": lambda v, c, m, n: m.card_count,
        "active": lambda v, c, m, n: _yes(m.active),
    }
    form_columns = ["name", "org_number", "language", "country", "vat_rate", "onboarded_on", "retention_months",
                    "requires_order_approval", "active", "first_admin"]
    form_overrides = {"language": SelectField, "country": SelectField}
    form_args = {"language": {"choices": language_choices, "label": _l("Language")},
                 "country": {"choices": lambda: [(code, str(name)) for code, name in COUNTRIES.items()],
                             "label": _l("Country")},
                 "vat_rate": {"label": _l("VAT (%)"), "validators": [Optional(), NumberRange(0, 100)],
                              "description": _l("Empty: the rate of the company's country.")},
                 "retention_months": {"description": _l("Empty: never. Set from the onboarding date when left empty "
                                                         "on a new company.")}}
    form_extra_fields = {"first_admin": EmailField(_l("First admin's email"), validators=[Optional(), Email()],
                                                   description=_l("This person gets an invitation as company admin."))}
    empty_hint = _l("No companies yet. Add the first customer company.")

    def get_query(self):
        members = (select(func.count()).where(Membership.company_id == Company.id).correlate(Company)
                   .scalar_subquery().label("member_count"))
        cards = (select(func.count()).where(Card.company_id == Company.id).correlate(Company)
                 .scalar_subquery().label("card_count"))
        return super().get_query().add_columns(members, cards)

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        out = []
        for company, members, cards in rows:  # counts come in the same query: no N+1
            company.member_count, company.card_count = members, cards
            out.append(company)
        return count, out

    def get_one(self, id):
        try:
            return db.session.get(Company, int(id))
        except (TypeError, ValueError):
            return None

    def on_model_change(self, form, model, is_created):
        if is_created and form.retention_months.data is None:
            model.retention_months = default_retention_for(model.onboarded_on or date.today())

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        email = (form.first_admin.data or "").strip() if hasattr(form, "first_admin") else ""
        if email:
            invite_user(model, email, email.split("@")[0], "admin", current_user, model.language)
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=email), "success")


class DeactivateIfOrderedMixin:
    """Catalogue items that were ordered stay for the order history: delete deactivates them."""

    ordered_column = ""  # name of the OrderLine column pointing at this model

    def delete_model(self, model):
        column = getattr(OrderLine, self.ordered_column)
        if db.session.scalar(select(exists().where(column == model.id))):
            model.active = False
            db.session.commit()
            flash(_("%(name)s has been ordered, so it is deactivated instead of deleted.", name=str(model)), "info")
            return True
        return super().delete_model(model)


class CardTypeView(DeactivateIfOrderedMixin, OperatorView):
    save_and_continue = True  # a card type's layout is built in several passes
    ordered_column = "card_type_id"
    column_list = ["name", "kind", "price", "fee", "company", "fields", "active"]
    column_labels = {
        "name": _l("Name"), "kind": _l("Kind"), "price": _l("Price"), "company": _l("Offered to"),
        "fee": _l("Card fee"), "fee_period": _l("Fee period"),
        "fields": _l("Fields"), "active": _l("Active"), "description": _l("Description"),
        "photo_width": _l("Photo width (px)"), "photo_height": _l("Photo height (px)"),
        "validity_months": _l("Valid for (months)"), "validity_until_end_date": _l("Valid until the end of the assignment"),
        "photo_checks": _l("Check photos"),
    }
    column_searchable_list = ["name"]
    column_formatters = {
        "name": lambda v, c, m, n: m.display_name,
        "kind": lambda v, c, m, n: CardKind.label_of(m.kind),
        "price": lambda v, c, m, n: money(m.price),
        "fee": lambda v, c, m, n: f"{money(m.fee)} {FeePeriod.label_of(m.fee_period)}" if m.fee_period else "",
        "company": lambda v, c, m, n: m.company.name if m.company else _("All companies"),
        "fields": lambda v, c, m, n: ", ".join(f.label for f in m.fields),
        "active": lambda v, c, m, n: _yes(m.active),
    }
    # The name and description in every language, grouped by language (English required, the rest optional).
    form_extra_fields = translation_fields({"name": (_l("Name"), False), "description": (_l("Description"), True)})
    form_columns = ["name", "kind", "description", "price", "fee", "fee_period", "company", "photo_width",
                    "photo_height", "photo_checks", "validity_months", "validity_until_end_date", "active", "fields",
                    *form_extra_fields]
    form_rules = [language_groups(("name", "description")), "kind", "price", "fee", "fee_period", "company",
                  "photo_width", "photo_height", "photo_checks", "validity_months", "validity_until_end_date",
                  "active", "fields"]
    form_overrides = {"kind": SelectField, "fee_period": SelectField}
    form_args = {
        "photo_checks": {"description": _l(
            "Find the face, frame it like an ID photo and warn about dark, blurred or tilted photos. Turn off when "
            "the card's photo is not a face (a key fob, a badge with a logo).")},
        "kind": {"choices": CardKind.choices(), "label": _l("Kind")},
        "fee": {"label": _l("Card fee"), "validators": [Optional(), NumberRange(0, 1_000_000)],
                "description": _l("Charged per active card, excluding VAT (Company > Card fees).")},
        "fee_period": {"choices": FeePeriod.choices(), "label": _l("Fee period")},
        "company": {"label": _l("Offered to"), "description": _l("Empty: every company.")},
        "validity_months": {"label": _l("Valid for (months)"), "validators": [Optional(), NumberRange(1, 240)],
                            "description": _l("Empty: the card is valid until it is blocked or terminated.")},
        "validity_until_end_date": {"label": _l("Valid until the end of the assignment"),
                                    "description": _l("ID06-style: the orderer enters the last day of the "
                                                      "employment or assignment when ordering.")},
    }
    _field_translations = translation_fields({"label": (_l("Label"), False),
                                              "options": (_l("Choices, one per line"), True,
                                                          _l("In the same order as the English choices.")),
                                              })
    inline_models = [(LayoutField, {
        "form_columns": ["id", "key", "label_en", "kind", "required", "position", "max_length", "options",
                         *_field_translations],
        "form_overrides": {"kind": SelectField, "options": TextAreaField},
        "form_extra_fields": _field_translations,
        "form_rules": ["key", "kind", "required", "position", "max_length",
                       language_groups(("label_en", "options"), ("label", "options"))],
        "form_args": {
            "kind": {"choices": FieldKind.choices(), "label": _l("Kind")},
            "key": {"label": _l("Key"), "description": _l("Lower-case letters, digits and _ (used in CSV files).")},
            "label_en": {"label": _l("Label")},
            # Inline forms are not built by scaffold_form, so their text limit is declared here.
            "options": {"label": _l("Choices, one per line"), "validators": [Length(max=TEXT_MAX)]},
            "max_length": {"label": _l("Maximum length")},
            "position": {"label": _l("Position")}, "required": {"label": _l("Required")},
        },
    })]
    empty_hint = _l("No card types yet. Add a card type and the fields its layout needs.")

    def get_query(self):
        from sqlalchemy.orm import selectinload

        return super().get_query().options(selectinload(CardType.fields))

    def on_model_change(self, form, model, is_created):
        model.fee = model.fee or Decimal("0")  # empty: no fee
        seen = set()
        for f in model.fields:
            if not KEY.match(f.key or ""):
                raise ValidationError(_("Field key %(key)s: use lower-case letters, digits and _.", key=f.key))
            if f.key in seen:
                raise ValidationError(_("Two fields have the key %(key)s.", key=f.key))
            seen.add(f.key)
            if f.kind == "choice" and not f.option_list:
                raise ValidationError(_("The choice field %(key)s needs its choices, one per line.", key=f.key))
            for lang in OTHER_LANGUAGES:
                translated = lines(f.translation(lang, "options"))
                if translated and len(translated) != len(f.option_list):
                    raise ValidationError(_("Field %(key)s: the choices in %(language)s must be as many as the "
                                            "English ones (%(n)d), in the same order.", key=f.key,
                                            language=language_name(lang), n=len(f.option_list)))
        if model.price is not None and model.price < 0:
            raise ValidationError(_("The price cannot be negative."))



class AccessoryView(DeactivateIfOrderedMixin, OperatorView):
    save_and_add_another = True  # the catalogue's accessories are entered in a row
    ordered_column = "accessory_id"
    column_list = ["name", "description", "price", "active"]
    column_labels = {"name": _l("Name"), "description": _l("Description"), "price": _l("Price"), "active": _l("Active")}
    column_formatters = {"name": lambda v, c, m, n: m.display_name,
                         "description": lambda v, c, m, n: m.display_description,
                         "price": lambda v, c, m, n: money(m.price),
                         "active": lambda v, c, m, n: _yes(m.active)}
    form_extra_fields = translation_fields({"name": (_l("Name"), False), "description": (_l("Description"), True)})
    form_columns = ["name", "description", "price", "active", *form_extra_fields]
    form_rules = [language_groups(("name", "description")), "price", "active"]
    empty_hint = _l("No accessories yet. Add card holders, lanyards and the like.")

    def on_model_change(self, form, model, is_created):
        if model.price is not None and model.price < 0:
            raise ValidationError(_("The price cannot be negative."))



class AllUsersView(OperatorView):
    can_create = False
    allow_create = False
    allow_delete = False
    column_list = ["name", "email", "memberships", "is_operator", "active", "last_login_at"]
    column_details_list = column_list
    column_export_list = ["name", "email", "is_operator", "active", "last_login_at"]
    can_export = True
    column_labels = {"name": _l("Name"), "email": _l("Email"), "memberships": _l("Companies"),
                     "is_operator": _l("Operator"), "active": _l("Active"), "last_login_at": _l("Last sign-in")}
    column_searchable_list = ["name", "email"]
    column_formatters = {
        "memberships": lambda v, c, m, n: ", ".join(f"{ms.company.name} ({Role.label_of(ms.role)})"
                                                    for ms in m.memberships),
        "last_login_at": lambda v, c, m, n: when(m.last_login_at),
        "is_operator": lambda v, c, m, n: _yes(m.is_operator), "active": lambda v, c, m, n: _yes(m.active),
    }
    form_columns = ["name", "active", "is_operator"]  # never the password hash

    def get_query(self):
        from sqlalchemy.orm import selectinload

        return super().get_query().options(selectinload(User.memberships).joinedload(Membership.company))


def register(admin) -> None:
    cat = _l("Operator")
    admin.add_view(CompanyAdminView(Company, db, name=_l("Companies"), category=cat, endpoint="op_companies"))
    admin.add_view(CardTypeView(CardType, db, name=_l("Card types"), category=cat, endpoint="op_card_types"))
    admin.add_view(AccessoryView(Accessory, db, name=_l("Accessories"), category=cat, endpoint="op_accessories"))
    admin.add_view(MissingTranslationsView(name=_l("Missing translations"), category=cat,
                                           endpoint="op_translations"))
    admin.add_view(AllUsersView(User, db, name=_l("All users"), category=cat, endpoint="op_users"))
    admin.add_view(OperatorAuditView(AuditEvent, db, name=_l("Audit log"), category=cat, endpoint="op_audit"))
