"""Company > Privacy: the retention period and its runs, the records of processing, and a card holder's
rights: find a person, export what is held about them (ZIP), erase them (after a confirmation).

Identifiers typed into the search are posted, never put into a URL; a person's page is named by the
row they were found by (`/person/card/12`), loaded only from the current company."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import ngettext

from admin_views.base import TenantView
from portal.audit.reads import record_read
from portal.infra.extensions import db
from portal.infra.national_ids import format_national_id
from portal.infra.web import field_limits
from portal.privacy.erasure import erase_person, kept_reasons
from portal.privacy.export import export_zip
from portal.privacy.overview import PERIOD_RULES, last_runs, period_choices, records_of_processing, records_pdf
from portal.privacy.people import KINDS, find_people, footprint, person_by_row


class PrivacyView(TenantView):
    capability = "settings"

    def _person(self, kind: str, row_id: int):
        if kind not in KINDS:
            abort(404)
        person = person_by_row(self.company, kind, row_id)
        if person is None:
            abort(404)
        return person

    @expose("/")
    def index(self):
        company = self.company
        return self.render("admin/company/privacy.html", company=company, periods=period_choices(),
                           rules=PERIOD_RULES, runs=last_runs(company), records=records_of_processing(company))

    @expose("/records.pdf")
    def records(self):
        return Response(records_pdf(self.company), mimetype="application/pdf",
                        headers={"Content-Disposition": 'attachment; filename="records-of-processing.pdf"'})

    @expose("/find", methods=["GET", "POST"])
    @field_limits(q=200)
    def find(self):
        query = request.form.get("q", "").strip() if request.method == "POST" else ""
        people = find_people(self.company, query) if query else []
        return self.render("admin/company/privacy_find.html", query=query, people=people, searched=bool(query),
                           fmt_id=format_national_id)

    @expose("/person/<kind>/<int:row_id>")
    def person(self, kind: str, row_id: int):
        person = self._person(kind, row_id)
        fp = footprint(self.company, person)
        record_read(self.company.id, "personal_data.person_viewed", None, national_id=person.national_id,
                    email=person.email, name=person.name)
        db.session.commit()
        return self.render("admin/company/privacy_person.html", person=person, fp=fp, kept=kept_reasons(fp),
                           fmt_id=format_national_id)

    @expose("/person/<kind>/<int:row_id>/export", methods=["POST"])
    def export(self, kind: str, row_id: int):
        person = self._person(kind, row_id)
        data = export_zip(self.company, footprint(self.company, person))
        db.session.commit()
        return Response(data, mimetype="application/zip",
                        headers={"Content-Disposition": 'attachment; filename="personal-data.zip"'})

    @expose("/person/<kind>/<int:row_id>/erase", methods=["GET", "POST"])
    @field_limits(confirm=10)
    def erase(self, kind: str, row_id: int):
        person = self._person(kind, row_id)
        fp = footprint(self.company, person)
        if request.method == "POST" and request.form.get("confirm") == "erase":
            result = erase_person(self.company, fp)
            db.session.commit()
            flash(ngettext("%(num)d card erased.", "%(num)d cards erased.", result.cards) + " "
                  + ngettext("%(num)d data-collection request erased.", "%(num)d data-collection requests erased.",
                             result.requests), "success")
            for reason in result.kept:
                flash(reason, "info")
            return redirect(url_for(".find"))
        if request.method == "POST":
            flash(_("Tick the box to confirm that this person's data is erased."), "error")
        return self.render("admin/company/privacy_erase.html", person=person, fp=fp, kept=kept_reasons(fp))
