"""A photo file shared by several rows (request, cart line, order line, card) is deleted only when none of
them refers to it any more: retention, removal from the cart and card changes give up their own reference."""
import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, update

from portal.cards.models import Card
from portal.cards.operations import approve_card_change, request_card_change, set_production_data
from portal.collection.models import CollectionRequest
from portal.collection.operations import approve_to_cart
from portal.collection.selfservice import save_employee_photo
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db as _db
from portal.ordering.checkout import place_order
from portal.ordering.models import Order, OrderLine
from portal.ordering.operations import remove_cart_item
from portal.printing.models import Printer, PrintJob
from portal.printing.tasks import process_print_queue
from portal.retention.operations import anonymise_all

RED = (200, 30, 30)


def _jpeg(colour=RED) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (800, 1000), colour).save(buf, "JPEG")
    return buf.getvalue()


def _collected_in_cart(db, company, orderer, ct, addr, email="asa@x.se"):
    """The employee answered the request with a photo and the orderer put the card in the cart."""
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email=email, status="in_review",
                            data={"first_name": "Åsa", "last_name": "Öberg"}, address_id=addr.id)
    db.session.add(req)
    db.session.commit()
    save_employee_photo(req, _jpeg(), None, 0)
    item = approve_to_cart(company, orderer, req.id)
    db.session.commit()  # the request commits; operations only flush
    return req, item


def test_an_active_card_keeps_its_collected_photo_when_retention_anonymises_the_request(app, db, client, collect):
    company, orderer, ct, addr = collect
    company.retention_months = 3
    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    db.session.add(printer)
    db.session.commit()
    req, _item = _collected_in_cart(db, company, orderer, ct, addr)
    photo = req.photo_key
    order = place_order(company, orderer, address_id=addr.id)
    db.session.commit()
    card = db.session.scalar(select(Card).where(Card.order_id == order.id))
    assert card.photo_key == photo  # one file: the request's, the order line's and the card's
    set_production_data(card, None, card_number="100200")
    db.session.commit()
    assert card.status == "active"
    old = utcnow() - timedelta(days=200)
    db.session.execute(update(CollectionRequest).where(CollectionRequest.id == req.id).values(updated_at=old))
    db.session.execute(update(Order).where(Order.id == order.id).values(last_activity_at=old))
    db.session.commit()

    counts = anonymise_all()

    assert counts.requests == 1 and counts.orders == 1 and counts.photos == 0
    db.session.expire_all()
    assert db.session.get(CollectionRequest, req.id).photo_key is None  # the request's own data is gone
    card = db.session.get(Card, card.id)
    assert card.photo_key == photo and storage.exists(photo)
    client.login("orderer@nordbygg.se")
    resp = client.get(f"/admin/cards/{card.id}/photo.jpg")
    assert resp.status_code == 200 and resp.get_data()[:2] == b"\xff\xd8"  # a JPEG
    resp.close()
    # A reprint comes out with the photo.
    resp = client.post(f"/admin/cards/{card.id}/print", {"printer_id": printer.id})
    assert resp.status_code == 302
    assert process_print_queue()["printed"] == 1
    job = db.session.scalar(select(PrintJob).where(PrintJob.card_id == card.id))
    with Image.open(Path(job.output)) as printed:
        assert printed.convert("RGB").getpixel((190, 340)) == pytest.approx(RED, abs=25)

    # Once the card is terminated and the period has passed again, the photo goes with the last reference.
    _db.session.execute(update(Card).where(Card.id == card.id).values(status="terminated", status_changed_at=old))
    _db.session.commit()
    assert anonymise_all().photos == 1
    assert not storage.exists(photo)


def test_a_photo_is_deleted_only_when_the_last_row_gives_it_up(db, collect):
    company, orderer, ct, addr = collect
    req, item = _collected_in_cart(db, company, orderer, ct, addr)
    photo = req.photo_key
    # Back to review: the request still has the photo.
    remove_cart_item(company, orderer, item.id, back_to_review=True)
    db.session.commit()
    assert storage.exists(photo)
    # Removed from the cart for good: the request is removed, nothing refers to the photo any more.
    item = approve_to_cart(company, orderer, req.id)
    remove_cart_item(company, orderer, item.id)
    db.session.commit()
    assert db.session.get(CollectionRequest, req.id).photo_key is None
    assert not storage.exists(photo)


def test_a_rolled_back_removal_deletes_no_file(db, collect):
    company, orderer, ct, addr = collect
    req, item = _collected_in_cart(db, company, orderer, ct, addr)
    remove_cart_item(company, orderer, item.id)
    db.session.rollback()
    db.session.commit()
    assert storage.exists(req.photo_key)


def test_a_new_card_photo_leaves_the_order_lines_photo_in_place(db, collect):
    company, orderer, ct, addr = collect
    req, _item = _collected_in_cart(db, company, orderer, ct, addr)
    photo = req.photo_key
    order = place_order(company, orderer, address_id=addr.id)
    db.session.commit()
    card = db.session.scalar(select(Card).where(Card.order_id == order.id))
    change = request_card_change(company, orderer, card, dict(card.holder_data), _jpeg((30, 200, 30)),
                                 holder_email="asa@x.se")
    db.session.commit()
    approve_card_change(change)
    db.session.commit()
    assert card.photo_key != photo
    line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order.id))
    assert line.photo_key == photo and storage.exists(photo)  # the order still shows what was ordered


def test_every_column_named_like_a_storage_key_is_declared(app):
    declared = {(c.class_.__tablename__, c.key) for c in storage.key_columns()}
    found = {(t.name, c.name) for t in _db.metadata.sorted_tables for c in t.columns
             if c.name in ("photo_key", "logo_key", "storage_key", "attachment_key") or c.name.endswith("_file_key")}
    assert found <= declared
