"""Ordering operations: cart totals, colour surcharge, checkout, order numbers, approvals."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.cards.models import Card
from portal.collection.models import CollectionRequest
from portal.ordering.checkout import approve_order, place_order, reject_order
from portal.ordering.models import CartItem, Order
from portal.ordering.operations import (
    OrderingError,
    add_accessory_to_cart,
    add_card_to_cart,
    cart_summary,
    remove_cart_item,
)
from portal.outbox.models import OutboxEmail

HOLDER = {"first_name": "Åsa", "last_name": "Öberg", "national_id": "850101-0006"}


def test_cart_totals_with_and_without_colour_logo(db, shop):
    company, orderer, ct, acc, addr = shop
    add_card_to_cart(company, orderer, ct, HOLDER, "photos/abcdefgh12.jpg")
    add_accessory_to_cart(company, orderer, acc.id, 2)
    add_accessory_to_cart(company, orderer, acc.id, 1)  # same accessory: quantity grows
    assert cart_summary(company, orderer).total == Decimal("89.00") + 3 * Decimal("18.00")
    company.logo_is_colour = True
    summary = cart_summary(company, orderer)
    assert summary.cards[0].surcharge == Decimal("20.00")
    assert summary.total == Decimal("109.00") + Decimal("54.00")


def test_card_data_is_validated_against_the_layout(db, shop):
    company, orderer, ct, *_ = shop
    with pytest.raises(OrderingError, match="valid Swedish"):
        add_card_to_cart(company, orderer, ct, {**HOLDER, "national_id": "850101-0007"}, "photos/abcdefgh12.jpg")
    with pytest.raises(OrderingError, match="photo"):
        add_card_to_cart(company, orderer, ct, HOLDER, None)
    item = add_card_to_cart(company, orderer, ct, {**HOLDER, "department": "office"}, "photos/abcdefgh12.jpg")
    assert item.holder_data["national_id"] == "198501010006" and item.holder_data["department"] == "Office"


def test_foreign_ids_are_refused(db, shop, make_company, make_address, make_card_type):
    company, orderer, ct, *_ = shop
    other = make_company("Other AB")
    their_address = make_address(other, "Their office")
    their_type = make_card_type("Their badge", company=other)
    with pytest.raises(OrderingError):
        add_card_to_cart(company, orderer, ct, HOLDER, "photos/abcdefgh12.jpg", address_id=their_address.id)
    with pytest.raises(OrderingError):
        add_card_to_cart(company, orderer, their_type, {"first_name": "A", "last_name": "B"}, "photos/abcdefgh12.jpg")


def test_checkout_creates_order_lines_cards_and_a_confirmation(db, shop):
    company, orderer, ct, acc, addr = shop
    add_card_to_cart(company, orderer, ct, HOLDER, "photos/abcdefgh12.jpg")
    add_card_to_cart(company, orderer, ct, {"first_name": "Bo", "last_name": "Ek"}, "photos/abcdefgh13.jpg")
    add_accessory_to_cart(company, orderer, acc.id, 5)
    order = place_order(company, orderer, address_id=addr.id, reference="PO-1", cost_centre="4711")
    db.session.commit()
    assert order.number.startswith("CW-") and order.status == "placed"
    assert len(order.lines) == 3 and order.total == Decimal("268.00")
    cards = db.session.scalars(select(Card).where(Card.order_id == order.id)).all()
    assert sorted(c.holder_name for c in cards) == ["Bo Ek", "Åsa Öberg"]
    assert {c.national_id for c in cards} == {"198501010006", ""}
    assert db.session.scalar(select(CartItem)) is None
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "order_placed"))
    assert email.to == "orderer@nordbygg.se" and order.number in email.subject


def test_order_numbers_are_unique_and_sequential(db, shop):
    company, orderer, ct, acc, addr = shop
    numbers = []
    for _ in range(3):
        add_accessory_to_cart(company, orderer, acc.id, 1)
        numbers.append(place_order(company, orderer, address_id=addr.id).number)
        db.session.commit()
    assert len(set(numbers)) == 3 and numbers == sorted(numbers)


def test_checkout_needs_an_address_when_cards_have_none(db, shop):
    company, orderer, ct, *_ = shop
    add_card_to_cart(company, orderer, ct, HOLDER, "photos/abcdefgh12.jpg")
    with pytest.raises(OrderingError, match="delivery address"):
        place_order(company, orderer)


def test_card_from_data_collection_can_go_back_to_review(db, shop):
    company, orderer, ct, *_ = shop
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="e@x.se", status="in_cart", data=HOLDER)
    db.session.add(req)
    db.session.flush()
    item = add_card_to_cart(company, orderer, ct, HOLDER, "photos/abcdefgh12.jpg", collection_request_id=req.id)
    remove_cart_item(company, orderer, item.id, back_to_review=True)
    db.session.commit()
    assert db.session.get(CollectionRequest, req.id).status == "in_review"


def test_approval_flow_emails_the_orderer(db, shop, make_user):
    company, orderer, ct, acc, addr = shop
    company.requires_order_approval = True
    approver = make_user(company, role="approver", email="boss@nordbygg.se")
    add_accessory_to_cart(company, orderer, acc.id, 1)
    order = place_order(company, orderer, address_id=addr.id)
    assert order.status == "awaiting_approval"
    with pytest.raises(OrderingError):
        approve_order(company, orderer, order)  # an orderer may not approve
    with pytest.raises(OrderingError):
        reject_order(company, approver, order, "  ")  # a reason is required
    reject_order(company, approver, order, "Wrong cost centre")
    db.session.commit()
    assert order.status == "rejected"
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "order_rejected"))
    assert "Wrong cost centre" in email.body_text and email.to == "orderer@nordbygg.se"

    add_accessory_to_cart(company, orderer, acc.id, 1)
    second = place_order(company, orderer, address_id=addr.id)
    approve_order(company, approver, second)
    db.session.commit()
    assert second.status == "placed" and second.approved_by_id == approver.id
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "order_approved")) is not None
    assert db.session.scalar(select(Order).where(Order.id == second.id)).decided_at is not None
