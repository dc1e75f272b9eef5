"""Orders: place one (cards with the holders' details, accessories, a delivery address), list them (page by
page, or those with activity since a moment) and read one with its lines."""
from __future__ import annotations

from flask import g
from sqlalchemy.orm import selectinload

from api import pages
from api.auth import api_blueprint, company, owned, require
from api.idempotency import idempotent
from api.problems import PROBLEM, ApiProblem, field_path
from api.schemas import OrderIn, OrderOut, OrderPage, Problem, StatusListQuery
from portal.infra.paging import rows_after
from portal.ordering.direct import AccessoryWanted, CardWanted, LinesInvalid, place_order_from_lines
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
    return pages.answer(*rows_after(Order, *where, after_id=pages.decode(args["cursor"], "a"), limit=args["limit"],
                                    options=(selectinload(Order.lines), selectinload(Order.cards))))


def _wanted(line: dict) -> CardWanted | AccessoryWanted:
    if line["kind"] == "accessory":
        return AccessoryWanted(line["accessory_id"], line["quantity"])
    return CardWanted(line["card_type_id"], line["fields_"], line["photo"], line["replaces_card_id"],
                      line["valid_until"])


@blp.route("", methods=["POST"])
@require("order")
@idempotent
@blp.arguments(OrderIn)
@blp.response(201, OrderOut)
@blp.alt_response(422, schema=Problem, description="A line or the address cannot be ordered: `errors` names each "
                  "(e.g. `lines[0].fields.national_id`); nothing was ordered.", content_type=PROBLEM)
def create_order(args):
    """Order cards and accessories with the same checks as the screens. Where the company approves orders, the
    order waits for an approver (status `awaiting_approval`); the `order.placed` webhook tells either way."""
    try:
        return place_order_from_lines(
            company(), g.api_key.created_by, [_wanted(line) for line in args["lines"]],
            address_id=args["address_id"], new_address=args["address"], cost_centre=args["cost_centre"],
            reference=args["reference"], note=args["note"])
    except LinesInvalid as exc:
        errors = []
        for where, reason in exc.errors:
            path = ""
            for part in where:
                path = field_path(path, part)
            errors.append({"field": path, "reason": reason})
        raise ApiProblem(422, "order-refused", "Nothing was ordered: see errors.", errors=errors) from None


@blp.route("/<int:order_id>")
@require("read")
@blp.response(200, OrderOut)
def get_order(order_id):
    """One order with its lines."""
    return owned(Order, order_id, "order")
