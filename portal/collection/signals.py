"""What the collection feature tells the features above it (they connect in their `receivers` modules).

`collection_submitted` is sent when an employee has sent in their card data and the request went to
In review (sender: the CollectionRequest). Webhooks send `collection.submitted`.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

collection_submitted = _signals.signal("collection-submitted")
