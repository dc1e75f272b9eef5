"""Forms of the company admin's screens."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from portal.infra.i18n import language_choices
from portal.tenancy.models import Role
from portal.tenancy.settings import SettingsError, parse_notice_days

RETENTION_OPTIONS = [("", _l("Never (keep until deleted by hand)")), ("3", _l("3 months")), ("6", _l("6 months")),
                     ("12", _l("12 months")), ("24", _l("24 months")), ("36", _l("36 months"))]


def _notice_days(form, field) -> None:
    try:
        parse_notice_days(field.data)
    except SettingsError as exc:
        raise ValidationError(str(exc)) from None


class CompanySettingsForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    org_number = StringField(_l("Organisation number"), validators=[Optional(), Length(max=32)])
    language = SelectField(_l("Default language"), choices=language_choices)
    primary_color = StringField(_l("Primary colour"), validators=[
        DataRequired(), Length(max=7), Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Write the colour as #RRGGBB."))])
    logo = FileField(_l("Logo"), description=_l("PNG, JPEG or WebP. It is fitted to 354 × 118 pixels."))
    fit_logo = BooleanField(_l("Fit the logo to the frame: keep its proportions and leave empty space around it"))
    requires_order_approval = BooleanField(_l("Orders need an approver's approval before production"))
    local_print_requires_approval = BooleanField(
        _l("Cards printed on our own printers need approval too"),
        description=_l("With order approval on, only approvers may print a card locally (Print now, Print again)."))
    reminder_count = IntegerField(_l("Reminders to employees"), validators=[NumberRange(0, 5)])
    reminder_days = IntegerField(_l("…spread over (days)"), validators=[NumberRange(1, 60)])
    request_valid_days = IntegerField(_l("Personal links work for (days)"), validators=[NumberRange(1, 90)])
    retention = SelectField(_l("Anonymise personal data of orders after"), choices=RETENTION_OPTIONS)
    expiry_notice_days = StringField(_l("Tell orderers before their cards expire (days before)"),
                                     validators=[Optional(), Length(max=20), _notice_days])


class InviteUserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(message=_l("Not a valid email address.")),
                                                Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=Role.choices())
