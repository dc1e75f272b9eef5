"""Maximum lengths of form fields, enforced by the server for every POST.

WTForms forms carry `Length` validators (model screens get one on every text field from the base
view). Views that read `request.form` directly declare their fields' limits here, per endpoint, and
every other value is held to TEXT_MAX. Templates show the same numbers as `maxlength`, so a person
typing never meets this; a request that goes past a limit gets a clear page and nothing is stored.
"""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

TEXT_MAX = 10_000
# Pasted email lists (up to 5,000 addresses; the splitter stops there).
LONG_FIELDS = {"emails": 500_000, "text": 500_000}

RAW_FORM_LIMITS: dict[str, dict[str, int]] = {
    "cart.checkout": {"reference": 120, "cost_centre": 60, "note": 2000},
    "approvals.decide": {"reason": 2000},
    "cards.status": {"reason": 2000},
    "cards.bulk": {"reason": 2000},
    "cards.change": {"holder_email": 254},
    "cards.production": {"card_number": 40, "chip_uid": 40, "readout_key": 40, "readout_value": 200},
    "collection.reject": {"reason": 2000},
    "portal_resources.folder": {"name": 120},
    "portal_resources.rename": {"name": 200},
    "portal_accounts.save": {"username": 80, "email": 254, "password": 200},
    "customer.requests_": {"subject": 200, "notes": 10_000},
    "customer.forgot": {"name": 254},
    "customer.login": {"username": 80, "password": 200},
    "customer.password": {"current": 200, "password": 200, "confirm": 200},
    "customer.set_password": {"password": 200, "confirm": 200},
}


class FieldTooLong(BadRequest):
    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit


def limit_for(endpoint: str | None, name: str) -> int:
    declared = RAW_FORM_LIMITS.get(endpoint or "", {})
    return declared.get(name) or LONG_FIELDS.get(name) or TEXT_MAX


def init_form_limits(app: Flask) -> None:
    @app.before_request
    def _refuse_overlong_fields():
        if request.method != "POST" or not request.form:
            return
        for name, values in request.form.lists():
            limit = limit_for(request.endpoint, name)
            if any(len(v) > limit for v in values):
                raise FieldTooLong(limit)

    @app.errorhandler(FieldTooLong)
    def _too_long(exc: FieldTooLong):
        from portal.app_setup import use_page_language

        use_page_language()
        return render_template("error.html", title=_("A field is too long"), message=_(
            "One of the fields has more than %(n)d characters. Go back, shorten it and send the form again.",
            n=exc.limit)), 400
