"""Screens: the audit logs (who did what, when), read-only, newest first.

A company's log (Company > Audit log) shows the events of that company's rows. The operator's log
(Operator > Audit log) shows what belongs to no company: users, the catalogue, access rights, and
the companies themselves being created or changed. Where an event goes is decided when it is
recorded (portal.audit.listener), never by the company a screen has open.
"""
from __future__ import annotations

from flask_admin.contrib.sqla.filters import BaseSQLAFilter, DateBetweenFilter, FilterEqual
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import or_

from admin_views.base import AppModelView, TenantModelView
from portal.audit.models import AuditEvent
from portal.audit.reads import subject_filter
from portal.infra.extensions import db
from portal.infra.formatting import when
from portal.infra.i18n import language_name, languages
from portal.security.models import ApiKey

ACTIONS = {
    "order.placed": _l("Order placed"), "order.approved": _l("Order approved"), "order.rejected": _l("Order rejected"),
    "order.cancelled": _l("Order cancelled"), "user.invited": _l("User invited"), "user.activated": _l("User joined"),
    "membership.role_changed": _l("Role changed"), "membership.deactivated": _l("Access removed"),
    "membership.activated": _l("Access restored"), "company.created": _l("Company created"),
    "company.settings_updated": _l("Settings changed"), "company.logo_changed": _l("Logo changed"),
    "company.logo_removed": _l("Logo removed"), "address.created": _l("Address added"),
    "address.updated": _l("Address changed"), "address.deleted": _l("Address deleted"),
    "retention.run": _l("Personal data anonymised"), "card.print_queued": _l("Card sent to printer"),
    "card.blocked": _l("Card blocked"), "card.unblocked": _l("Card unblocked"), "card.terminated": _l("Card terminated"),
    "card.change_requested": _l("Card change requested"), "card.change_approved": _l("Card change approved"),
    "card.change_declined": _l("Card change declined"), "printer.created": _l("Printer added"),
    "printer.updated": _l("Printer changed"), "collection.sent": _l("Data requests sent"),
    "collection.imported": _l("Card data imported"), "collection.rejected": _l("Card data sent back"),
    "collection.removed": _l("Data request removed"), "collection.updated": _l("Collected card data changed"), "collection.review_removed": _l("Collected card data removed"),
    "printer.deleted": _l("Printer deleted"), "cards.production_imported": _l("Production data imported"),
    "company.updated": _l("Company settings changed"), "membership.updated": _l("Role changed"),
    "membership.created": _l("Access given"), "membership.deleted": _l("Access removed"),
    "user.created": _l("User account created"), "user.updated": _l("User account changed"),
    "user.deactivated": _l("User account deactivated"),
    "printer.enabled": _l("Printer enabled"), "printer.disabled": _l("Printer disabled"),
    "webhook.secret_rotated": _l("Webhook secret rotated"),
    "webhook_endpoint.enabled": _l("Webhook endpoint switched on"),
    "webhook_endpoint.disabled": _l("Webhook endpoint switched off"),
    "personal_data.card_viewed": _l("Card page viewed"), "personal_data.photo_viewed": _l("Photo viewed"),
    "personal_data.person_viewed": _l("Person's data viewed (Privacy)"),
    "personal_data.exported": _l("Person's data exported"), "privacy.erased": _l("Person's data erased"),
    "card.replacement_requested": _l("Card replacement started"),
    "card.replacement_released": _l("Card replacement given up: the card can be replaced again"),
}

# Kinds of records saved through a model screen ("card_type.updated" -> "Card type changed").
KINDS = {
    "address": _l("Address"), "card_type": _l("Card type"), "layout_field": _l("Field"), "accessory": _l("Accessory"),
    "printer": _l("Printer"), "access_right": _l("Access right"), "company": _l("Company"),
    "customer_request": _l("Customer request"), "webhook_endpoint": _l("Webhook endpoint"),
}

# Verbs for records saved through a model screen ("<model>.created" and so on) without a label above.
_VERBS = {"created": _l("added"), "updated": _l("changed"), "deleted": _l("deleted"),
          "activated": _l("activated"), "deactivated": _l("deactivated")}

