"""COLLECT CARD DATA tab: send email requests, download the CSV template, upload a filled file.

Every page works without JavaScript (a textarea of addresses, a plain file input); the page's
script only adds the row list, the paste dialog, drag-and-drop and the upload progress bar.
"""
from __future__ import annotations

import logging
import re
import unicodedata

from flask import Response, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from admin_views.collection_common import (
    back_to,
    chosen_address_id,
    chosen_card_type,
    collection_addresses,
    wants_json,
)
from portal.catalog.layout import field_specs
from portal.catalog.operations import offered_card_types
from portal.collection import operations
from portal.collection.csv_import import CsvFileError, template_csv
from portal.collection.email_list import MAX_ADDRESSES, MAX_LISTED_INVALID, split_email_list
from portal.infra.extensions import db
from portal.infra.formatting import number

log = logging.getLogger(__name__)
MAX_PASTE = 500_000  # characters; about 20,000 addresses, far above any real paste


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "card"


def page_language() -> str:
    """The orderer's language as this page shows it (template headers and import messages follow it)."""
    return get_locale().language if get_locale() else "en"


def _invalid_list(invalid) -> list[dict]:
    return [{"text": item.text, "reason": str(item.reason), "line": item.line} for item in invalid]


def _paste_notice(parsed) -> str:
    """What the caps left out, so the orderer knows to paste the rest or fix the unlisted entries."""
    notes = []
    if parsed.truncated:
        notes.append(_("Only the text before line %(line)d was read (at most %(n)s addresses at a time): "
                       "send these, then paste the rest.", line=parsed.read_to_line, n=number(MAX_ADDRESSES)))
    if parsed.unlisted:
        notes.append(ngettext("%(num)d more entry is not an email address and is not listed.",
                              "%(num)d more entries are not email addresses and are not listed.", parsed.unlisted))
    return " ".join(notes)


