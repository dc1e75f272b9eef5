"""The form a company admin fills to make an API key."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.security.models import ApiScope


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("What uses the key, e.g. \"HR system\" or \"Access control\"."))
    scopes = SelectMultipleField(_l("The key may"), choices=lambda: [(s.value, s.label) for s in ApiScope],
                                 default=["read"], validators=[DataRequired(message=_l("Choose what the key may do."))],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    expires_on = DateField(_l("Valid until"), validators=[Optional()],
                           description=_l("Leave empty for a key that works until it is revoked."))
