"""PENDING tab: open email requests with search and paging; resend, remove, remind everyone."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import ngettext

from admin_views.collection_common import back_to
from portal.collection import operations
from portal.collection.delivery import link_email_states
from portal.collection.models import REMINDER_GAP, CollectionRequest
from portal.collection.pending import pending_page
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.paging import page_count
from portal.infra.web import page_number

PER_PAGE = 25
SEARCH_MAX = 100


def _page_arg() -> int:
    return page_number(request.args.get("page"))


class PendingPages:
    """The second tab and its POST targets (mixed into the Data collection view)."""

    @expose("/pending")
    def pending(self):
        company = self.company
        search = request.args.get("q", "").strip()[:SEARCH_MAX]
        page = _page_arg()
        counts = self._counts(company)
        if search:  # no count of every match: "next" while there is more
            rows, more = pending_page(company, search, page, PER_PAGE)
            if not rows and page:
                page, (rows, more) = 0, pending_page(company, search, 0, PER_PAGE)
            total = None if more else page * PER_PAGE + len(rows)
            pages = page + (2 if more else 1)
        else:  # the tab's own count is the total (up to the cap; past it, "next" while there are more)
            total = counts["pending"]
            if total <= counts["cap"]:
                page = min(page, max(1, -(-total // PER_PAGE)) - 1)
            rows, more = pending_page(company, "", page, PER_PAGE)
            if not rows and page:
                page, (rows, more) = 0, pending_page(company, "", 0, PER_PAGE)
            pages = page_count(total, PER_PAGE, page, more, counts["cap"])
        return self.render(
            "admin/collection/pending.html",
            tab="pending", counts=counts, rows=rows, total=total, page=page, pages=pages,
            search=search, count_cap=counts["cap"], now=utcnow(), reminder_limit=company.reminder_count,
            delivery=link_email_states(company.id, [r.email for r in rows]),
        )

    @expose("/pending/<int:request_id>/resend", methods=["POST"])
    def resend(self, request_id: int):
        company = self.company
        found = self.get_owned(CollectionRequest, request_id)
        try:
            operations.resend_request(company, found.id)
        except operations.CollectionError as exc:
            flash(str(exc), "warning")
            return back_to("pending")
        db.session.commit()
        flash(_("The request was sent again to %(email)s.", email=found.email), "success")
        return back_to("pending")

    @expose("/pending/<int:request_id>/remove", methods=["POST"])
    def remove(self, request_id: int):
        company = self.company
        found = self.get_owned(CollectionRequest, request_id)
        email = found.email
        try:
            operations.remove_request(company, found.id)
        except operations.CollectionError as exc:
            flash(str(exc), "warning")
            return back_to("pending")
        db.session.commit()
        flash(_("The request to %(email)s was removed. Its link no longer works.", email=email), "success")
        return back_to("pending")

    @expose("/pending/remind-all", methods=["POST"])
    def remind_all(self):
        company = self.company
        reminded = operations.remind_all(company)
        db.session.commit()
        if reminded.sent:
            flash(ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", reminded.sent), "success")
        if reminded.too_soon:
            flash(ngettext("%(num)d person got an email in the last %(hours)d hours and was not reminded again.",
                           "%(num)d people got an email in the last %(hours)d hours and were not reminded again.",
                           reminded.too_soon, hours=REMINDER_GAP // timedelta(hours=1)), "info")
        if not reminded.sent and not reminded.too_soon:
            flash(_("No reminders were sent: there are no open requests."), "info")
        return back_to("pending")