class CollectPages:
    """The first tab and its POST targets (mixed into the Data collection view)."""

    def _render_collect(self, company, *, card_type=None, status: int = 200, **extra):
        card_types = offered_card_types(company)
        if card_type is None:
            card_type = chosen_card_type(company, request.values.get("card_type_id")) or (
                card_types[0] if card_types else None
            )
        context = {
            "tab": "collect",
            "counts": self._counts(company),
            "card_types": card_types,
            "card_type": card_type,
            "addresses": collection_addresses(company),
            "emails_text": "",
            "email_address_id": "",
            "file_address_id": "",
            "collect_by_email": "yes",
            "invalid": [],
            "upload_errors": None,
            "file_error": None,
            "upload_filename": "",
            "paste_notice": "",
            "paste_limits": {"addresses": MAX_ADDRESSES, "listed": MAX_LISTED_INVALID},
        }
        context.update(extra)
        return self.render("admin/collection/collect.html", **context), status

    @expose("/")
    def index(self):
        return self._render_collect(self.company)

    @expose("/parse-emails", methods=["POST"])
    def parse_emails(self):
        """Split pasted text into addresses for the page's row list (JSON, CSRF header)."""
        payload = request.get_json(silent=True) or {}
        text = payload.get("text") if isinstance(payload, dict) else None
        if text is None:
            text = request.form.get("text", "")
        if not isinstance(text, str) or len(text) > MAX_PASTE:
            return jsonify({"error": _("The pasted text is too long. Paste at most 20,000 addresses at a time.")}), 400
        result = split_email_list(text)
        return jsonify({
            "valid": [{"email": a.email, "name": a.name or ""} for a in result.valid],
            "invalid": _invalid_list(result.invalid),
            "notice": _paste_notice(result),
        })

    @expose("/send", methods=["POST"])
    def send(self):
        company = self.company
        card_type = chosen_card_type(company, request.form.get("card_type_id"))
        text = request.form.get("emails", "")
        address_id = chosen_address_id(company, request.form.get("address_id"))
        keep = {"emails_text": text, "email_address_id": address_id or ""}
        if card_type is None:
            flash(_("Choose a card type first."), "error")
            return self._render_collect(company, status=400, **keep)
        if len(text) > MAX_PASTE:
            flash(_("The pasted text is too long. Paste at most 20,000 addresses at a time."), "error")
            return self._render_collect(company, card_type=card_type, status=400, **keep)
        parsed = split_email_list(text)
        if not parsed.valid:
            flash(_("Add at least one valid email address."), "error")
            return self._render_collect(
                company, card_type=card_type, status=400, invalid=_invalid_list(parsed.invalid),
                paste_notice=_paste_notice(parsed), **keep
            )
        try:
            created = operations.send_requests(company, current_user, card_type, parsed.valid, address_id=address_id)
        except operations.CollectionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return self._render_collect(company, card_type=card_type, status=400,
                                        invalid=_invalid_list(parsed.invalid), **keep)
        db.session.commit()
        flash(ngettext("%(num)d request sent.", "%(num)d requests sent.", len(created)), "success")
        if parsed.invalid:
            skipped = "; ".join(f"{i['text']}: {i['reason']}" for i in _invalid_list(parsed.invalid))
            flash(_("Not sent to these entries: %(entries)s", entries=skipped), "warning")
        if _paste_notice(parsed):
            flash(_paste_notice(parsed), "warning")
        return back_to("pending")

    @expose("/template")
    def template(self):
        """The CSV template of the chosen card type (UTF-8 with BOM so Excel opens it right)."""
        company = self.company
        card_type = chosen_card_type(company, request.args.get("card_type_id"))
        if card_type is None:
            flash(_("Choose a card type first."), "error")
            return redirect(url_for("collection.index"))
        filename = f"cardwright-{_slug(card_type.name)}-template.csv"
        language = page_language()
        return Response(
            template_csv(field_specs(card_type, language), language),
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
        )

    @expose("/upload", methods=["POST"])
    def upload(self):
        company = self.company
        card_type = chosen_card_type(company, request.form.get("card_type_id"))
        address_id = chosen_address_id(company, request.form.get("address_id"))
        by_email = request.form.get("collect_by_email", "yes") != "no"
        upload = request.files.get("file")
        keep = {"file_address_id": address_id or "", "collect_by_email": "yes" if by_email else "no"}
        problem = None
        if card_type is None:
            problem = _("Choose a card type first.")
        elif upload is None or not upload.filename:
            problem = _("Choose a CSV file to upload.")
        if problem:
            return self._upload_failed(company, card_type, keep, file_error=problem)
        filename = upload.filename[:200]
        try:
            outcome = operations.import_csv(
                company, current_user, card_type, upload.read(),
                collect_by_email=by_email, address_id=address_id, filename=filename, language=page_language(),
            )
            if outcome.errors:
                db.session.rollback()
            else:
                db.session.commit()  # the import is one transaction, committed here once
        except CsvFileError as exc:
            db.session.rollback()
            return self._upload_failed(company, card_type, keep, file_error=str(exc), upload_filename=filename)
        except SQLAlchemyError:
            # The import is one transaction: after the rollback not one row of the file is stored.
            db.session.rollback()
            log.exception("CSV import failed")
            return self._upload_failed(company, card_type, keep, upload_filename=filename, file_error=_(
                "The file could not be saved because of a database problem. Nothing was imported: "
                "upload it again in a moment."))
        if outcome.errors:
            return self._upload_failed(
                company, card_type, keep, upload_errors=outcome.errors, upload_filename=filename
            )
        count = outcome.created if isinstance(outcome.created, int) else len(outcome.created)
        flash(ngettext("%(num)d row imported.", "%(num)d rows imported.", count), "success")
        if by_email:
            flash(_("Each person got an email with a personal link to complete their card."), "info")
        elif card_type.needs_photo:
            flash(ngettext("This card needs a photo before it can go to the cart: add it in In review.",
                           "These %(num)d cards need a photo before they can go to the cart: add each in In review.",
                           count), "warning")
        target = url_for("collection.pending" if by_email else "collection.review")
        if wants_json():
            return jsonify({"ok": True, "redirect": target})
        return redirect(target)

    def _upload_failed(self, company, card_type, keep: dict, **problem):
        """Show the file problem or the row errors; nothing was stored. JSON for the page script."""
        if wants_json():
            html = self.render(
                "admin/collection/_upload_result.html",
                upload_errors=problem.get("upload_errors"), file_error=problem.get("file_error"),
                upload_filename=problem.get("upload_filename", ""),
            )
            return jsonify({"ok": False, "html": html}), 422
        return self._render_collect(company, card_type=card_type, status=422, **keep, **problem)
