"""Screens: Order history (search, filters, details, export) and Approvals."""
from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import DateBetweenFilter, FilterEqual
from flask_babel import get_locale, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from admin_views.base import TenantModelView, TenantView
from portal.cards.models import Card, CardStatus
from portal.infra.extensions import db
from portal.infra.formatting import badge, money, when
from portal.infra.web import field_limits
from portal.ordering.checkout import approve_order, cancel_order, reject_order
from portal.ordering.confirmation import confirmation_filename, order_pdf
from portal.ordering.history import matching_order_ids
from portal.ordering.models import Order, OrderLine, OrderStatus
from portal.ordering.operations import OrderingError
from portal.tenancy.context import current_company


def status_badge(view, context, model, name):
    return badge(OrderStatus.of(model.status))


class OrdersView(TenantModelView):
    capability = "view"
    edit_capability = "order"
    allow_create = allow_edit = allow_delete = False
    can_export = True
    details_template = "admin/ordering/order_details.html"
    column_list = ["number", "placed_at", "status", "orderer", "reference", "card_count", "total", "gross"]
    column_details_list = column_list
    column_export_list = ["number", "placed_at", "status", "orderer", "reference", "cost_centre", "card_count", "total",
                          "vat", "gross"]
    column_labels = {
        "number": _l("Order number"), "placed_at": _l("Placed"), "status": _l("Status"), "orderer": _l("Orderer"),
        "reference": _l("Reference / PO"), "card_count": _l("Cards"), "total": _l("Excluding VAT"),
        "vat": _l("VAT"), "gross": _l("Including VAT"),
        "cost_centre": _l("Cost centre"),
    }
    column_default_sort = ("placed_at", True)
    simple_list_pager = True  # newest first, "next" while there is more: no count of every order
    column_sortable_list = ["number", "placed_at", "status", "reference", "total", "gross"]
    column_searchable_list = ["number"]
    column_formatters = {
        "number": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(url_for(".details_view", id=m.id), m.number),
        "status": status_badge,
        "placed_at": lambda v, c, m, n: when(m.placed_at),
        "orderer": lambda v, c, m, n: (m.orderer.name or m.orderer.email) if m.orderer else "",
        "total": lambda v, c, m, n: money(m.total, m.currency),
        "gross": lambda v, c, m, n: money(m.gross, m.currency) if m.vat_rate is not None else "",
        "card_count": lambda v, c, m, n: g.get("card_counts", {}).get(m.id, 0),
    }
    column_formatters_export = {
        "status": lambda v, c, m, n: str(OrderStatus.label_of(m.status)),
        # ISO 8601 for spreadsheets (sorts and parses in every language), in the portal's time zone.
        "placed_at": lambda v, c, m, n: to_user_timezone(m.placed_at).strftime("%Y-%m-%d %H:%M"),
        "orderer": lambda v, c, m, n: (m.orderer.email if m.orderer else ""),
        "total": lambda v, c, m, n: m.total,
        "vat": lambda v, c, m, n: m.vat if m.vat_rate is not None else "",
        "gross": lambda v, c, m, n: m.gross if m.vat_rate is not None else "",
        "card_count": lambda v, c, m, n: g.get("card_counts", {}).get(m.id, 0),
    }
    column_filters = [
        FilterEqual(Order.status, _l("Status"), options=OrderStatus.choices()),
        DateBetweenFilter(Order.placed_at, _l("Placed between")),
    ]
    empty_hint = _l("No orders yet. Order cards, put them in the cart and check out: the orders appear here.")
    search_placeholder_text = _l("Order number, holder, orderer, reference")

    def search_placeholder(self):
        return str(self.search_placeholder_text)

    def _apply_search(self, query, count_query, joins, count_joins, search):
        # The newest matches the page needs, found by the indexed search (portal.ordering.history).
        ids = matching_order_ids(self.company, search, g.get("orders_wanted", self.page_size + 1))
        query = query.filter(Order.id.in_(ids))
        if count_query is not None:
            count_query = count_query.filter(Order.id.in_(ids))
        return query, count_query, joins, count_joins

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        size = page_size or self.page_size
        g.orders_wanted = (page + 1) * size + 1 if size else 10_000
        count, rows = super().get_list(page, sort_column, sort_desc, search, filters, execute=execute,
                                       page_size=page_size)
        ids = [r.id for r in rows]
        # One grouped query for the card counts of the whole page (no N+1).
        g.card_counts = dict(db.session.execute(
            select(Card.order_id, func.count()).where(Card.order_id.in_(ids)).group_by(Card.order_id)
        ).all()) if ids else {}
        return count, rows

    @expose("/details/")
    def details_view(self):
        order = self.get_one(request.args.get("id"))
        if order is None:
            abort(404)
        lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
        cards = {c.order_line_id: c for c in db.session.scalars(select(Card).where(Card.order_id == order.id))}
        return self.render(self.details_template, order=order, lines=lines, cards=cards,
                           OrderStatus=OrderStatus, CardStatus=CardStatus,
                           return_url=url_for(".index_view"))

    @expose("/confirmation/<int:order_id>.pdf")
    def confirmation_pdf(self, order_id: int):
        """The order confirmation as PDF, in the reader's language; another company's order is a 404."""
        order = self.get_one(order_id)
        if order is None:
            abort(404)
        response = make_response(order_pdf(order, str(get_locale() or "en")))
        response.headers["Content-Type"] = "application/pdf"
        response.headers["Content-Disposition"] = f'inline; filename="{confirmation_filename(order)}"'
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @expose("/ship/", methods=["POST"])
    def ship(self):
        from admin_views.ordering_shipping import ship_from_details

        return ship_from_details(self)

    @expose("/cancel/", methods=["POST"])
    def cancel(self):
        order = self.get_one(request.form.get("id"))
        if order is None:
            abort(404)
        try:
            cancel_order(self.company, current_user, order)
        except OrderingError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Order %(number)s is cancelled.", number=order.number), "success")
        return redirect(url_for(".details_view", id=order.id))


class ApprovalsView(TenantView):
    capability = "approve"

    def is_visible(self) -> bool:
        company = current_company()
        return bool(company and company.requires_order_approval and self.is_accessible())

    @expose("/")
    def index(self):
        orders = db.session.scalars(
            self.owned(Order, Order.status == OrderStatus.AWAITING_APPROVAL.value)
            .options(selectinload(Order.lines), selectinload(Order.orderer)).order_by(Order.placed_at)
        ).all()
        return self.render("admin/ordering/approvals.html", orders=orders)


    @expose("/decide", methods=["POST"])
    @field_limits(reason=2000)
    def decide(self):
        company = self.company
        order = self.get_owned(Order, request.form.get("id"))
        try:
            if request.form.get("decision") == "approve":
                approve_order(company, current_user, order)
                message = _("Order %(number)s approved: it goes to production.", number=order.number)
            else:
                reject_order(company, current_user, order, request.form.get("reason", ""))
                message = _("Order %(number)s rejected. The orderer gets an email.", number=order.number)
        except OrderingError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(message, "success")
        return redirect(url_for(".index"))
