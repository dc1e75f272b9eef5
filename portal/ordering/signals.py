"""What the ordering feature tells the features above it (they connect in their `receivers` modules).

A cart line can come from data collection (`CartItem.collection_request_id`); the collection feature
owns that request's status and follows the line:
- `cart_item_ordered`: the line became part of an order (sender: the CartItem, before it is deleted).
- `cart_item_released`: the line left the cart without an order; keyword `back_to_review` says whether
  the orderer sent it back to In review (with the edits made in the cart) or removed it. Also sent for a
  line that replaces a card (`replaces_card_id`): renewal frees that card's replacement claim.

And of orders (webhooks tell the company's systems):
- `order_placed`: an order was placed from a cart (sender: the Order, flushed, with its cards; keyword
  `cards`: how many). Its status is Placed, or Awaiting approval where the company approves orders.
- `order_approved`: an approver approved the order (sender: the Order; keyword `approver`).
- `order_rejected`: an approver sent the order back (sender: the Order; keywords `approver`, `reason`).
- `order_ready`: every card of the order is active (sender: the Order; keyword `cards`: how many).
- `order_shipped`: the operator set the order's tracking number (sender: the Order, with `tracking_number`
  and `carrier`).
Notifications email the people who want to know; webhooks tell the company's systems.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

cart_item_ordered = _signals.signal("cart-item-ordered")
cart_item_released = _signals.signal("cart-item-released")
order_placed = _signals.signal("order-placed")
order_approved = _signals.signal("order-approved")
order_rejected = _signals.signal("order-rejected")
order_ready = _signals.signal("order-ready")
order_shipped = _signals.signal("order-shipped")
