"""Company settings: profile, look and feel, logo, ordering and data-collection rules, retention."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.images import normalise_logo
from portal.tenancy.models import RETENTION_CHOICES, Company, User, default_retention_for
from portal.tenancy.signals import announce

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
EDITABLE = ("name", "org_number", "language", "primary_color", "requires_order_approval",
            "local_print_requires_approval", "reminder_count", "reminder_days", "request_valid_days", "retention_months",
            "expiry_notice_days")
MAX_NOTICES, MAX_NOTICE_DAYS = 3, 365


class SettingsError(ValueError):
    pass


def create_company(name: str, org_number: str = "", language: str = "sv", onboarded_on: date | None = None,
                   **extra) -> Company:
    """A new company with the retention default of its onboarding date (none before 2024-08-12)."""
    onboarded_on = onboarded_on or date.today()
    company = Company(name=name.strip(), org_number=(org_number or "").strip(), language=language,
                      onboarded_on=onboarded_on, retention_months=default_retention_for(onboarded_on), **extra)
    db.session.add(company)
    db.session.flush()  # audited by the listener as company.created
    return company


def parse_notice_days(text: str | None) -> str | None:
    """The expiry notices as typed ("30, 7") as stored ("30,7", largest first); None for empty (the default).
    SettingsError says what is wrong: not whole days, more than three, or not between 1 and 365."""
    parts = [p for p in (text or "").replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts:
        return None
    if not all(p.isascii() and p.isdigit() for p in parts):
        raise SettingsError(_l("Write whole days separated by commas, for example 30, 7."))
    days = sorted({int(p) for p in parts}, reverse=True)
    if len(days) > MAX_NOTICES:
        raise SettingsError(_l("At most %(num)d notices, for example 60, 30, 7.", num=MAX_NOTICES))
    if not all(0 < d <= MAX_NOTICE_DAYS for d in days):
        raise SettingsError(_l("Each notice is between 1 and %(max)d days before the card's last valid day.",
                               max=MAX_NOTICE_DAYS))
    return ",".join(str(d) for d in days)


def update_company_settings(company: Company, user: User | None, **values) -> dict:
    """Apply the changed settings; the audit listener records each with before and after. Returns the changes."""
    if "primary_color" in values and not HEX_COLOUR.match(values["primary_color"] or ""):
        raise SettingsError(_l("Write the colour as #RRGGBB, for example #0b5394."))
    if "retention_months" in values and values["retention_months"] not in RETENTION_CHOICES:
        raise SettingsError(_l("Choose one of the offered retention periods."))
    if "name" in values and not (values["name"] or "").strip():
        raise SettingsError(_l("The company needs a name."))
    for key, low, high in (("reminder_count", 0, 5), ("reminder_days", 1, 60), ("request_valid_days", 1, 90)):
        if key in values and not (low <= int(values[key]) <= high):
            raise SettingsError(_l("%(field)s must be between %(low)d and %(high)d.", field=key, low=low, high=high))
    if "expiry_notice_days" in values:
        values["expiry_notice_days"] = parse_notice_days(values["expiry_notice_days"])
    changes = {}
    for key in EDITABLE:
        if key in values and getattr(company, key) != values[key]:
            changes[key] = (getattr(company, key), values[key])
            setattr(company, key, values[key])
    return changes


def set_company_logo(company: Company, data: bytes, *, fit: bool = False) -> bool:
    """Normalise to exactly 354x118 and store; returns whether it counts as a colour logo.

    A logo too small to print sharp is refused; one of other proportions only when ``fit`` is asked for
    (it is then padded with empty space), so nobody's logo is shrunk into a corner without their word."""
    png, is_colour = normalise_logo(data, fit=fit)
    old = company.logo_key
    company.logo_key = storage.save(png, "logos", "png")
    company.logo_is_colour = is_colour
    announce("company.logo_changed", company_id=company.id, obj=company,
           summary="colour logo" if is_colour else "greyscale logo")
    storage.delete(old)
    return is_colour


def remove_company_logo(company: Company) -> None:
    storage.delete(company.logo_key)
    company.logo_key = None
    company.logo_is_colour = False
    announce("company.logo_removed", company_id=company.id, obj=company, summary=company.name)
