"""What the collection feature tells the features above it (they connect in their `receivers` modules).

`collection_submitted` is sent when an employee has sent in their card data and the request went to
In review (sender: the CollectionRequest; keyword `first`: True for its first answer, False when it was
sent back and answered again). Webhooks send `collection.submitted`; notifications tell the person who
sent the round (the import batch) once everyone in it has answered.

`request_closed` is sent when a request ends without a card: removed by the orderer (waiting or in review)
or expired unanswered (sender: the CollectionRequest). Renewal frees the card it was to replace
(`replaces_card_id`), so that card can be replaced again.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

collection_submitted = _signals.signal("collection-submitted")
request_closed = _signals.signal("request-closed")
