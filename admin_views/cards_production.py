"""Screen: the operator's production import (card numbers, chip UIDs and readouts from a CSV file)."""
from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from admin_views.base import SecureView
from portal.cards.models import Card, CardStatus
from portal.cards.production import import_production_file, production_list
from portal.infra.csv_reading import CsvFileError
from portal.infra.extensions import db


def run_csv_import(importer, missing: str):
    """(result, None) of `importer(file bytes, user)` for the uploaded "file", or (None, what to tell)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, missing
    try:
        return importer(upload.read(), current_user), None
    except CsvFileError as exc:
        return None, str(exc)


class ProductionImportView(SecureView):
    operator_only = True

    @expose("/", methods=["GET", "POST"])
    def index(self):
        result, error = None, None
        if request.method == "POST":
            result, error = run_csv_import(import_production_file, _("Choose the production file."))
            if result is not None:
                db.session.commit()
                if result.updated:
                    flash(ngettext("%(num)d card was updated from the production file.",
                                   "%(num)d cards were updated from the production file.", result.updated),
                          "success")
                    return redirect(url_for(".index"))
        waiting = db.session.scalar(select(func.count()).select_from(Card).where(
            Card.status.in_([CardStatus.ORDERED.value, CardStatus.IN_PRODUCTION.value])))
        return self.render("admin/cards/production.html", result=result, error=error, waiting=waiting)

    @expose("/list.csv")
    def production_csv(self):
        return Response(production_list(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=cardwright-production.csv"})


def register_production(admin) -> None:
    admin.add_view(ProductionImportView(name=_l("Production import"), category=_l("Operator"),
                                        endpoint="production", url="/admin/production"))
