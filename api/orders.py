"""Orders: list them (page by page, or those with activity since a moment) and read one with its lines."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from api import pages
from api.auth import api_blueprint, company, require
from api.problems import ApiProblem
from api.schemas import OrderOut, OrderPage, StatusListQuery
from portal.infra.extensions import db
from portal.infra.paging import rows_after
from portal.ordering.models import Order

blp = api_blueprint("api_orders", __name__, "/orders", "The company's orders, with their lines and status.")


@blp.route("")
@require("read")
@blp.arguments(StatusListQuery, location="query")
@blp.response(200, OrderPage)
def list_orders(args):
    """Orders of the company, oldest first; every order once however the list changes while you page."""
    where = [Order.company_id == company().id]
    if args["status"]:
        where.append(Order.status == args["status"])
    found, after = rows_after(Order, *where, after_id=pages.decode(args["cursor"], "a"), limit=args["limit"],
                              options=(selectinload(Order.lines),))
    return {"items": found, "next_cursor": pages.encode("a", after) if after else None}


@blp.route("/<int:order_id>")
@require("read")
@blp.response(200, OrderOut)
def get_order(order_id):
    """One order with its lines."""
    order = db.session.get(Order, order_id) if 0 < order_id < 2**31 else None
    if order is None or order.company_id != company().id:
        raise ApiProblem(404, "not-found", "No such order in your company.")
    return order
