"""Being told: the emails each user chose in My account, sent through the outbox in their language."""
import io

import pytest
from sqlalchemy import select

from portal.cards.models import Card
from portal.cards.production import import_production_file
from portal.collection.models import CollectionRequest
from portal.notifications.operations import KIND_KEYS, set_wanted_kinds, wanted_kinds
from portal.ordering.checkout import approve_order, place_order, reject_order
from portal.ordering.models import Order
from portal.ordering.operations import OrderingError, add_card_to_cart
from portal.ordering.shipping import import_tracking_numbers, ship_order
from portal.outbox.models import OutboxEmail
from portal.outbox.tasks import send_pending_emails
from portal.tenancy.models import Membership
from tests.conftest import html_text
from tests.fixtures.servers import body_text
from tests.ordering.test_order_and_card_status import HOLDER, _order


def _mails(db, kind):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == kind).order_by(OutboxEmail.id)).all()


@pytest.fixture()
def operator(make_user):
    return make_user(None, email="op@bureau.se", is_operator=True)


@pytest.fixture()
def portal_account(db, shop):
    from portal.customers.models import AccessRight, PortalAccount
    from portal.customers.operations import portal_settings, save_account

    portal_settings().enabled = True
    right = AccessRight(name="Jobs", can_view_jobs=True)
    db.session.add(right)
    db.session.flush()
    account = PortalAccount(company_id=shop[0].id, access_right_id=right.id, email="finance@nordbygg.se")
    save_account(account, username="Nordbygg", password="portal password 1")
    db.session.add(account)
    db.session.commit()
    return account


def test_every_kind_is_on_until_the_user_turns_it_off(db, shop):
    _company, orderer, *_ = shop
    assert wanted_kinds(orderer) == set(KIND_KEYS)
    set_wanted_kinds(orderer, KIND_KEYS - {"order_shipped"})
    db.session.commit()
    assert wanted_kinds(orderer) == set(KIND_KEYS) - {"order_shipped"}
    set_wanted_kinds(orderer, KIND_KEYS)
    db.session.commit()
    assert wanted_kinds(orderer) == set(KIND_KEYS)


def test_approved_and_sent_back_reach_the_orderer_through_smtp_unless_turned_off(db, shop, make_user, smtp_server):
    company, orderer, *_ = shop
    company.requires_order_approval = True
    approver = make_user(company, role="admin", email="boss@nordbygg.se")
    first, second, third = _order(db, shop), _order(db, shop), _order(db, shop)
    approve_order(company, approver, first)
    reject_order(company, approver, second, "Wrong department")
    db.session.commit()
    send_pending_emails()
    mails = smtp_server.wait_for(orderer.email, count=3)  # placed x3 is one kind; count what we asked for
    texts = [body_text(m) for m in smtp_server.to(orderer.email)]
    assert any(first.number in t and "approved" in t for t in texts)
    assert any(second.number in t and "Wrong department" in t for t in texts)
    assert mails
    set_wanted_kinds(orderer, KIND_KEYS - {"order_decided"})
    approve_order(company, approver, third)
    db.session.commit()
    assert [m.subject for m in _mails(db, "order_approved")] == [_mails(db, "order_approved")[0].subject]


def test_cards_ready_moves_the_order_and_tells_the_orderer_in_swedish(db, shop, operator):
    company, orderer, *_ = shop
    orderer.language = "sv"
    order = _order(db, shop, n=2)
    first, second = db.session.scalars(select(Card).where(Card.order_id == order.id).order_by(Card.id)).all()
    import_production_file(f"card id,card number\n{first.id},N-1\n".encode(), operator)
    db.session.commit()
    assert db.session.get(Order, order.id).status == "in_production" and not _mails(db, "order_ready")
    import_production_file(f"card id,card number\n{second.id},N-2\n".encode(), operator)
    db.session.commit()
    assert db.session.get(Order, order.id).status == "ready"  # left "In production" with its last card
    [mail] = _mails(db, "order_ready")
    assert mail.to == orderer.email and "är klara" in mail.subject and "Mitt konto" in mail.body_html


def test_order_is_ready_when_its_last_unfinished_card_is_terminated(db, shop, operator):
    from portal.cards.operations import terminate_card

    company, orderer, *_ = shop
    order = _order(db, shop, n=2)
    first, second = db.session.scalars(select(Card).where(Card.order_id == order.id).order_by(Card.id)).all()
    import_production_file(f"card id,card number\n{first.id},N-1\n".encode(), operator)
    db.session.commit()
    assert db.session.get(Order, order.id).status == "in_production"
    terminate_card(company, orderer, second, "Left the company")
    db.session.commit()
    assert db.session.get(Order, order.id).status == "ready"  # it no longer waits for a card that will not come
    [mail] = _mails(db, "order_ready")
    assert "The card of your order" in mail.body_text


