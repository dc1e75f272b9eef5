"""What the cards feature tells the features above it (they connect in their `receivers` modules).

`card_status_changed` is sent after a card's status moved (and was flushed), with the keyword
arguments `from_status`, `to_status` and `user` (None for the system); the sender is the Card.
Printing cancels the card's queued print jobs when it is blocked or terminated; ordering moves the
order the card belongs to along (in production, cards ready); webhooks tell the company's systems.

`card_changed` is sent after the holder approved a change of the card's data (sender: the Card,
keyword `fields`: the names of the layout fields changed). Webhooks send `card.changed`.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

card_status_changed = _signals.signal("card-status-changed")
card_changed = _signals.signal("card-changed")
