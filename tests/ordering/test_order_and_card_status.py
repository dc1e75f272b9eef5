"""Ordering asks the cards feature to terminate cards; every order and card status move is conditional;
an order follows its cards to "Cards ready" and its orderer is told."""
import re
import threading

import pytest
from sqlalchemy import select

from portal.cards.models import Card, CardChange, CardStatusEvent
from portal.cards.operations import request_card_change
from portal.cards.production import import_production_file
from portal.ordering.checkout import approve_order, cancel_order, place_order
from portal.ordering.models import Order
from portal.ordering.operations import OrderingError, add_card_to_cart
from portal.outbox.models import OutboxEmail
from portal.printing.models import Printer, PrintJob
from tests.conftest import html_text

HOLDER = {"first_name": "Åsa", "last_name": "Öberg"}


def _order(db, shop, n=1):
    company, orderer, ct, _acc, addr = shop
    for i in range(n):
        add_card_to_cart(company, orderer, ct, {**HOLDER, "first_name": f"Åsa{i}"}, "photos/abcdefgh12.jpg")
    order = place_order(company, orderer, address_id=addr.id)
    db.session.commit()
    return order


def test_cancelled_order_closes_the_holders_pending_change_and_the_link_says_so(client, db, shop, make_user):
    company, orderer, *_ = shop
    order = _order(db, shop)
    card = db.session.scalar(select(Card).where(Card.order_id == order.id))
    before = card.status_changed_at
    change = request_card_change(company, orderer, card, {"first_name": "Mallory", "last_name": "Öberg"},
                                 holder_email="asa@nordbygg.se")
    db.session.commit()
    link = re.search(r"(/r/change/[A-Za-z0-9_-]+)", db.session.scalar(
        select(OutboxEmail.body_text).where(OutboxEmail.kind == "card_change_request"))).group(1)
    cancel_order(company, orderer, order)
    db.session.commit()
    db.session.expire_all()
    card = db.session.get(Card, card.id)
    assert card.status == "terminated" and card.status_changed_at >= before
    assert [e.to_status for e in db.session.scalars(select(CardStatusEvent).where(CardStatusEvent.card_id == card.id)
                                                    .order_by(CardStatusEvent.id))] == ["ordered", "terminated"]
    assert db.session.get(CardChange, change.id).state == "closed"
    page = client.get(link)
    assert page.status_code == 410 and "no longer in use" in html_text(page)
    assert client.post(link, {"decision": "approve"}).status_code == 410
    db.session.expire_all()
    assert db.session.get(Card, card.id).holder_name == "Åsa0 Öberg"  # approving can no longer rename it


def test_blocking_a_card_cancels_its_queued_prints(db, shop):
    from portal.cards.operations import block_card, set_production_data

    company, orderer, *_ = shop
    order = _order(db, shop)
    card = db.session.scalar(select(Card).where(Card.order_id == order.id))
    set_production_data(card, None, card_number="C-1")
    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    db.session.add(printer)
    db.session.flush()
    db.session.add(PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id))
    db.session.commit()
    block_card(company, orderer, card, "Lost")
    db.session.commit()
    assert db.session.scalar(select(PrintJob.status)) == "cancelled"


def test_order_becomes_cards_ready_when_all_its_cards_are_active_and_the_orderer_is_told(db, shop, make_user):
    company, orderer, *_ = shop
    operator = make_user(None, email="op@bureau.se", is_operator=True)
    order = _order(db, shop, n=2)
    first, second = db.session.scalars(select(Card).where(Card.order_id == order.id).order_by(Card.id)).all()
    result = import_production_file(f"card id,card number\n{first.id},N-1\n".encode(), operator)
    db.session.commit()
    assert not result.errors
    db.session.refresh(order)
    assert order.status == "in_production"  # one card is still being made
    assert not db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "order_ready")).all()
    import_production_file(f"card id,card number\n{second.id},N-2\n".encode(), operator)
    db.session.commit()
    db.session.refresh(order)
    assert order.status == "ready"
    [mail] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "order_ready")).all()
    assert mail.to == orderer.email and order.number in mail.subject and "2 cards" in mail.body_text


