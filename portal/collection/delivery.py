"""Whether the emails with a request's link got out: the Pending tab shows a request as sent only when
its latest email was delivered to the mail server, and says so when it never can be."""
from __future__ import annotations

from sqlalchemy import select

from portal.infra.extensions import db
from portal.outbox.models import OutboxEmail

LINK_KINDS = ("collection_request", "collection_reminder", "collection_rejected")


def link_email_states(company_id: int, emails: list[str]) -> dict[str, str]:
    """The state of the latest link email to each address (pending, sending, sent, failed)."""
    emails = [e for e in emails if e]
    if not emails:
        return {}
    rows = db.session.execute(select(OutboxEmail.to, OutboxEmail.state).where(
        OutboxEmail.company_id == company_id, OutboxEmail.to.in_(emails), OutboxEmail.kind.in_(LINK_KINDS),
    ).order_by(OutboxEmail.id))
    return {to: state for to, state in rows}  # the latest wins
