"""Notifications: who is told what by email, as each user chose in *My account*.

Every kind is on by default and is about the user's own things: the orderer hears of their orders
(approved or sent back, cards ready, shipped) and of print jobs of their cards that failed, the person
who sent a data-collection round hears when everyone has answered, and the orderer of cards that are
about to expire is told (renewal's expiry digest asks `tell`). A user turns a kind off
in *My account*; that is stored as one `NotificationPreference` row.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.infra.extensions import db
from portal.notifications.models import NotificationPreference
from portal.outbox.mail import queue_email
from portal.tenancy.models import Company, Membership, User


@dataclass(frozen=True)
class Kind:
    key: str
    label: object
    hint: object


KINDS = (
    Kind("order_decided", _l("An order of mine is approved or sent back"),
         _l("When the company approves orders: the approver's decision on an order you placed.")),
    Kind("cards_ready", _l("The cards of my order are ready"), _l("Every card of the order is made and active.")),
    Kind("order_shipped", _l("My order is shipped"), _l("With the tracking number of the delivery.")),
    Kind("print_failed", _l("A card of mine could not be printed"),
         _l("A print job of a card you ordered failed: the card needs printing again.")),
    Kind("cards_expiring", _l("Cards I ordered expire soon"), _l("A list of the cards before their validity ends.")),
    Kind("collection_finished", _l("Everyone in my data-collection round has answered"),
         _l("The round's cards are waiting for you in In review.")),
)
KIND_KEYS = frozenset(k.key for k in KINDS)


def wanted_kinds(user: User) -> set[str]:
    """The kinds the user gets: every kind, less those turned off."""
    off = set(db.session.scalars(select(NotificationPreference.kind).where(
        NotificationPreference.user_id == user.id, NotificationPreference.enabled.is_(False))))
    return set(KIND_KEYS) - off


def wants(user: User | None, kind: str) -> bool:
    if user is None or not user.active or not user.email:
        return False
    off = db.session.scalar(select(NotificationPreference.enabled).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind))
    return off is not False


def set_wanted_kinds(user: User, wanted: Iterable[str]) -> None:
    """Store the user's choice (kinds not listed are turned off). The caller commits."""
    wanted = set(wanted) & KIND_KEYS
    rows = {p.kind: p for p in db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == user.id))}
    for key in KIND_KEYS:
        row = rows.get(key)
        if row is None:
            row = NotificationPreference(user_id=user.id, kind=key)
            db.session.add(row)
        row.enabled = key in wanted
    db.session.flush()


def language_of(user: User, company: Company) -> str:
    return user.language or company.language or "en"


def still_works_for(user: User, company: Company) -> bool:
    """An operator, or an active member of the company (someone who left it hears nothing more of it)."""
    return bool(user.is_operator) or db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.company_id == company.id, Membership.active.is_(True),
        Membership.pending.is_(False))) is not None


def tell(user: User | None, kind: str, template: str, company: Company, **context) -> bool:
    """Queue `template` to the user in their language if they want `kind` and still work for the company;
    True if queued."""
    if not wants(user, kind) or not still_works_for(user, company):
        return False
    queue_email(user.email, template, language_of(user, company), company_id=company.id, company=company,
                user=user, **context)
    return True
