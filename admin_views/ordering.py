"""Screens: Order cards (cards and accessories), Cart and checkout. Order history is in ordering_history."""
from __future__ import annotations

import logging

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from admin_views.base import TenantView
from admin_views.card_proof import send_proof
from admin_views.ordering_forms import keep_photo_token, kept_photo_key, read_card_form
from portal.catalog.layout import data_fields, photo_field, read_layout_values, validate_layout_values
from portal.catalog.models import Accessory
from portal.catalog.operations import offered_card_types
from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.photo_assistant import finding_messages
from portal.infra.web import field_limits
from portal.ordering.checkout import CartAlreadyOrdered, checkout_key, order_for_checkout_key, place_order
from portal.ordering.duplicates import cart_same_person, same_person_for
from portal.ordering.models import CartItem
from portal.ordering.operations import (
    OrderingError,
    active_addresses,
    add_accessory_to_cart,
    add_card_to_cart,
    card_type_for,
    cart_summary,
    clear_cart,
    end_of_assignment,
    remove_cart_item,
    set_replacement,
    update_accessory_quantity,
    update_cart_card,
)
from portal.printing.proof import PROOF_PHOTO_BYTES, proof_alt

log = logging.getLogger(__name__)


def _int(value, default=0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default



def _flash_findings(findings: list[str]) -> None:
    """The photo assistant's findings on the photo just added (the cart shows them too)."""
    if findings:
        flash(f"{_('Check the photo')}: {' '.join(finding_messages(findings))}", "warning")

class OrderCardsView(TenantView):
    capability = "order"

    @property
    def extra_js(self):
        return [url_for("static", filename="admin/live_proof.js")]

    def _printers(self, company):
        from portal.printing.operations import enabled_printers

        return enabled_printers(company)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        company = self.company
        card_types = offered_card_types(company)
        chosen = None
        if request.values.get("card_type"):
            try:
                chosen = card_type_for(company, request.values.get("card_type"))
            except OrderingError:
                abort(404)
        values, errors, photo_key, same, findings = {}, {}, None, None, []
        if request.method == "POST" and chosen is not None:
            values, photo_key, errors, findings = read_card_form(chosen, request.form, request.files)
            clean, field_errors = validate_layout_values(chosen, values, country=company.country)
            errors = {**field_errors, **errors}
            action = request.form.get("action") or request.form.get("duplicate_action")
            choice = request.form.get("duplicate_choice", "")
            if not errors and not choice:
                same = same_person_for(company, current_user, chosen, clean)
            if same:
                flash(_("This person already has a card: replace it, or order an additional card."), "warning")
            elif not errors:
                replaces = choice.removeprefix("replace:") if choice.startswith("replace:") else None
                try:
                    if action == "print":
                        return self._print_now(company, chosen, clean, photo_key, replaces)
                    add_card_to_cart(company, current_user, chosen, clean, photo_key,
                                     address_id=request.form.get("address_id") or None, replaces_card_id=replaces,
                                     valid_until=request.form.get("valid_until"), photo_findings=findings)
                except OrderingError as exc:
                    flash(str(exc), "error")
                else:
                    db.session.commit()
                    flash(_("The card for %(name)s is in your cart.", name=" ".join(
                        v for k, v in clean.items() if k in ("first_name", "last_name")) or chosen.name), "success")
                    _flash_findings(findings)
                    return redirect(url_for(".index", card_type=chosen.id))
            else:
                flash(_("Please correct the marked fields."), "error")
        return self.render(
            "admin/ordering/order_cards.html", card_types=card_types, chosen=chosen, values=values, errors=errors,
            fields=data_fields(chosen) if chosen else [], photo=photo_field(chosen) if chosen else None,
            photo_token=keep_photo_token(photo_key, findings) if photo_key else "", photo_findings=findings, addresses=active_addresses(company),
            printers=self._printers(company) if chosen else [], tab="cards", same_person=same,
            proof_alt=proof_alt(company, chosen, values) if chosen else "",
        )

    def _print_now(self, company, card_type, clean, photo_key, replaces=None):
        from portal.cards.duplicates import NotReplaceable, replace_with
        from portal.cards.replacement import set_valid_until
        from portal.printing.operations import PrintError, print_now

        try:
            end = end_of_assignment(card_type, request.form.get("valid_until"))
            card, _job = print_now(company, current_user, card_type, clean, photo_key,
                                   _int(request.form.get("printer_id"), -1))
            if end:
                set_valid_until(card, end)
            if replaces:
                replace_with(company, card, replaces)
        except (PrintError, NotReplaceable, OrderingError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".index", card_type=card_type.id))
        db.session.commit()
        flash(_("The card for %(name)s is being printed.", name=card.holder_name), "success")
        return redirect(url_for(".index", card_type=card_type.id))

    @expose("/proof", methods=["POST"])
    def proof(self):
        """The live proof of the order form: the card as it prints for the values typed so far (WebP)."""
        company = self.company
        try:
            chosen = card_type_for(company, request.form.get("card_type"))
        except OrderingError:
            abort(404)
        upload = request.files.get("photo")
        photo = upload.read(PROOF_PHOTO_BYTES + 1) if upload and upload.filename else None
        values = read_layout_values(chosen, request.form)
        return send_proof(company, chosen, values, photo=photo,
                          photo_key=None if photo else kept_photo_key(request.form.get("photo_token")), size="medium")

    @expose("/accessories", methods=["GET", "POST"])
    def accessories(self):
        company = self.company
        if request.method == "POST":
            try:
                item = add_accessory_to_cart(company, current_user, request.form.get("accessory_id"),
                                             _int(request.form.get("quantity")))
            except OrderingError as exc:
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash(_("%(n)d × %(name)s added to your cart.", n=_int(request.form.get("quantity")),
                        name=item.accessory.display_name), "success")
            return redirect(url_for(".accessories"))
        items = db.session.scalars(select(Accessory).where(Accessory.active.is_(True)).order_by(Accessory.name)).all()
        return self.render("admin/ordering/accessories.html", accessories=items, tab="accessories")


