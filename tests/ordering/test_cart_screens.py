"""The cart through the screens: editing a line, per-card addresses through checkout, and the offer to put
cards from data collection back in review instead of losing them."""
import io

from sqlalchemy import select

from portal.collection.models import CollectionRequest
from portal.collection.operations import approve_to_cart
from portal.infra.extensions import db as _db
from portal.ordering.checkout import place_order
from portal.ordering.models import CartItem, Order, OrderLine
from tests.conftest import html_text


def _collected(db, company, ct, addr, first="Åsa"):
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email=f"{first.lower()}@x.se",
                            status="in_review", data={"first_name": first, "last_name": "Öberg"},
                            photo_key="photos/abcdefgh12.jpg", address_id=addr.id if addr else None)
    db.session.add(req)
    db.session.commit()
    return req


def test_cart_line_is_edited_with_inline_errors_and_keeps_its_photo(client, db, shop, make_address, jpeg_bytes):
    company, orderer, ct, acc, addr = shop
    site = make_address(company, "Site office")
    client.login(orderer.email)
    client.post(f"/admin/order-cards/?card_type={ct.id}", {"card_type": ct.id, "action": "cart", "first_name": "Åsa",
                "last_name": "Öberg", "photo": (io.BytesIO(jpeg_bytes()), "me.jpg")}, content_type="multipart/form-data")
    item = db.session.scalar(select(CartItem))
    photo = item.photo_key
    edit = html_text(client.get(f"/admin/cart/item/{item.id}/edit"))
    assert "Åsa" in edit and "Öberg" in edit
    bad = client.post(f"/admin/cart/item/{item.id}/edit", {"first_name": "", "last_name": "Ek",
                                                          "national_id": "850101-0007"})
    text = html_text(bad)
    assert bad.status_code == 200 and "Please fill in First name" in text and 'value="Ek"' in bad.get_data(as_text=True)
    assert "Not a valid Swedish personal identity number" in text
    pdf = client.post(f"/admin/cart/item/{item.id}/edit", {"first_name": "Åsa", "last_name": "Ek",
                      "photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "me.pdf")}, content_type="multipart/form-data")
    assert pdf.status_code == 200 and "Card updated" not in html_text(pdf) and "is-invalid" in pdf.get_data(as_text=True)
    client.post(f"/admin/cart/item/{item.id}/edit", {"first_name": "Åsa", "last_name": "Ek", "address_id": site.id})
    db.session.expire_all()
    item = db.session.get(CartItem, item.id)
    assert item.holder_data["last_name"] == "Ek" and item.photo_key == photo and item.address_id == site.id
    cart = html_text(client.get("/admin/cart/"))
    assert "Åsa Ek" in cart and "Site office" in cart


def test_per_card_addresses_survive_checkout(client, db, shop, make_address):
    company, orderer, ct, acc, addr = shop
    site = make_address(company, "Site office", for_collection=True, street="Byggvägen 9")
    approve_to_cart(company, orderer, _collected(db, company, ct, site).id)
    _db.session.commit()  # the request commits; operations only flush
    approve_to_cart(company, orderer, _collected(db, company, ct, None, first="Bo").id)
    _db.session.commit()  # the request commits; operations only flush
    client.login(orderer.email)
    checkout = html_text(client.get("/admin/cart/checkout"))
    assert "Cards with their own delivery address keep it" in checkout
    client.post("/admin/cart/checkout", {"address_id": addr.id, "reference": "PO-7"})
    order = db.session.scalar(select(Order))
    lines = {line.holder_name: line for line in db.session.scalars(select(OrderLine))}
    assert lines["Åsa Öberg"].delivery["street"] == "Byggvägen 9"
    assert lines["Bo Öberg"].delivery is None and order.delivery["name"] == "Head office"
    details = html_text(client.get(f"/admin/orders/details/?id={order.id}"))
    assert "Byggvägen 9" in details and "Head office" in details


def test_removing_a_collected_card_offers_to_put_it_back_in_review(client, db, shop):
    company, orderer, ct, acc, addr = shop
    req = _collected(db, company, ct, addr)
    item = approve_to_cart(company, orderer, req.id)
    _db.session.commit()  # the request commits; operations only flush
    client.login(orderer.email)
    offer = html_text(client.get(f"/admin/cart/item/{item.id}/remove"))
    assert "Put back in In review" in offer and "Remove for good" in offer and "Åsa Öberg" in offer
    client.post(f"/admin/cart/item/{item.id}/edit", {"first_name": "Åsa", "last_name": "Berg", "address_id": addr.id})
    resp = client.post(f"/admin/cart/item/{item.id}/remove", {"back_to_review": "1"}, follow_redirects=True)
    assert "back in In review" in html_text(resp)
    db.session.expire_all()
    req = db.session.get(CollectionRequest, req.id)
    assert req.status == "in_review" and req.data["last_name"] == "Berg"  # the edit made in the cart is kept
    assert req.photo_key == "photos/abcdefgh12.jpg"
    assert "Åsa Berg" in html_text(client.get("/admin/collection/review"))


def test_clearing_a_cart_with_collected_cards_offers_to_put_them_back(client, db, shop):
    company, orderer, ct, acc, addr = shop
    first, second = _collected(db, company, ct, addr), _collected(db, company, ct, addr, first="Bo")
    approve_to_cart(company, orderer, first.id)
    _db.session.commit()  # the request commits; operations only flush
    approve_to_cart(company, orderer, second.id)
    _db.session.commit()  # the request commits; operations only flush
    client.login(orderer.email)
    assert "Put back in In review" in html_text(client.get("/admin/cart/clear"))
    client.post("/admin/cart/clear", {"back_to_review": "1"})
    db.session.expire_all()
    assert db.session.scalar(select(CartItem)) is None
    statuses = {r.status for r in db.session.scalars(select(CollectionRequest))}
    assert statuses == {"in_review"}
    # and for good: the requests are removed, their data no longer offered for review
    approve_to_cart(company, orderer, first.id)
    _db.session.commit()  # the request commits; operations only flush
    approve_to_cart(company, orderer, second.id)
    _db.session.commit()  # the request commits; operations only flush
    client.post("/admin/cart/clear", {"back_to_review": "0"})
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(CollectionRequest))} == {"removed"}