def test_someone_who_left_the_company_hears_nothing_more_of_it(db, shop, operator):
    company, orderer, *_ = shop
    order = _order(db, shop)
    for m in orderer.memberships:
        m.active = False
    db.session.commit()
    ship_order(order, operator, "T-9")
    db.session.commit()
    assert db.session.get(Order, order.id).status == "shipped" and not _mails(db, "order_shipped")


def test_cards_ready_turned_off_moves_the_order_but_sends_nothing(db, shop, operator):
    _company, orderer, *_ = shop
    set_wanted_kinds(orderer, KIND_KEYS - {"cards_ready"})
    order = _order(db, shop)
    card = db.session.scalar(select(Card).where(Card.order_id == order.id))
    import_production_file(f"card id,card number\n{card.id},N-7\n".encode(), operator)
    db.session.commit()
    assert db.session.get(Order, order.id).status == "ready" and not _mails(db, "order_ready")


def test_operator_ships_with_a_tracking_number_and_the_orderer_sees_it(db, shop, operator, smtp_server):
    _company, orderer, *_ = shop
    order = _order(db, shop)
    with pytest.raises(OrderingError):
        ship_order(order, orderer, "XY123")  # only the operator ships
    with pytest.raises(OrderingError):
        ship_order(order, operator, "  ")
    ship_order(order, operator, "JJFI6512345", "PostNord")
    db.session.commit()
    order = db.session.get(Order, order.id)
    assert (order.status, order.tracking_number, order.carrier) == ("shipped", "JJFI6512345", "PostNord")
    ship_order(order, operator, "JJFI6512345", "PostNord")  # the same again tells nobody twice
    db.session.commit()
    assert len(_mails(db, "order_shipped")) == 1
    send_pending_emails()
    [msg] = [m for m in smtp_server.wait_for(orderer.email, count=2) if "shipped" in m["Subject"]]
    assert "JJFI6512345" in body_text(msg) and "PostNord" in body_text(msg)


def test_tracking_import_checks_every_row_first_then_ships_all(db, shop, operator):
    company, _orderer, *_ = shop
    a, b = _order(db, shop), _order(db, shop)
    bad = import_tracking_numbers(f"order number;tracking number\n{a.number};T-1\nCW-NOPE;T-2\n{b.number};\n".encode(),
                                  operator)
    assert [e.line for e in bad.errors] == [3, 4] and bad.shipped == 0
    db.session.commit()
    assert db.session.get(Order, a.id).status == "placed"
    good = import_tracking_numbers(f"Order number,Tracking number,Carrier\n{a.number},T-1,DHL\n{b.number},T-2,\n"
                                   .encode(), operator)
    db.session.commit()
    assert good.shipped == 2 and not good.errors
    assert [(o.status, o.tracking_number, o.carrier) for o in (db.session.get(Order, a.id), db.session.get(Order, b.id))] \
        == [("shipped", "T-1", "DHL"), ("shipped", "T-2", "")]
    assert len(_mails(db, "order_shipped")) == 2


def test_print_job_failed_tells_the_cards_orderer(db, shop):
    from portal.printing.models import Printer, PrintJob
    from portal.printing.signals import print_job_failed

    company, orderer, *_ = shop
    order = _order(db, shop)
    card = db.session.scalar(select(Card).where(Card.order_id == order.id))
    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    db.session.add(printer)
    db.session.flush()
    job = PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id, status="failed", error="jam")
    db.session.add(job)
    db.session.flush()
    print_job_failed.send(job)
    db.session.commit()
    [mail] = _mails(db, "print_job_failed")
    assert mail.to == orderer.email and card.holder_name in mail.body_text


def test_the_expiry_digest_goes_only_to_orderers_who_want_it(db, shop, make_user):
    """Renewal's digest before cards expire honours "Cards I ordered expire soon" in My account."""
    from datetime import timedelta

    from portal.infra.db_types import utcnow
    from portal.renewal.expiry import queue_digest

    company, orderer, ct, _acc, _addr = shop
    other = make_user(company, role="orderer", email="other@nordbygg.se")
    _order(db, shop, n=2)
    add_card_to_cart(company, other, ct, HOLDER, "photos/abcdefgh12.jpg")
    place_order(company, other, address_id=shop[4].id)
    set_wanted_kinds(other, KIND_KEYS - {"cards_expiring"})
    today = utcnow().date()
    cards = db.session.scalars(select(Card).where(Card.company_id == company.id)).all()
    for card in cards:
        card.valid_until = today + timedelta(days=30)
    db.session.commit()
    mine = [c.id for c in cards if c.orderer_id == orderer.id]
    theirs = [c.id for c in cards if c.orderer_id == other.id]
    assert queue_digest(company, orderer, mine, today) and not queue_digest(company, other, theirs, today)
    db.session.commit()
    [mail] = _mails(db, "card_expiry_digest")
    assert mail.to == orderer.email and "Åsa1 Öberg" in mail.body_text and "My account" in mail.body_text


