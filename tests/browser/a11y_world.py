"""A seeded world for the accessibility walk: the demo (every role, orders and cards in every status, a
printer, the customer portal) plus one row of every company-owned model (tests/fixtures/world.py),
data-collection requests pending, in review and sent back, carts, an order awaiting approval, and the
personal links of every public page (invitation, password reset, emailed sign-in, portal password,
holder change, employee request)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from portal.infra.extensions import db
from portal.reports.models import SavedReport
from portal.webhooks.models import WebhookEndpoint

PASSWORD = "cardwright-demo"
OPERATOR, ADMIN, ORDERER = "operator@cardwright.example", "admin@nordbygg.example", "orderer@nordbygg.example"
TWO_FACTOR_USER = "twofactor@nordbygg.example"


@dataclass
class World:
    links: dict[str, str] = field(default_factory=dict)  # what the page is -> its path
    ids: dict[str, int | str] = field(default_factory=dict)  # URL parameter name -> a row the roles can open
    portal_ids: dict[str, int] = field(default_factory=dict)  # the same for the customer portal's account
    employee_link: str = ""  # a pending request: the employee's steps are walked from here
    totp_secret: str = ""


def demo_photo(index: int) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (413, 531), (60 + index * 20 % 150, 110, 160)).save(buf, "JPEG")
    return buf.getvalue()


def _link_in_outbox(pattern: str, to: str) -> str:
    from portal.outbox.models import OutboxEmail

    bodies = db.session.scalars(select(OutboxEmail.body_text).where(OutboxEmail.to == to).order_by(OutboxEmail.id.desc()))
    for body in bodies:
        found = re.search(pattern, body)
        if found:
            return found.group(1)
    raise AssertionError(f"no link {pattern} in the emails to {to}")


@pytest.fixture()
def a11y_world(db, make_world) -> World:
    from portal.cards.models import Card, CardStatus
    from portal.cards.operations import request_card_change
    from portal.catalog.models import CardType
    from portal.collection.email_list import ParsedAddress
    from portal.collection.models import CollectionRequest
    from portal.collection.operations import send_requests
    from portal.customers.models import PortalAccount, ResourceFile
    from portal.customers.operations import email_login_details
    from portal.demo.seed import seed_demo
    from portal.infra import storage
    from portal.ordering.checkout import place_order
    from portal.ordering.models import Address, CartItem, Invoice, Order
    from portal.ordering.operations import add_card_to_cart
    from portal.security.models import TwoFactor
    from portal.security.password_reset import send_password_reset
    from portal.security.sign_in_link import send_sign_in_link
    from portal.security.two_factor import new_secret
    from portal.tenancy.invitations import invite_user
    from portal.tenancy.models import Company, Membership, User

    assert seed_demo()
    db.session.commit()
    world = World()
    nordbygg = db.session.scalar(select(Company).where(Company.name == "Nordbygg AB"))
    admin, orderer = (db.session.scalar(select(User).where(User.email == e)) for e in (ADMIN, ORDERER))
    badge = db.session.scalar(select(CardType).where(CardType.name == "Employee badge"))
    address = db.session.scalar(select(Address).where(Address.company_id == nordbygg.id, Address.for_collection))
    rows = make_world(nordbygg, admin)  # one row of every company-owned model

    # Carts (one collected card among them) and an order that waits for approval.
    for user, (first, last) in ((admin, ("Greta", "Gran")), (orderer, ("Ville", "Vall"))):
        add_card_to_cart(nordbygg, user, badge, {"first_name": first, "last_name": last}, storage.save(demo_photo(1), "photos", "jpg"))
    nordbygg.requires_order_approval = True
    add_card_to_cart(nordbygg, orderer, badge, {"first_name": "Pia", "last_name": "Pending"}, storage.save(demo_photo(2), "photos", "jpg"))
    db.session.commit()
    place_order(nordbygg, orderer, address_id=address.id, reference="Needs approval")
    add_card_to_cart(nordbygg, orderer, badge, {"first_name": "Ville", "last_name": "Vall"}, storage.save(demo_photo(3), "photos", "jpg"))
    db.session.commit()

    # Data collection: pending, in review (with a photo) and sent back.
    reqs = send_requests(nordbygg, admin, badge, [ParsedAddress(email=f"{n}@example.com", name=n.title()) for n in
                                                  ("pending", "review", "rejected", "collected")])
    db.session.commit()
    world.employee_link = _link_in_outbox(r"(/r/[A-Za-z0-9_-]{30,})", "pending@example.com")
    for req, status in zip(reqs[1:], ("in_review", "rejected", "in_review"), strict=True):
        req.status, req.data = status, {"first_name": req.name, "last_name": "Example", "department": "Office"}
        req.photo_key = storage.save(demo_photo(req.id), "photos", "jpg")
        if status == "rejected":
            req.rejection_reason, req.rejected_steps = "Please use a photo with a plain background", "photo"
    db.session.commit()
    collected = reqs[3]
    add_card_to_cart(nordbygg, admin, badge, dict(collected.data), collected.photo_key, address_id=address.id,
                     collection_request_id=collected.id)
    db.session.commit()

    # Personal links of the public pages.
    invite_user(nordbygg, "newcomer@example.com", "Nora Newcomer", "orderer", admin, "en")
    send_password_reset(ADMIN)
    approver = db.session.scalar(select(User).where(User.email == "approver@nordbygg.example"))
    send_sign_in_link(approver)
    account = db.session.scalar(select(PortalAccount).where(PortalAccount.company_id == nordbygg.id))
    account.email = account.email or "portal@nordbygg.example"
    email_login_details(account)
    card = db.session.scalar(select(Card).where(Card.company_id == nordbygg.id, Card.status == CardStatus.ACTIVE.value)
                             .order_by(Card.id))
    card.holder_email = card.holder_email or "holder@example.com"
    change = request_card_change(nordbygg, admin, card, {**card.holder_data, "first_name": "Changed"})
    two = User(email=TWO_FACTOR_USER, name="Tove Twofactor", password_hash=admin.password_hash, language="en")
    db.session.add(two)
    db.session.flush()
    db.session.add(Membership(user_id=two.id, company_id=nordbygg.id, role="viewer"))
    world.totp_secret = new_secret()
    db.session.add(TwoFactor(user_id=two.id, secret=world.totp_secret, last_used_step=0))
    db.session.commit()
    world.links = {
        "invitation": _link_in_outbox(r"(/invite/[A-Za-z0-9_-]{20,})", "newcomer@example.com"),
        "password reset": _link_in_outbox(r"(/reset/[A-Za-z0-9_-]{20,})", ADMIN),
        "emailed sign-in": _link_in_outbox(r"(/login/link/[A-Za-z0-9_.-]{20,})", approver.email),
        "portal password": _link_in_outbox(r"(/portal/set-password/[A-Za-z0-9_-]{20,})", account.email),
        "holder change": _link_in_outbox(r"(/r/change/[A-Za-z0-9_-]{20,})", card.holder_email),
    }
    in_review = db.session.scalar(select(CollectionRequest).where(CollectionRequest.company_id == nordbygg.id,
                                                                  CollectionRequest.status == "in_review"))
    cart_item = db.session.scalar(select(CartItem).where(CartItem.user_id == admin.id,
                                                         CartItem.collection_request_id.is_not(None)))
    world.ids = {"card_id": card.id, "request_id": in_review.id, "item_id": cart_item.id, "change_id": change.id,
                 "membership_id": rows["user"].memberships[0].id, "endpoint_id": rows[WebhookEndpoint].id,
                 "kind": "card", "row_id": card.id,  # Company > Privacy: the person a card names
                 "order_id": rows[Order].id,
                 "report_id": rows[SavedReport].id, "invoice_id": rows[Invoice].id}
    world.portal_ids = {"order_id": rows[Order].id, "invoice_id": rows[Invoice].id, "file_id": rows[ResourceFile].id}
    return world