def test_cart_without_collected_cards_needs_no_offer(client, db, shop):
    company, orderer, ct, acc, addr = shop
    client.login(orderer.email)
    assert client.get("/admin/cart/clear").headers["Location"].endswith("/admin/cart/")


def test_approver_approves_or_rejects_with_a_reason_on_the_approvals_screen(app, client, db, shop, make_user):
    from portal.ordering.operations import add_accessory_to_cart
    from portal.outbox.models import OutboxEmail

    company, orderer, ct, acc, addr = shop
    company.requires_order_approval = True
    make_user(company, role="approver", email="boss@x.se", name="Berit")
    add_accessory_to_cart(company, orderer, acc.id, 1)
    first = place_order(company, orderer, address_id=addr.id, reference="PO-1")
    add_accessory_to_cart(company, orderer, acc.id, 1)
    second = place_order(company, orderer, address_id=addr.id, reference="PO-2")
    db.session.commit()
    client.login("boss@x.se")
    waiting = html_text(client.get("/admin/approvals/"))
    assert first.number in waiting and second.number in waiting and "1 × Lanyard" in waiting
    resp = client.post("/admin/approvals/decide", {"id": first.id, "decision": "reject", "reason": " "},
                       follow_redirects=True)
    assert "Write a reason" in html_text(resp)
    client.post("/admin/approvals/decide", {"id": first.id, "decision": "reject", "reason": "Wrong cost centre"})
    client.post("/admin/approvals/decide", {"id": second.id, "decision": "approve"})
    db.session.expire_all()
    assert (db.session.get(Order, first.id).status, db.session.get(Order, second.id).status) == ("rejected", "placed")
    mails = {m.kind: m for m in db.session.scalars(select(OutboxEmail).where(OutboxEmail.to == orderer.email))}
    assert "Wrong cost centre" in mails["order_rejected"].body_text and "order_approved" in mails
    assert "No orders are waiting for approval" in html_text(client.get("/admin/approvals/"))
    theirs = type(client)(app.test_client())
    theirs.login(orderer.email)
    assert theirs.post("/admin/approvals/decide", {"id": first.id, "decision": "approve"}).status_code == 403


def test_accessories_need_a_common_address_even_when_every_card_has_its_own(client, db, shop, make_address):
    company, orderer, ct, acc, addr = shop
    site = make_address(company, "Site office", for_collection=True)
    approve_to_cart(company, orderer, _collected(db, company, ct, site).id)
    _db.session.commit()  # the request commits; operations only flush
    client.login(orderer.email)
    assert "Keep each card" in html_text(client.get("/admin/cart/checkout"))
    client.post("/admin/order-cards/accessories", {"accessory_id": acc.id, "quantity": "3"})
    checkout = client.get("/admin/cart/checkout")
    assert "Keep each card" not in html_text(checkout)
    resp = client.post("/admin/cart/checkout", {"address_id": "own"})
    assert "Choose a delivery address for the accessories" in html_text(resp)
    assert db.session.scalar(select(Order)) is None
    client.post("/admin/cart/checkout", {"address_id": addr.id})
    order = db.session.scalar(select(Order))
    assert order.delivery["name"] == "Head office"
    assert db.session.scalar(select(OrderLine).where(OrderLine.kind == "card")).delivery["name"] == "Site office"
