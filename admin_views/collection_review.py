"""IN REVIEW tab: collected cards with photo and preview; add to cart, reject, edit, remove.

Photos are served only through `photo`, which checks that the request belongs to the current
company; the page never sees a storage path.
"""
from __future__ import annotations

from flask import abort, flash, jsonify, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from admin_views.card_proof import send_proof
from admin_views.collection_common import back_to, collection_addresses, wants_json
from portal.catalog.layout import data_fields, holder_name, photo_field, read_layout_values, validate_layout_values
from portal.collection import operations, review
from portal.collection.models import CollectionRequest, RequestStatus
from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.images import ImageRejected, min_photo_size
from portal.infra.paging import page_count
from portal.infra.web import field_limits
from portal.ordering.duplicates import same_person_for_many
from portal.printing.operations import enabled_printers
from portal.printing.proof import proof_alt

REASON_MAX = 2000


def _display_value(field, value: str) -> str:
    """A collected value as the orderer should read it (national ids in their usual form)."""
    if value and field.kind == "national_id":
        from portal.infra.national_ids import format_national_id

        try:
            return format_national_id(value)
        except ValueError:
            return value
    return field.shown_value(value or "")  # a choice in the reader's language


def review_rows(card):
    """(label in the current language, display value) for each data field of the card's layout."""
    return [(f.label, _display_value(f, (card.data or {}).get(f.key, ""))) for f in data_fields(card.card_type)]


def _flash_added(added: int, skipped: int, remaining: int) -> None:
    if added:
        flash(ngettext("%(num)d card was added to your cart.", "%(num)d cards were added to your cart.", added),
              "success")
    if skipped:
        flash(ngettext("%(num)d card is not complete (a photo or data is missing) and stays in review.",
                       "%(num)d cards are not complete (a photo or data is missing) and stay in review.",
                       skipped), "warning")
    if remaining:
        flash(ngettext("%(num)d more card waits: press Add all to cart again.",
                       "%(num)d more cards wait: press Add all to cart again.", remaining), "info")
    elif not added and not skipped:
        flash(_("There were no cards to add."), "info")