def test_order_ready_email_reads_in_swedish(db, shop):
    company, orderer, *_ = shop
    orderer.language = "sv"
    order = _order(db, shop)
    card = db.session.scalar(select(Card).where(Card.order_id == order.id))
    import_production_file(f"card id,card number\n{card.id},N-9\n".encode(), orderer)
    db.session.commit()
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "order_ready"))
    assert "är klara" in mail.subject and "tillverkat och aktivt" in mail.body_text


def test_approve_and_cancel_at_the_same_moment_leave_one_consistent_outcome(app, db, shop, make_user):
    """Two sessions, two threads: one wins, the other is told; never a placed order with terminated cards."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    from portal.infra.extensions import db as _db
    from portal.tenancy.models import Company, User

    company, orderer, *_ = shop
    company.requires_order_approval = True
    approver = make_user(company, role="admin", email="boss@nordbygg.se")
    order = _order(db, shop, n=2)
    assert order.status == "awaiting_approval"
    ids = company.id, orderer.id, approver.id, order.id
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), {}

    def run(name):
        with app.app_context():
            c, o, a = (_db.session.get(Company, ids[0]), _db.session.get(User, ids[1]), _db.session.get(User, ids[2]))
            order_ = _db.session.get(Order, ids[3])
            barrier.wait()
            try:
                if name == "approve":
                    approve_order(c, a, order_)
                else:
                    cancel_order(c, o, order_)
                _db.session.commit()
                outcomes[name] = "won"
            except OrderingError as exc:
                _db.session.rollback()
                outcomes[name] = str(exc)
            finally:
                _db.session.remove()

    for _ in range(5):  # a few rounds: the interleaving differs
        db.session.execute(Order.__table__.update().where(Order.id == order.id).values(status="awaiting_approval"))
        db.session.execute(Card.__table__.update().where(Card.order_id == order.id).values(status="ordered"))
        db.session.commit()
        outcomes.clear()
        threads = [threading.Thread(target=run, args=(n,)) for n in ("approve", "cancel")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(v == "won" for v in outcomes.values()) == [False, True], outcomes
        loser = next(v for v in outcomes.values() if v != "won")
        assert "changed at the same moment" in loser
        db.session.expire_all()
        status = db.session.get(Order, order.id).status
        cards = frozenset(db.session.scalars(select(Card.status).where(Card.order_id == order.id)))
        assert (status, cards) in {("placed", frozenset({"ordered"})), ("cancelled", frozenset({"terminated"}))}


def test_two_status_moves_of_one_card_at_the_same_moment_write_one_history(app, db, shop):
    """Block and terminate at once: one wins, the other is told; the history has one event, not two."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    from portal.cards.operations import CardError, block_card, set_production_data, terminate_card
    from portal.infra.extensions import db as _db
    from portal.tenancy.models import Company, User

    company, orderer, *_ = shop
    order = _order(db, shop)
    card = db.session.scalar(select(Card).where(Card.order_id == order.id))
    set_production_data(card, None, card_number="N-7")
    db.session.commit()
    ids = company.id, orderer.id, card.id
    barrier, outcomes = threading.Barrier(2), {}

    def run(name):
        with app.app_context():
            c, u, card_ = _db.session.get(Company, ids[0]), _db.session.get(User, ids[1]), _db.session.get(Card, ids[2])
            barrier.wait()
            try:
                (block_card if name == "block" else terminate_card)(c, u, card_, "Lost")
                _db.session.commit()
                outcomes[name] = "won"
            except CardError as exc:
                _db.session.rollback()
                outcomes[name] = str(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in ("block", "terminate")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(v == "won" for v in outcomes.values()) == [False, True], outcomes
    assert "same moment" in next(v for v in outcomes.values() if v != "won")
    events = db.session.scalars(select(CardStatusEvent.to_status).where(CardStatusEvent.card_id == card.id)
                                .order_by(CardStatusEvent.id)).all()
    assert events[:2] == ["ordered", "active"] and len(events) == 3
