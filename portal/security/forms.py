"""Forms for signing in and managing one's own account."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from portal.infra.i18n import language_choices
from portal.security.passwords import MIN_ADMIN_LENGTH as MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(n)d characters. Common passwords and your own names are refused: "
                       "a short sentence works well.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class AccountForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(_l("Language"), choices=lambda: [("", _l("Company default")), *language_choices()])
    current_password = PasswordField(_l("Current password (to change password)"), validators=[Optional(), Length(max=200)])
    new_password = PasswordField(
        _l("New password"), validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(n)d characters. Common passwords and your own names are refused: "
                       "a short sentence works well.", n=MIN_PASSWORD_LENGTH),
    )