FIELDS = {
    "name": _l("Name"), "org_number": _l("Organisation number"), "language": _l("Default language"),
    "primary_color": _l("Primary colour"), "requires_order_approval": _l("Orders need approval"),
    "local_print_requires_approval": _l("Local prints need approval"),
    "reminder_count": _l("Reminders to employees"), "reminder_days": _l("Reminders spread over (days)"),
    "request_valid_days": _l("Personal links work for (days)"), "retention_months": _l("Retention (months)"),
    "role": _l("Role"), "attention": _l("Attention"), "street": _l("Street address"), "postcode": _l("Postcode"),
    "city": _l("City"), "country": _l("Country"), "for_collection": _l("Data collection address"),
    "archived": _l("Archived"), "address": _l("Delivery address"), "first_name": _l("First name"),
    "last_name": _l("Last name"), "active": _l("Active"), "price": _l("Price"), "description": _l("Description"),
    "fee": _l("Card fee"), "fee_period": _l("Fee period"), "vat_rate": _l("VAT (%)"),
    "photo_checks": _l("Check photos"), "expiry_notice_days": _l("Expiry notices (days before)"),
    "email": _l("Email"), "is_operator": _l("Operator"), "kind": _l("Kind"), "company_id": _l("Offered to"),
    "onboarded_on": _l("Customer since"), "status": _l("Status"), "reply": _l("Reply"),
    "url": _l("Endpoint URL"), "events": _l("Events"),
    "backend": _l("Connection"), "location": _l("Location"), "model": _l("Printer model"),
    "target": _l("Queue or folder"), "enabled": _l("Enabled"), "can_view_jobs": _l("View jobs"),
    "can_view_invoices": _l("View invoices"), "can_view_resources": _l("View customer resources"),
    "can_make_requests": _l("Make requests"), "can_view_notes": _l("View notes"), "key": _l("Key"),
    "required": _l("Required"), "position": _l("Position"), "max_length": _l("Maximum length"),
    "options": _l("Choices, one per line"), "photo_width": _l("Photo width (px)"),
    "validity_months": _l("Valid for (months)"), "validity_until_end_date": _l("Valid until the end of the assignment"),
    "photo_height": _l("Photo height (px)"), "scopes": _l("The key may"), "expires_on": _l("Valid until"),
    "revoked_at": _l("Revoked"), "translations": _l("Other languages"),
    "params": _l("Filters and columns"), "schedule": _l("Email it as Excel"), "recipient_ids": _l("Recipients"),
}


def action_label(code: str) -> str:
    if code in ACTIONS:
        return str(ACTIONS[code])
    kind, _sep, verb = code.rpartition(".")
    if verb in _VERBS and kind:
        return f"{KINDS.get(kind) or kind.replace('_', ' ').capitalize()} {_VERBS[verb]}"
    return code


def _field_label(key: str) -> str:
    """The field's name in the reader's language (tests/test_no_english_left.py checks every audited field has one)."""
    if key in FIELDS:
        return str(FIELDS[key])
    if key.startswith("label_") and key[6:] in languages():  # a layout field's label in one language
        return _("Label (%(language)s)", language=language_name(key[6:]))
    return key.replace("_", " ").capitalize()


def _shown(value) -> str:
    if value in (None, ""):
        return "–"
    if value is True or value is False:
        return str(_l("Yes") if value else _l("No"))
    return str(value)


def _changes(view, context, model, name):
    if not model.changes:
        return ""
    rows = Markup("").join(
        Markup("<li><strong>{}</strong>: {} → {}</li>").format(_field_label(k), _shown(v[0]), _shown(v[1]))
        for k, v in model.changes.items() if isinstance(v, list) and len(v) == 2
    )
    return Markup('<ul class="list-unstyled small mb-0">{}</ul>').format(rows)


def _who(event: AuditEvent) -> str:
    """The person, else the API key that acted (by its name), else the system (jobs)."""
    if event.user:
        return event.user.name or event.user.email
    key = db.session.get(ApiKey, event.api_key_id) if event.api_key_id else None  # a page: one read per key
    if key is not None:
        return _("API key: %(name)s", name=key.name)
    return str(_l("System"))


class PersonFilter(BaseSQLAFilter):
    """Events about one person: what was read of their data, their export and erasure (portal.audit.reads)."""

    def apply(self, query, value, alias=None):
        return query.filter(subject_filter(value))

    def operation(self):
        return _l("is")


class AuditView(TenantModelView):
    capability = "settings"
    allow_create = allow_edit = allow_delete = False
    column_list = ["created_at", "user", "action", "summary", "changes"]
    column_details_list = ["created_at", "user", "action", "object_type", "summary", "changes"]
    column_labels = {
        "created_at": _l("When"), "user": _l("Who"), "action": _l("What"), "summary": _l("Details"),
        "object_type": _l("Kind of record"), "changes": _l("Changes (before → after)"),
    }
    column_default_sort = ("created_at", True)
    column_formatters = {
        "created_at": lambda v, c, m, n: when(m.created_at),
        "user": lambda v, c, m, n: _who(m),
        "action": lambda v, c, m, n: action_label(m.action),
        "summary": lambda v, c, m, n: escape(m.summary[:200]),
        "changes": _changes,
    }
    column_filters = [
        FilterEqual(AuditEvent.action, _l("What"), options=[(k, v) for k, v in ACTIONS.items()]),
        DateBetweenFilter(AuditEvent.created_at, _l("When")),
        PersonFilter(AuditEvent.subject, _l("Person (national identity number, email or full name)")),
    ]
    empty_hint = _l("Nothing recorded yet. Every change and order in this company is listed here.")

    def is_accessible(self) -> bool:
        return super().is_accessible() or bool(current_user.is_authenticated and current_user.is_operator)


class OperatorAuditView(AppModelView):
    """Operator > Audit log: events of rows without a company, and of the companies themselves."""

    operator_only = True
    allow_create = allow_edit = allow_delete = False
    column_list = ["created_at", "user", "action", "summary", "changes"]
    column_details_list = AuditView.column_details_list
    column_labels = AuditView.column_labels
    column_default_sort = AuditView.column_default_sort
    column_formatters = AuditView.column_formatters
    column_filters = [DateBetweenFilter(AuditEvent.created_at, _l("When"))]
    empty_hint = _l("Nothing recorded yet. Changes to companies, users, the catalogue and access rights are "
                    "listed here.")

    def get_query(self):
        return super().get_query().filter(or_(AuditEvent.company_id.is_(None), AuditEvent.object_type == "Company"))
