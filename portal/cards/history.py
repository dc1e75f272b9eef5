"""What the card details page shows about a card's change requests: what each one changes, in words."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.cards.models import Card, CardChange, ChangeState
from portal.catalog.layout import data_fields
from portal.infra.db_types import utcnow


@dataclass
class ChangeSummary:
    change: CardChange
    state: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (label, now, proposed)
    new_photo: bool = False


def summarise_change(card: Card, change: CardChange) -> ChangeSummary:
    """Only the fields the change alters, by their labels; a pending link past its date reads as expired."""
    state = change.state
    if state == ChangeState.PENDING.value and change.expires_at < utcnow():
        state = ChangeState.EXPIRED.value
    summary = ChangeSummary(change=change, state=state, new_photo=bool(change.photo_key))
    current = card.holder_data or {}
    for f in data_fields(card.card_type):
        if f.key in change.proposed and str(change.proposed[f.key] or "") != str(current.get(f.key) or ""):
            summary.rows.append((str(f.label), f.shown_value(str(current.get(f.key) or "")),
                                 f.shown_value(str(change.proposed[f.key] or ""))))
    email = change.proposed.get("_email")
    if email and email != card.holder_email:
        summary.rows.append((str(_l("Holder's email")), card.holder_email or "", email))
    return summary
