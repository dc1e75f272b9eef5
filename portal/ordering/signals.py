"""What the ordering feature tells the features above it (they connect in their `receivers` modules).

A cart line can come from data collection (`CartItem.collection_request_id`); the collection feature
owns that request's status and follows the line:
- `cart_item_ordered`: the line became part of an order (sender: the CartItem, before it is deleted).
- `cart_item_released`: the line left the cart without an order; keyword `back_to_review` says whether
  the orderer sent it back to In review (with the edits made in the cart) or removed it.

And of orders (webhooks tell the company's systems):
- `order_placed`: an order was placed from a cart (sender: the Order, flushed, with its cards; keyword
  `cards`: how many). Its status is Placed, or Awaiting approval where the company approves orders.
- `order_approved`: an approver approved the order (sender: the Order; keyword `approver`).
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

cart_item_ordered = _signals.signal("cart-item-ordered")
cart_item_released = _signals.signal("cart-item-released")
order_placed = _signals.signal("order-placed")
order_approved = _signals.signal("order-approved")
