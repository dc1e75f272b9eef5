"""Maximum lengths of form fields, enforced by the server for every POST.

WTForms forms carry `Length` validators (model screens get one on every text field from the base
view). Views that read `request.form` directly declare their fields' limits with
`@field_limits(...)` (portal.infra.web), and every other value is held to TEXT_MAX. Templates show the
same numbers as `maxlength`, so a person typing never meets this; a request that goes past a limit
gets a clear page and nothing is stored.
"""
from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from portal.infra.web import error_page, page_mark

TEXT_MAX = 10_000
# Pasted email lists (up to 5,000 addresses; the splitter stops there).
LONG_FIELDS = {"emails": 500_000, "text": 500_000}


class FieldTooLong(BadRequest):
    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit


def limit_for(name: str) -> int:
    declared = page_mark("field_limits", {})
    return declared.get(name) or LONG_FIELDS.get(name) or TEXT_MAX


def init_form_limits(app: Flask) -> None:
    @app.before_request
    def _refuse_overlong_fields():
        if request.method != "POST" or not request.form:
            return
        for name, values in request.form.lists():
            limit = limit_for(name)
            if any(len(v) > limit for v in values):
                raise FieldTooLong(limit)

    @app.errorhandler(FieldTooLong)
    def _too_long(exc: FieldTooLong):
        return error_page(400, _("A field is too long"), _(
            "One of the fields has more than %(n)d characters. Go back, shorten it and send the form again.",
            n=exc.limit))
