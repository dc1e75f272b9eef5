"""Requirement: a database error in the middle of a CSV import or a checkout leaves nothing half-written.

A failure is injected at every write of the operation in turn (the first INSERT, the second, ... until
the operation gets through), plus a real constraint violation; each time the database and the stored
files are exactly as before, the user reads a clear message, and the cart keeps everything.
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import event, func, select

from portal.infra import storage
from portal.infra.extensions import db as _db
from portal.ordering.models import CartItem, Order
from portal.ordering.operations import add_accessory_to_cart, add_card_to_cart, next_number
from tests.conftest import html_text
from tests.trust.helpers import snapshot as table_rows
from tests.trust.helpers import stored_files

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def failing_write(nth: int):
    """Make the nth write statement fail as a dropped connection or full disk would."""
    seen = {"writes": 0, "failed": False}

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(WRITES):
            seen["writes"] += 1
            if seen["writes"] == nth:
                seen["failed"] = True
                raise conn.dialect.dbapi.OperationalError(f"injected failure on write {nth}")

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def snapshot(app) -> dict:
    """Every table's rows and every stored file, to compare before and after."""
    return {"tables": table_rows(), "files": stored_files(app)}


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (413, 531), (40, 90, 160)).save(buf, "JPEG")
    return buf.getvalue()


def test_a_failure_at_any_write_of_a_checkout_orders_nothing_and_keeps_the_cart(app, client, db, shop):
    company, orderer, ct, acc, addr = shop
    add_card_to_cart(company, orderer, ct, {"first_name": "Åsa", "last_name": "Öberg"}, storage.save(_jpeg(), "photos", "jpg"))
    add_card_to_cart(company, orderer, ct, {"first_name": "Bo", "last_name": "Ek"}, storage.save(_jpeg(), "photos", "jpg"))
    add_accessory_to_cart(company, orderer, acc.id, 3)
    db.session.commit()
    client.login(orderer.email)
    before = snapshot(app)
    nth = 0
    while True:
        nth += 1
        client.csrf()  # fetch the token outside the injected window
        with failing_write(nth) as seen:
            resp = client.post("/admin/cart/checkout", {"address_id": addr.id, "reference": "PO-9"})
        if not seen["failed"]:
            break  # every write point has been tried: this time the checkout went through
        assert resp.status_code == 503, (nth, resp.status_code)
        assert "Nothing was ordered and your cart is unchanged" in html_text(resp), nth
        assert snapshot(app) == before, f"checkout left something behind when write {nth} failed"
        cart = html_text(client.get("/admin/cart/"))
        assert "Åsa" in cart and "Bo" in cart and "Lanyard" in cart
    assert nth > 8  # order, 2 x (line, card, status event), accessory line, cart deletes, audit, email
    assert resp.status_code == 200 and "PO-9" in html_text(client.get("/admin/orders/"))
    assert db.session.scalar(select(func.count()).select_from(CartItem)) == 0


def test_an_order_number_clash_orders_nothing_and_keeps_the_cart(app, client, db, shop, make_company):
    company, orderer, ct, acc, addr = shop
    add_card_to_cart(company, orderer, ct, {"first_name": "Åsa", "last_name": "Öberg"}, storage.save(_jpeg(), "photos", "jpg"))
    # Another order already carries the number this checkout will draw (a restored backup, a bad import).
    other = make_company("Beta AB")
    number = next_number("order", "CW")
    db.session.rollback()
    db.session.add(Order(company_id=other.id, number=number, total=Decimal(0), status="placed"))
    db.session.commit()
    client.login(orderer.email)
    before = snapshot(app)
    resp = client.post("/admin/cart/checkout", {"address_id": addr.id})
    assert resp.status_code == 503
    assert "Nothing was ordered and your cart is unchanged" in html_text(resp)
    assert snapshot(app) == before


def test_a_failure_at_any_write_of_a_csv_import_stores_no_row(app, client, db, collect):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    rows = "EMAIL,First name,Last name\nasa@x.se,Åsa,Öberg\nbo@x.se,Bo,Ek\ncyd@x.se,Cyd,Al\n".encode()
    before = snapshot(app)
    nth = 0
    while True:
        nth += 1
        client.csrf()
        with failing_write(nth) as seen:
            resp = client.post("/admin/collection/upload", {"card_type_id": ct.id, "collect_by_email": "yes",
                                                           "file": (io.BytesIO(rows), "people.csv")},
                               content_type="multipart/form-data")
        if not seen["failed"]:
            break
        assert resp.status_code == 422, (nth, resp.status_code)
        assert "Nothing was imported" in html_text(resp), nth
        assert snapshot(app) == before, f"the import left rows behind when write {nth} failed"
    assert nth > 3  # batch, the requests, their emails, the audit event
    assert resp.status_code == 302
    pending = html_text(client.get("/admin/collection/pending"))
    assert "asa@x.se" in pending and "cyd@x.se" in pending


def test_a_database_error_elsewhere_answers_a_clear_page_and_saves_nothing(app, client, db, shop):
    company, orderer, ct, acc, addr = shop
    client.login(orderer.email)
    before = snapshot(app)
    client.csrf()
    with failing_write(1):
        resp = client.post("/admin/order-cards/accessories", {"accessory_id": acc.id, "quantity": 2})
    assert resp.status_code == 503
    assert "nothing was saved" in html_text(resp)
    assert snapshot(app) == before


def test_a_failure_while_saving_an_employees_photo_leaves_no_file_behind(app, client, db, collect, photo_bytes):
    from portal.collection.models import CollectionRequest
    from portal.collection.operations import issue_link
    from portal.infra.db_types import utcnow

    company, orderer, ct, addr = collect
    now = utcnow()
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="emp@x.se", language="en",
                            sent_at=now, last_sent_at=now, expires_at=now.replace(year=now.year + 1))
    token = issue_link(req)
    db.session.add(req)
    db.session.commit()
    before = snapshot(app)
    client.csrf()
    with failing_write(1) as seen:
        resp = client.post(f"/r/{token}/photo", {"photo": (io.BytesIO(photo_bytes()), "me.jpg")},
                           content_type="multipart/form-data")
    assert seen["failed"] and resp.status_code == 503
    assert "nothing was saved" in html_text(resp)
    assert snapshot(app) == before  # no row changed and no photo file left on disk
    # The same upload goes through once the database is back.
    resp = client.post(f"/r/{token}/photo", {"photo": (io.BytesIO(photo_bytes()), "me.jpg")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    assert len(snapshot(app)["files"]) == len(before["files"]) + 1