class ReviewPages:
    """The third tab and its POST targets (mixed into the Data collection view)."""

    def _in_review(self, company, request_id: int):
        found = self.get_owned(CollectionRequest, request_id)
        if found.status != RequestStatus.IN_REVIEW.value:
            flash(_("This card is no longer in review."), "warning")
            return None
        return found

    @expose("/review")
    def review(self):
        company = self.company
        search = request.args.get("q", "").strip()[:100]
        counts = self._counts(company)
        cards, total, page, more = review.review_page(company, search, request.args.get("page", 0, type=int) or 0,
                                                      total=None if search else counts["in_review"])
        same = same_person_for_many(company, current_user, [(("request", r.id), r.card_type, r.data) for r in cards])
        return self.render(
            "admin/collection/review.html",
            tab="review", counts=counts, cards=cards,
            proof_alt=lambda card: proof_alt(company, card.card_type, card.data or {}), total=total, page=page, search=search,
            pages=page_count(total, review.PER_PAGE, page, more, counts["cap"]), per_page=review.PER_PAGE,
            count_cap=counts["cap"],
            missing_photos=review.missing_photo_count(company),
            review_rows=review_rows, holder_name=holder_name, company=company, printers=enabled_printers(company),
            same_person={key[1]: found for key, found in same.items()},
        )

    @expose("/photo/<int:request_id>")
    def photo(self, request_id: int):
        found = self.get_owned(CollectionRequest, request_id)
        if not found.photo_key or not storage.exists(found.photo_key):
            abort(404)
        return storage.send(found.photo_key, mimetype="image/jpeg", max_age=0)

    @expose("/proof/<int:request_id>.webp")
    def proof(self, request_id: int):
        """The collected card as it will print (the same renderer as the print queue)."""
        found = self.get_owned(CollectionRequest, request_id)
        return send_proof(self.company, found.card_type, found.data or {}, photo_key=found.photo_key,
                          size=request.args.get("size", "small"))

    @expose("/review/<int:request_id>/approve", methods=["POST"])
    def approve(self, request_id: int):
        company = self.company
        found = self._in_review(company, request_id)
        if found is not None:
            try:
                operations.approve_to_cart(company, current_user, found.id,
                                           replaces_card_id=request.form.get("replaces_card_id") or None)
            except operations.CollectionError as exc:
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash(_("The card was added to your cart."), "success")
        return back_to("review")

    @expose("/review/<int:request_id>/print", methods=["POST"])
    def print_now(self, request_id: int):
        company = self.company
        found = self._in_review(company, request_id)
        if found is not None:
            try:
                card = operations.print_request_now(company, current_user, found.id,
                                                    request.form.get("printer_id", type=int) or -1)
            except operations.CollectionError as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash(_("The card for %(name)s is being printed.", name=card.holder_name), "success")
        return back_to("review")

    @expose("/review/approve-all", methods=["POST"])
    @field_limits(q=100, after_id=20, added_before=20, skipped_before=20)
    def approve_all(self):
        """Add the next chunk of cards to the cart. The page script calls this until nothing remains and
        shows the progress; without JavaScript each press adds one chunk and says how many are left."""
        company = self.company
        search = request.form.get("q", "").strip()[:100]
        result = review.add_chunk_to_cart(company, current_user, search=search,
                                          after_id=request.form.get("after_id", 0, type=int) or 0)
        db.session.commit()
        added = result.added + max(0, request.form.get("added_before", 0, type=int) or 0)
        skipped = result.skipped + max(0, request.form.get("skipped_before", 0, type=int) or 0)
        if not wants_json() or result.finished:
            _flash_added(added, skipped, result.remaining)
        if wants_json():
            return jsonify({"handled": result.handled, "added": result.added, "skipped": result.skipped,
                            "after_id": result.last_id, "remaining": result.remaining, "finished": result.finished,
                            "redirect": url_for("collection.review", q=search or None)})
        return back_to("review")

    @expose("/review/<int:request_id>/reject", methods=["POST"])
    @field_limits(reason=2000)
    def reject(self, request_id: int):
        company = self.company
        found = self._in_review(company, request_id)
        if found is None:
            return back_to("review")
        reason = request.form.get("reason", "").strip()
        if not reason:
            flash(_("Write a reason so the employee knows what to change. The card was not sent back."), "error")
            return back_to("review")
        operations.reject_request(company, current_user, found.id, reason[:REASON_MAX],
                                  steps=request.form.getlist("change")[:3])
        db.session.commit()
        flash(_("The card was sent back to %(email)s with your reason.", email=found.email or _("the employee")),
              "success")
        return back_to("review")

    @expose("/review/<int:request_id>/remove", methods=["POST"])
    def remove_card(self, request_id: int):
        company = self.company
        found = self._in_review(company, request_id)
        if found is not None:
            operations.remove_from_review(company, found.id)
            db.session.commit()
            flash(_("The card was removed."), "success")
        return back_to("review")

    @expose("/review/<int:request_id>/edit", methods=["GET", "POST"])
    def edit(self, request_id: int):
        company = self.company
        found = self._in_review(company, request_id)
        if found is None:
            return back_to("review")
        fields = data_fields(found.card_type)
        values = dict(found.data or {})
        errors: dict = {}
        address_id = found.address_id
        if request.method == "POST":
            values = read_layout_values(found.card_type, request.form)
            upload = request.files.get("photo")
            raw_address = request.form.get("address_id", "")
            address_id = int(raw_address) if raw_address.isdigit() else None
            if address_id is not None and address_id not in {a.id for a in collection_addresses(company)}:
                abort(404)
            _clean, errors = validate_layout_values(found.card_type, values, country=company.country)
            if not errors and upload is not None and upload.filename:
                try:
                    review.replace_review_photo(company, current_user, found, upload.read())
                except ImageRejected as exc:
                    errors = {"photo": str(exc)}
            if not errors:
                operations.update_request(company, current_user, found.id, values, address_id)
                db.session.commit()
                flash(_("The card data was saved."), "success")
                return back_to("review")
        template = "admin/collection/_edit_form.html" if request.args.get("partial") else "admin/collection/edit.html"
        ct = found.card_type
        return self.render(
            template, tab="review", counts=self._counts(company), card=found, fields=fields, values=values,
            errors=errors, address_id=address_id, addresses=collection_addresses(company),
            photo_field=photo_field(ct), min_photo=min_photo_size((ct.photo_width, ct.photo_height)),
        ), (422 if errors else 200)
