"""The rules of printing a card locally, in the one place every path goes through.

The card page's Print, the print queue's Print again, Print now from the order form and Print now
from In review all end in `operations.queue_print` (Print now checks before it creates the card):
- a blocked or terminated card is never printed;
- a card type whose layout has a photo field is printed only with a photo;
- when the company approves orders and its setting says local prints need approval too (the
  default), only someone who may approve orders prints.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.cards.models import CardStatus
from portal.catalog.models import CardType
from portal.tenancy.models import Company, User
from portal.tenancy.operations import can


class PrintRefused(ValueError):
    """str() says why the card cannot be printed."""


def needs_approval(company: Company) -> bool:
    return bool(company.requires_order_approval and company.local_print_requires_approval)


def check_printable(company: Company, user: User | None, card_type: CardType, photo_key: str | None,
                    card_status: str | None = None) -> None:
    """Raise PrintRefused when this card may not be printed now by this user."""
    if card_status == CardStatus.TERMINATED.value:
        raise PrintRefused(_l("This card is terminated and can never be used again."))
    if card_status == CardStatus.BLOCKED.value:
        raise PrintRefused(_l("Unblock the card before printing it again."))
    if card_type.needs_photo and not photo_key:
        raise PrintRefused(_l("This card needs a photo before it can be printed."))
    if needs_approval(company) and (user is None or not can(user, company, "approve")):
        raise PrintRefused(_l("Your company approves cards before they are made: ask an approver to print it, "
                              "or order it through the cart."))
