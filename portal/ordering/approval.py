"""Four-eyes approval: who may approve an order, and telling the approvers that one waits.

When the company requires approval, the person who placed an order never approves it (not even a
company admin); another member whose role may approve must. Approvers get an email when an order
starts waiting.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.infra.extensions import db
from portal.ordering.models import Order
from portal.ordering.operations import OrderingError
from portal.outbox.mail import queue_email
from portal.tenancy.models import Company, Membership, User
from portal.tenancy.operations import CAPABILITIES

APPROVING_ROLES = sorted(role for role, capabilities in CAPABILITIES.items() if "approve" in capabilities)


def approvers_of(company: Company, *, besides: int | None = None) -> list[User]:
    """Active members of the company whose role may approve orders, except the user id `besides`."""
    stmt = (select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.company_id == company.id, Membership.active.is_(True),
                   Membership.role.in_(APPROVING_ROLES), User.active.is_(True))
            .order_by(User.id))
    if besides is not None:
        stmt = stmt.where(User.id != besides)
    return list(db.session.scalars(stmt))


def check_may_approve(company: Company, approver: User, order: Order) -> None:
    """Refuse the orderer's own approval when the company requires a second person."""
    if company.requires_order_approval and order.orderer_id == approver.id:
        raise OrderingError(_l("You placed this order yourself, so someone else must approve it: another company "
                               "admin or approver."))


def notify_approvers(company: Company, order: Order) -> int:
    """Queue an email to each approver (not the orderer) that `order` waits; returns how many."""
    approvers = approvers_of(company, besides=order.orderer_id)
    for user in approvers:
        queue_email(user.email, "order_awaiting_approval", user.language or company.language or "en",
                    company_id=company.id, company=company, order=order, approver=user, orderer=order.orderer)
    return len(approvers)