class CartView(TenantView):
    capability = "order"

    def is_visible(self) -> bool:
        return False  # reached from the cart link in the top bar

    def _item(self, item_id) -> CartItem:
        """A line of the user's own cart in the current company; 404 for anyone else's."""
        item = self.get_owned(CartItem, item_id)
        if item.user_id != current_user.id:
            abort(404)
        return item

    @expose("/")
    def index(self):
        company = self.company
        summary = cart_summary(company, current_user)
        return self.render("admin/ordering/cart.html", summary=summary, addresses=active_addresses(company),
                           same_person=cart_same_person(company, current_user, summary),
                           proof_alt=lambda item: proof_alt(company, item.card_type, item.holder_data or {}))

    @expose("/item/<int:item_id>/replace", methods=["POST"])
    def replace(self, item_id: int):
        """The card in the cart replaces an active card of the same person (or, with no card, not any more)."""
        company = self.company
        try:
            item = set_replacement(company, current_user, item_id, request.form.get("card_id") or None)
        except LookupError:
            abort(404)
        except OrderingError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".index"))
        db.session.commit()
        flash(_("The new card replaces the old one: the old card is blocked when the new one is active.")
              if item.replaces_card_id else _("The new card no longer replaces another card."), "success")
        return redirect(url_for(".index"))

    @expose("/item/<int:item_id>/edit", methods=["GET", "POST"])
    def edit(self, item_id: int):
        company = self.company
        item = self._item(item_id)
        if item.card_type is None:
            abort(404)
        ct = item.card_type
        values, errors = dict(item.holder_data), {}
        if request.method == "POST":
            values, photo_key, errors, findings = read_card_form(ct, request.form, request.files)
            upload = request.files.get("photo")
            if item.photo_key and photo_field(ct) and not (upload and upload.filename):
                errors.pop(photo_field(ct).key, None)  # no new file: keeping the old photo is fine
            errors = {**validate_layout_values(ct, values, country=company.country)[1], **errors}
            if errors:
                flash(_("Please correct the marked fields."), "error")
            else:
                try:
                    update_cart_card(company, current_user, item.id, values, photo_key,
                                     request.form.get("address_id") or None, photo_findings=findings)
                except OrderingError as exc:
                    flash(str(exc), "error")
                else:
                    db.session.commit()
                    flash(_("Card updated."), "success")
                    _flash_findings(findings)
                    return redirect(url_for(".index"))
        return self.render("admin/ordering/cart_edit.html", item=item, chosen=ct, values=values, errors=errors,
                           fields=data_fields(ct), photo=photo_field(ct), addresses=active_addresses(company),
                           photo_token="")

    @expose("/item/<int:item_id>/quantity", methods=["POST"])
    def quantity(self, item_id: int):
        company = self.company
        try:
            update_accessory_quantity(company, current_user, item_id, _int(request.form.get("quantity")))
        except LookupError:
            abort(404)
        except OrderingError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".index"))
        db.session.commit()
        return redirect(url_for(".index"))

    @expose("/item/<int:item_id>/remove", methods=["GET", "POST"])
    def remove(self, item_id: int):
        company = self.company
        if request.method == "GET":  # a card from data collection: offer to put it back in review
            item = self._item(item_id)
            if not item.collection_request_id:
                return redirect(url_for(".index"))
            return self.render("admin/ordering/cart_remove.html", items=_named([item]), clear=False)
        back = request.form.get("back_to_review") == "1"
        try:
            remove_cart_item(company, current_user, item_id, back_to_review=back)
        except LookupError:
            abort(404)
        db.session.commit()
        flash(_("The card is back in In review.") if back else _("Removed from your cart."), "success")
        return redirect(url_for(".index"))

    @expose("/clear", methods=["GET", "POST"])
    def clear(self):
        company = self.company
        if request.method == "GET":
            collected = [line.item for line in cart_summary(company, current_user).cards
                         if line.item.collection_request_id]
            if not collected:
                return redirect(url_for(".index"))
            return self.render("admin/ordering/cart_remove.html", items=_named(collected), clear=True)
        n = clear_cart(company, current_user, back_to_review=request.form.get("back_to_review") == "1")
        db.session.commit()
        flash(ngettext("Your cart is empty (%(num)d line removed).", "Your cart is empty (%(num)d lines removed).", n), "success")
        return redirect(url_for(".index"))

    @expose("/proof/<int:item_id>.webp")
    def proof(self, item_id: int):
        item = self._item(item_id)
        if item.card_type is None:
            abort(404)
        return send_proof(self.company, item.card_type, item.holder_data or {}, photo_key=item.photo_key,
                          size=request.args.get("size", "small"))

    @expose("/photo/<int:item_id>.jpg")
    def photo(self, item_id: int):
        item = self._item(item_id)
        return storage.send(item.photo_key, mimetype="image/jpeg", max_age=0)

    @expose("/checkout", methods=["GET", "POST"])
    @field_limits(reference=120, cost_centre=60, note=2000, checkout_key=64)
    def checkout(self):
        company = self.company
        form, status = request.form, 200
        key = form.get("checkout_key") if request.method == "POST" else None
        earlier = order_for_checkout_key(company, current_user, key)
        if earlier is not None:  # this cart was ordered already (another tab, a second click)
            return self.render("admin/ordering/already_ordered.html", order=earlier), 409
        summary = cart_summary(company, current_user)
        if summary.empty:
            return redirect(url_for(".index"))
        if request.method == "POST":
            address_id = form.get("address_id") or None
            if address_id == "own":
                address_id = None
            if address_id is not None and not any(str(a.id) == address_id for a in active_addresses(company)):
                abort(404)  # another company's (or a made-up) address id looks like a missing one
            try:
                order = place_order(company, current_user, address_id=address_id, cost_centre=form.get("cost_centre", ""),
                                    reference=form.get("reference", ""), note=form.get("note", ""), key=key)
                db.session.commit()
            except CartAlreadyOrdered as exc:
                db.session.rollback()
                return self.render("admin/ordering/already_ordered.html",
                                   order=exc.order or order_for_checkout_key(company, current_user, key)), 409
            except OrderingError as exc:
                db.session.rollback()
                flash(str(exc), "error")
            except SQLAlchemyError:
                # One transaction: the rollback leaves no order, no cards and the cart as it was.
                db.session.rollback()
                earlier = order_for_checkout_key(company, current_user, key)
                if earlier is not None:  # the other checkout of this cart won the race
                    return self.render("admin/ordering/already_ordered.html", order=earlier), 409
                log.exception("checkout failed")
                flash(_("Your order could not be saved because of a database problem. Nothing was ordered and "
                        "your cart is unchanged: try again in a moment."), "error")
                summary, status = cart_summary(company, current_user), 503
            else:
                return render_template_done(self, order)
        return self.render("admin/ordering/checkout.html", summary=summary, addresses=active_addresses(company),
                           form=form, checkout_key=checkout_key(company, current_user, summary),
                           same_person=cart_same_person(company, current_user, summary), page_title=_("Checkout")), status


def _named(items) -> list[tuple]:
    """(cart item, holder's name) pairs for the put-back-in-review offer."""
    from portal.catalog.layout import holder_name

    return [(item, holder_name(item.card_type, item.holder_data)) for item in items]


def render_template_done(view, order):
    return view.render("admin/ordering/placed.html", order=order)


def register(admin) -> None:
    from admin_views.ordering_history import ApprovalsView, OrdersView
    from admin_views.ordering_shipping import register_shipping
    from portal.ordering.models import Order

    admin.add_view(OrderCardsView(name=_l("Order cards"), category=_l("Orders"), endpoint="order_cards",
                                  url="/admin/order-cards"))
    admin.add_view(CartView(name=_l("Cart"), category=_l("Orders"), endpoint="cart", url="/admin/cart"))
    admin.add_view(OrdersView(Order, db, name=_l("Order history"), category=_l("Orders"), endpoint="orders"))
    admin.add_view(ApprovalsView(name=_l("Approvals"), category=_l("Orders"), endpoint="approvals",
                                 url="/admin/approvals"))
    register_shipping(admin)
