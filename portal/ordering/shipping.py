"""Shipping an order: the operator enters its tracking number (and carrier) on the order, or imports a CSV
of order numbers and tracking numbers; the order becomes Shipped and `order_shipped` tells the orderer."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.operations import record
from portal.infra.csv_reading import CsvFileError, RowError, decode_utf8
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.ordering.checkout import move_order_status
from portal.ordering.models import Order, OrderStatus
from portal.ordering.operations import OrderingError
from portal.ordering.signals import order_shipped
from portal.tenancy.models import User

# An order may be shipped once it is placed (approved where the company approves orders), and a shipped
# order may get a corrected tracking number.
SHIPPABLE = (OrderStatus.PLACED.value, OrderStatus.IN_PRODUCTION.value, OrderStatus.READY.value,
             OrderStatus.SHIPPED.value)
MAX_IMPORT_ROWS = 5000
ORDER = {"order", "order number", "ordernummer", "ordrenummer", "tilausnumero", "beställning"}
TRACKING = {"tracking", "tracking number", "kolli-id", "sändningsnummer", "sporingsnummer", "seurantakoodi"}
CARRIER = {"carrier", "transportör", "fraktfirma", "transportør", "kuljettaja"}


def ship_order(order: Order, user: User, tracking_number: str, carrier: str = "") -> None:
    """Set the order's tracking number; the order becomes Shipped (the orderer is told). The caller commits."""
    if not user.is_operator:
        raise OrderingError(_l("Only the operator ships orders."))
    tracking_number, carrier = " ".join(tracking_number.split())[:80], " ".join(carrier.split())[:60]
    if not tracking_number:
        raise OrderingError(_l("Enter the tracking number."))
    if order.status not in SHIPPABLE:
        raise OrderingError(_l("Order %(number)s cannot be shipped: it is %(status)s.", number=order.number,
                               status=str(OrderStatus.label_of(order.status)).lower()))
    if order.status == OrderStatus.SHIPPED.value and (order.tracking_number, order.carrier) == (tracking_number, carrier):
        return  # the same number again (an import run twice): nothing new to tell
    move_order_status(order, (order.status,), OrderStatus.SHIPPED.value, tracking_number=tracking_number,
                      carrier=carrier, shipped_at=order.shipped_at or utcnow())
    record("order.shipped", company_id=order.company_id, obj=order,
           summary=f"{order.number}: {carrier} {tracking_number}".strip())
    order_shipped.send(order)


@dataclass
class TrackingImport:
    shipped: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_tracking_numbers(data: bytes, user: User) -> TrackingImport:
    """A CSV with the columns order number and tracking number (carrier optional). Every row is checked
    first; on any error nothing is stored. The caller commits."""
    text = decode_utf8(data)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    lower = [h.strip().lower() for h in next(reader, [])]
    col = {name: next((i for i, h in enumerate(lower) if h in names), None)
           for name, names in (("order", ORDER), ("tracking", TRACKING), ("carrier", CARRIER))}
    if col["order"] is None or col["tracking"] is None:
        raise CsvFileError(_l("The file needs the columns \"order number\" and \"tracking number\"."))
    result, plan, seen = TrackingImport(), [], set()
    start = reader.line_num + 1
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(plan) + len(result.errors) >= MAX_IMPORT_ROWS:
            raise CsvFileError(_l("The file has more than %(num)d rows: split it.", num=MAX_IMPORT_ROWS))
        cell = {key: (values[i].strip() if i is not None and i < len(values) else "") for key, i in col.items()}
        order = db.session.scalar(select(Order).where(Order.number == cell["order"])) if cell["order"] else None
        if order is None:
            result.errors.append(RowError(line, "order number", cell["order"], str(_l("No order has this number."))))
        elif cell["order"] in seen:
            result.errors.append(RowError(line, "order number", cell["order"], str(_l("The order is in the file twice."))))
        elif not cell["tracking"]:
            result.errors.append(RowError(line, "tracking number", "", str(_l("The tracking number is missing."))))
        elif order.status not in SHIPPABLE:
            result.errors.append(RowError(line, "order number", cell["order"], str(_l(
                "The order cannot be shipped: it is %(status)s.",
                status=str(OrderStatus.label_of(order.status)).lower()))))
        else:
            seen.add(cell["order"])
            plan.append((order, cell["tracking"], cell["carrier"]))
    if result.errors:
        return result
    for order, tracking, carrier in plan:
        ship_order(order, user, tracking, carrier)
        result.shipped += 1
    return result
