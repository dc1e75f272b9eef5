"""Screens: shipping orders (operator): a tracking number on one order, or a CSV of many."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from admin_views.base import SecureView
from admin_views.cards_production import run_csv_import
from portal.infra.extensions import db
from portal.ordering.operations import OrderingError
from portal.ordering.shipping import import_tracking_numbers, ship_order


def ship_from_details(view):
    """The order details' "Shipped" form (operator): set the tracking number and carrier."""
    if not current_user.is_operator:
        abort(403)
    order = view.get_one(request.form.get("id"))
    if order is None:
        abort(404)
    try:
        ship_order(order, current_user, request.form.get("tracking_number", ""), request.form.get("carrier", ""))
    except OrderingError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Order %(number)s is shipped: the orderer is told.", number=order.number), "success")
    return redirect(url_for(".details_view", id=order.id))


class ShippingImportView(SecureView):
    operator_only = True

    @expose("/", methods=["GET", "POST"])
    def index(self):
        result, error = None, None
        if request.method == "POST":
            result, error = run_csv_import(import_tracking_numbers, _("Choose the file with the tracking numbers."))
            if result is not None and not result.errors:
                db.session.commit()
                flash(ngettext("%(num)d order is shipped.", "%(num)d orders are shipped.", result.shipped), "success")
                return redirect(url_for(".index"))
        return self.render("admin/ordering/shipping.html", result=result, error=error)


def register_shipping(admin) -> None:
    admin.add_view(ShippingImportView(name=_l("Tracking numbers"), category=_l("Operator"),
                                      endpoint="shipping", url="/admin/shipping"))
