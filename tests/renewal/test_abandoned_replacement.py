"""An abandoned replacement frees the old card: it can be replaced again and no longer shows "being replaced".
A lost or stolen card stays blocked (it was blocked at once); only its claim goes."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.cards.models import Card
from portal.collection.models import CollectionRequest
from portal.collection.operations import approve_to_cart, reject_request, remove_from_review, remove_request
from portal.collection.tasks import send_due_reminders
from portal.infra.db_types import utcnow
from portal.ordering.checkout import cancel_order, place_order
from portal.ordering.models import CartItem
from portal.ordering.operations import clear_cart, remove_cart_item
from portal.renewal.operations import replace_card
from tests.conftest import html_text

FIELDS = [("first_name", "First name", "text", True), ("last_name", "Last name", "text", True)]


@pytest.fixture()
def world(db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB", language="en")
    admin = make_user(company, role="admin", email="admin@nordbygg.se", name="Anna")
    ct = make_card_type("Site ID", fields=FIELDS)

    def card(status="active"):
        c = Card(company_id=company.id, card_type_id=ct.id, orderer_id=admin.id, holder_name="Åsa Öberg",
                 holder_email="asa@x.se", status=status, card_number="4711",
                 holder_data={"first_name": "Åsa", "last_name": "Öberg"})
        db.session.add(c)
        db.session.commit()
        return c
    return company, admin, card


def _fresh(db, card):
    db.session.expire_all()
    return db.session.get(Card, card.id)


def test_removing_the_replacement_from_the_cart_frees_a_lost_card_which_stays_blocked(db, world, client):
    company, admin, make = world
    old = make()
    replace_card(company, admin, old, "lost")
    db.session.commit()
    remove_cart_item(company, admin, db.session.scalar(select(CartItem.id)))
    db.session.commit()
    old = _fresh(db, old)
    assert old.replacement_reason is None and old.replacement_requested_at is None and old.status == "blocked"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "card.replacement_released")) is not None
    client.login(admin.email)
    page = html_text(client.get(f"/admin/cards/{old.id}"))
    assert "Being replaced" not in page and "Replace card" in page
    replace_card(company, admin, old, "damaged")  # can be replaced again
    db.session.commit()
    assert _fresh(db, old).replacement_reason == "damaged"


def test_emptying_the_cart_frees_the_card(db, world):
    company, admin, make = world
    old = make()
    replace_card(company, admin, old, "damaged")
    clear_cart(company, admin)
    db.session.commit()
    old = _fresh(db, old)
    assert old.replacement_reason is None and old.status == "active"


def _collect(db, world):
    company, admin, make = world
    old = make()
    replace_card(company, admin, old, "new_photo")
    db.session.commit()
    return company, admin, old, db.session.scalar(select(CollectionRequest))


def test_removing_the_data_request_frees_the_card(db, world):
    company, admin, old, req = _collect(db, world)
    remove_request(company, req.id)
    db.session.commit()
    assert _fresh(db, old).replacement_reason is None


def test_a_request_sent_back_then_removed_frees_the_card(db, world):
    company, admin, old, req = _collect(db, world)
    req.status = "in_review"
    db.session.commit()
    reject_request(company, admin, req.id, "Another photo, please")
    db.session.commit()
    assert _fresh(db, old).replacement_reason == "new_photo"  # still on its way
    remove_request(company, req.id)
    db.session.commit()
    assert _fresh(db, old).replacement_reason is None


def test_removing_the_answer_from_review_frees_the_card(db, world):
    company, admin, old, req = _collect(db, world)
    req.status = "in_review"
    db.session.commit()
    remove_from_review(company, req.id)
    db.session.commit()
    assert _fresh(db, old).replacement_reason is None


def test_an_expired_request_frees_the_card(db, world):
    company, admin, old, req = _collect(db, world)
    send_due_reminders(utcnow() + timedelta(days=400))
    assert db.session.get(CollectionRequest, req.id).status == "expired"
    assert _fresh(db, old).replacement_reason is None


def test_a_cart_card_sent_back_to_review_still_replaces_the_card(db, world):
    company, admin, old, req = _collect(db, world)
    req.status = "in_review"
    db.session.commit()
    item = approve_to_cart(company, admin, req.id)
    db.session.commit()
    remove_cart_item(company, admin, item.id, back_to_review=True)
    db.session.commit()
    assert _fresh(db, old).replacement_reason == "new_photo"
    remove_from_review(company, req.id)  # now it is given up
    db.session.commit()
    assert _fresh(db, old).replacement_reason is None


def test_a_cancelled_order_frees_the_card_and_its_page_lists_no_new_card(db, world, client, make_address):
    company, admin, make = world
    old = make()
    replace_card(company, admin, old, "stolen")
    order = place_order(company, admin, address_id=make_address(company).id)
    db.session.commit()
    assert _fresh(db, old).replacement_reason == "stolen"
    cancel_order(company, admin, order)
    db.session.commit()
    old = _fresh(db, old)
    assert old.replacement_reason is None and old.status == "blocked"
    client.login(admin.email)
    page = html_text(client.get(f"/admin/cards/{old.id}"))
    assert "Replaced by" not in page and "Being replaced" not in page and "Replace card" in page


def test_a_rejected_order_frees_the_card(db, world, make_address, make_user):
    from portal.ordering.checkout import reject_order

    company, admin, make = world
    company.requires_order_approval = True
    approver = make_user(company, role="approver", email="boss@nordbygg.se")
    old = make()
    replace_card(company, admin, old, "damaged")
    order = place_order(company, admin, address_id=make_address(company).id)
    db.session.commit()
    assert order.status == "awaiting_approval"
    reject_order(company, approver, order, "Not needed")
    db.session.commit()
    old = _fresh(db, old)
    assert old.replacement_reason is None and old.status == "active"


def test_another_card_on_its_way_keeps_the_claim(db, world, make_address):
    """Two ways to the new card (the cart card and a second one pointed at it by hand): removing one keeps it."""
    from portal.ordering.operations import set_replacement

    company, admin, make = world
    old = make()
    replace_card(company, admin, old, "damaged")
    db.session.commit()
    first = db.session.scalar(select(CartItem))
    from portal.ordering.operations import add_card_to_cart
    second = add_card_to_cart(company, admin, first.card_type, dict(first.holder_data), None)
    set_replacement(company, admin, second.id, old.id)
    db.session.commit()
    remove_cart_item(company, admin, first.id)
    db.session.commit()
    assert _fresh(db, old).replacement_reason == "damaged"
