"""The form of a webhook endpoint (Company > Webhooks)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.webhooks.models import EVENTS


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(FlaskForm):
    url = StringField(_l("Endpoint URL"), validators=[DataRequired(), Length(max=2000)],
                      description=_l("The address of your system that receives the events, starting with https://."))
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)],
                              description=_l("What receives the events, for example the access-control system."))
    events = CheckboxesField(_l("Events to send"), choices=[(key, label) for key, label in EVENTS.items()],
                             validate_choice=True)
