"""Placing an order from the cart, approving or rejecting it, and cancelling it.

Every order status change is a conditional UPDATE from the status the order was read in: an approve
and a cancel at the same moment cannot both win; the second is told what happened. The order's cards
belong to the cards feature: ordering asks it to create them and to terminate them.
"""
from __future__ import annotations

import hashlib

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.audit.operations import record
from portal.cards.status import create_card, terminate_order_cards
from portal.catalog.layout import holder_name
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.ordering.approval import check_may_approve, notify_approvers
from portal.ordering.confirmation import confirmation_attachment
from portal.ordering.models import Address, CartItem, LineKind, Order, OrderLine, OrderStatus
from portal.ordering.operations import CartSummary, OrderingError, address_for, cart_summary, next_number
from portal.ordering.signals import cart_item_ordered, order_approved, order_placed, order_rejected
from portal.outbox.mail import queue_email
from portal.tenancy.models import Company, User
from portal.tenancy.operations import can


def _language(user: User | None, company: Company) -> str:
    return (user.language if user and user.language else None) or company.language or "en"


def move_order_status(order: Order, seen: tuple[str, ...], to: str, **values) -> None:
    """Move the order to `to` only if it is still in one of the `seen` statuses it was read in.

    Otherwise nothing is written and OrderingError says what the order became meanwhile."""
    if order.status not in seen:
        raise _changed(order)
    now = utcnow()
    values = {"status": to, "last_activity_at": now, **values}
    moved = db.session.execute(update(Order).where(Order.id == order.id, Order.status == order.status)
                               .values(**values).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.refresh(order, ["status"])
        raise _changed(order)
    for key, value in values.items():  # the row has them already: no second UPDATE
        set_committed_value(order, key, value)


def _changed(order: Order) -> OrderingError:
    return OrderingError(_l("Order %(number)s was changed at the same moment by someone else: it is now %(status)s. "
                            "Nothing was changed.", number=order.number,
                            status=str(OrderStatus.label_of(order.status)).lower()))
class CartAlreadyOrdered(OrderingError):
    """The cart was taken by another checkout (a second tab, a double click); `order` is that order if known."""

    def __init__(self, order: Order | None = None):
        super().__init__(_l("This cart was already ordered."))
        self.order = order


def checkout_key(company: Company, user: User, summary: CartSummary) -> str:
    """Names the cart as the checkout page shows it. The order placed from it keeps the key (unique), so
    the same cart posted again (another tab, a double click) finds that order instead of a second one.
    The lines' creation times make the key differ even where the database reuses ids of deleted lines."""
    lines = sorted(f"{line.item.id}@{line.item.created_at.isoformat()}" for line in summary.cards + summary.accessories)
    text = f"{company.id}:{user.id}:{','.join(lines)}"
    return hashlib.sha256(text.encode()).hexdigest()


def order_for_checkout_key(company: Company, user: User, key: str | None) -> Order | None:
    if not key:
        return None
    return db.session.scalar(select(Order).where(Order.company_id == company.id, Order.orderer_id == user.id,
                                                 Order.checkout_key == key[:64]))


def _take_cart(company: Company, user: User, summary: CartSummary) -> None:
    """Delete the cart's lines, all or none: a checkout running at the same moment waits on the rows (or
    the database lock) and then finds them gone, so only one of them places the order."""
    ids = [line.item.id for line in summary.cards + summary.accessories]
    taken = db.session.execute(
        delete(CartItem).where(CartItem.id.in_(ids), CartItem.company_id == company.id, CartItem.user_id == user.id)
        .execution_options(synchronize_session=False)).rowcount
    if taken != len(ids):
        raise CartAlreadyOrdered()


def place_order(company: Company, user: User, *, address_id=None, cost_centre: str = "", reference: str = "",
                note: str = "", key: str | None = None) -> Order:
    """Turn the user's cart into an order with one card record per card line. The caller commits.

    `key` is the checkout page's `checkout_key`: a cart already ordered under it raises CartAlreadyOrdered
    with that order. The cart is taken with a conditional delete, so two checkouts at once give one order."""
    earlier = order_for_checkout_key(company, user, key)
    if earlier is not None:
        raise CartAlreadyOrdered(earlier)
    summary = cart_summary(company, user)
    if summary.empty:
        raise OrderingError(_l("Your cart is empty."))
    common = address_for(company, address_id)
    if common is None and not all(line.item.address for line in summary.cards):
        raise OrderingError(_l("Choose a delivery address (some cards have no address of their own)."))
    if common is None and (not summary.cards or summary.accessories):
        raise OrderingError(_l("Choose a delivery address for the accessories."))
    current = checkout_key(company, user, summary)
    if key and key != current:
        raise OrderingError(_l("Your cart changed since this page was opened: check the summary and place the "
                               "order again."))
    _take_cart(company, user, summary)
    order = write_order(company, user, summary, common, cost_centre=cost_centre, reference=reference, note=note,
                         key=current)
    for line in summary.cards + summary.accessories:
        db.session.expunge(line.item)  # deleted above, in one statement
    return order


def write_order(company: Company, user: User | None, summary: CartSummary, common: Address | None, *,
                 cost_centre: str, reference: str, note: str, key: str | None) -> Order:
    """The order, its lines and their cards from checked lines; then the audit entry, the orderer's email,
    the approvers' emails where the company approves orders, and `order_placed`. Cart and API share it."""
    status = OrderStatus.AWAITING_APPROVAL if company.requires_order_approval else OrderStatus.PLACED
    amounts = summary.amounts  # kept on the order: a later change of rate leaves it as it was
    order = Order(
        company_id=company.id, number=next_number("order", "CW"), status=status.value,
        orderer_id=user.id if user else None, cost_centre=cost_centre.strip()[:60], reference=reference.strip()[:120],
        note=note.strip()[:2000], delivery=common.snapshot() if common else None, total=amounts.net,
        vat_rate=amounts.rate, vat=amounts.vat, gross=amounts.gross, checkout_key=key[:64] if key else None,
    )
    db.session.add(order)
    db.session.flush()
    for line in summary.cards:
        item, ct = line.item, line.item.card_type
        ol = OrderLine(order_id=order.id, kind=LineKind.CARD.value, card_type_id=ct.id, description=ct.name,
                       quantity=1, unit_price=line.unit_price, surcharge=line.surcharge,
                       holder_name=holder_name(ct, item.holder_data)[:200], holder_data=item.holder_data,
                       photo_key=item.photo_key, photo_findings=list(item.photo_findings or []), delivery=item.address.snapshot() if item.address else None)
        db.session.add(ol)
        db.session.flush()
        create_card(company, ct, item.holder_data, item.photo_key, orderer=user, order_id=order.id,
                    order_line_id=ol.id, replaces_card_id=item.replaces_card_id, valid_until=item.valid_until,
                    photo_findings=item.photo_findings)
        if item.collection_request_id:
            cart_item_ordered.send(item)
    for line in summary.accessories:
        acc = line.item.accessory
        db.session.add(OrderLine(order_id=order.id, kind=LineKind.ACCESSORY.value, accessory_id=acc.id,
                                 description=acc.name, quantity=line.quantity, unit_price=line.unit_price))
    record("order.placed", company_id=company.id, obj=order,
           summary=f"{order.number}: {len(summary.cards)} cards, {len(summary.accessories)} accessory lines")
    if user is not None:
        language = _language(user, company)
        queue_email(user.email, "order_placed", language, company_id=company.id, company=company, order=order,
                    user=user, cards=len(summary.cards), attachments=(confirmation_attachment(order, language),))
    if status == OrderStatus.AWAITING_APPROVAL:
        notify_approvers(company, order)
    order_placed.send(order, cards=len(summary.cards))
    return order


def _decidable(company: Company, approver: User, order: Order) -> None:
    if order.company_id != company.id:
        raise LookupError(order.id)
    if not can(approver, company, "approve"):
        raise OrderingError(_l("You may not approve orders."))
    if order.status != OrderStatus.AWAITING_APPROVAL:
        raise OrderingError(_l("This order is not waiting for approval."))


def approve_order(company: Company, approver: User, order: Order) -> None:
    _decidable(company, approver, order)
    check_may_approve(company, approver, order)  # four eyes: never the orderer
    move_order_status(order, (OrderStatus.AWAITING_APPROVAL.value,), OrderStatus.PLACED.value,
                      approved_by_id=approver.id, decided_at=utcnow())
    record("order.approved", company_id=company.id, obj=order, summary=order.number)
    order_approved.send(order, approver=approver)  # notifications tell the orderer


def reject_order(company: Company, approver: User, order: Order, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise OrderingError(_l("Write a reason: the orderer sees it."))
    _decidable(company, approver, order)
    move_order_status(order, (OrderStatus.AWAITING_APPROVAL.value,), OrderStatus.REJECTED.value,
                      approved_by_id=approver.id, decided_at=utcnow(), rejection_reason=reason[:2000])
    terminate_order_cards(order.id, approver, reason)
    record("order.rejected", company_id=company.id, obj=order, summary=f"{order.number}: {reason}")
    order_rejected.send(order, approver=approver, reason=reason)  # notifications tell the orderer


def cancel_order(company: Company, user: User, order: Order) -> None:
    if order.company_id != company.id:
        raise LookupError(order.id)
    cancellable = (OrderStatus.PLACED.value, OrderStatus.AWAITING_APPROVAL.value)
    if order.status not in cancellable:
        raise OrderingError(_l("Only orders not yet in production can be cancelled."))
    if order.orderer_id != user.id and not can(user, company, "settings"):
        raise OrderingError(_l("Only the orderer or a company admin can cancel this order."))
    move_order_status(order, cancellable, OrderStatus.CANCELLED.value)
    terminate_order_cards(order.id, user, "Order cancelled")  # a SYSTEM_REASONS key, translated when shown
    record("order.cancelled", company_id=company.id, obj=order, summary=order.number)
