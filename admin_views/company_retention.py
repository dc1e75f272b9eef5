"""Company settings, Personal data: how many orders a retention period would anonymise, shown while the
period is chosen (before saving), and a confirmation before a shorter period is saved."""
from __future__ import annotations

from flask import abort, jsonify, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.retention.operations import preview
from portal.tenancy.models import RETENTION_CHOICES, Company


def chosen_months(value) -> int | None:
    """The period picked in the form ("" is never); LookupError for anything not offered."""
    if value in (None, ""):
        return None
    try:
        months = int(value)
    except (TypeError, ValueError):
        raise LookupError(value) from None
    if months not in RETENTION_CHOICES:
        raise LookupError(value)
    return months


def shortens(company: Company, months: int | None) -> bool:
    """A period that anonymises sooner than the saved one (never counts as the longest)."""
    return months is not None and (company.retention_months is None or months < company.retention_months)


def preview_text(company: Company, months: int | None) -> str:
    if not months:
        return _("Nothing is anonymised automatically.")
    count = preview(company, months=months)
    text = ngettext("%(num)d order would be anonymised by the next run.",
                    "%(num)d orders would be anonymised by the next run.", count)
    if shortens(company, months):
        text += " " + _("The period is shorter than now: you are asked to confirm when you save.")
    return text


class RetentionPreviewMixin:
    """For the settings view: the preview endpoint the page asks as the period changes."""

    @property
    def extra_js(self):
        return [url_for("static", filename="admin/retention.js")]

    @expose("/retention-preview")
    def retention_preview(self):
        company = self.company  # the tenant base (SettingsView) gives the current company
        try:
            months = chosen_months(request.args.get("months"))
        except LookupError:
            abort(400)
        count = preview(company, months=months) if months else 0
        return jsonify({"count": count, "shorter": shortens(company, months), "text": preview_text(company, months)})

    def unconfirmed_shortening(self, company: Company, months: int | None) -> dict | None:
        """What the confirmation shows when the period gets shorter and the form has not confirmed it yet."""
        if not shortens(company, months) or request.form.get("confirm_retention") == str(months):
            return None
        return {"months": months, "count": preview(company, months=months)}