def test_round_finished_when_everyone_invited_has_answered(db, collect):
    from portal.collection.operations import import_csv
    from portal.collection.selfservice import confirm_request

    company, orderer, ct, addr = collect
    data = "EMAIL,First name,Last name\na@x.se,Åsa,Öberg\nb@x.se,Bo,Ek\nc@x.se,Cia,Berg\n".encode()
    assert import_csv(company, orderer, ct, data, collect_by_email=True, address_id=addr.id).created == 3
    db.session.commit()
    requests = db.session.scalars(select(CollectionRequest).order_by(CollectionRequest.id)).all()
    for req in requests:
        req.photo_key = "photos/abcdefgh12.jpg"
    for req in requests[:2]:
        confirm_request(req)
        db.session.commit()
        assert not _mails(db, "collection_round_finished")
    confirm_request(requests[2])
    db.session.commit()
    [mail] = _mails(db, "collection_round_finished")
    assert mail.to == orderer.email and "3 cards" in mail.body_text


def test_a_pasted_round_is_the_requests_sent_together(db, collect):
    from portal.collection.email_list import split_email_list
    from portal.collection.operations import send_requests
    from portal.collection.selfservice import confirm_request

    company, orderer, ct, addr = collect
    first = send_requests(company, orderer, ct, split_email_list("a@x.se, b@x.se").valid, address_id=addr.id)
    db.session.commit()
    later = send_requests(company, orderer, ct, split_email_list("c@x.se").valid, address_id=addr.id)
    db.session.commit()
    for req in first + later:
        req.photo_key = "photos/abcdefgh12.jpg"
        req.data = {"first_name": "Åsa", "last_name": "Öberg"}
    confirm_request(later[0])  # a round of its own: told at once
    confirm_request(first[0])
    db.session.commit()
    assert [m.body_text.count("1 card waits") for m in _mails(db, "collection_round_finished")] == [1]
    confirm_request(first[1])
    db.session.commit()
    assert "2 cards wait" in _mails(db, "collection_round_finished")[-1].body_text


def test_my_account_shows_and_saves_the_email_choices(client, db, shop):
    _company, orderer, *_ = shop
    client.login(orderer.email)
    page = html_text(client.get("/account"))
    assert "Emails I get" in page and "My order is shipped" in page
    client.post("/account/notifications", {"kind": ["order_decided", "cards_ready"]})
    assert wanted_kinds(orderer) == {"order_decided", "cards_ready"}
    assert 'value="order_shipped" id="kind-order_shipped" aria-describedby="kind-order_shipped-hint" >' in \
        client.get("/account").get_data(as_text=True)  # unticked now


def test_operator_marks_shipped_on_the_order_and_the_portal_job_shows_it(client, db, shop, operator, make_user,
                                                                        portal_account):
    company, orderer, *_ = shop
    order = _order(db, shop)
    client.login(orderer.email)
    assert "Mark as shipped" not in html_text(client.get(f"/admin/orders/details/?id={order.id}"))
    assert client.post("/admin/orders/ship/", {"id": order.id, "tracking_number": "X1"}).status_code == 403
    client.post("/logout")
    db.session.add(Membership(user_id=operator.id, company_id=company.id, role="admin"))
    db.session.commit()
    client.login(operator.email)
    client.post("/admin/orders/ship/", {"id": order.id, "tracking_number": "JJFI42", "carrier": "PostNord"})
    page = html_text(client.get(f"/admin/orders/details/?id={order.id}"))
    assert "Shipped" in page and "JJFI42 (PostNord)" in page
    resp = client.post("/admin/shipping/", {"file": (io.BytesIO(b"order number;tracking number\nCW-NONE;T\n"), "t.csv")},
                       content_type="multipart/form-data")
    assert "No order has this number." in html_text(resp)
    client.post("/logout")
    client.post("/portal/login", {"username": "Nordbygg", "password": "portal password 1"})
    assert "JJFI42 (PostNord)" in html_text(client.get(f"/portal/jobs/{order.id}"))
