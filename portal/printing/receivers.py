"""Printing follows the cards (cards tell it through `portal.cards.signals`): a card that is blocked
or terminated is not printed; its queued jobs are cancelled."""
from __future__ import annotations

from sqlalchemy import update

from portal.cards.models import Card, CardStatus
from portal.cards.signals import card_status_changed
from portal.infra.extensions import db
from portal.printing.models import PrintJob, PrintJobStatus

STOPS_PRINTING = {CardStatus.BLOCKED.value, CardStatus.TERMINATED.value}


@card_status_changed.connect
def cancel_queued_prints(card: Card, *, to_status: str, **_) -> None:
    if to_status in STOPS_PRINTING:
        db.session.execute(update(PrintJob).where(PrintJob.card_id == card.id,
                                                  PrintJob.status == PrintJobStatus.QUEUED.value)
                           .values(status=PrintJobStatus.CANCELLED.value)
                           .execution_options(synchronize_session="fetch"))
