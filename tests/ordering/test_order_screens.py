"""Ordering through the screens: order form, cart, checkout, order history, isolation."""
import io

from sqlalchemy import select

from portal.ordering.models import CartItem, Order
from tests.conftest import html_text


def _order_card(client, ct, photo, **fields):
    data = {"card_type": ct.id, "action": "cart", "first_name": "Åsa", "last_name": "Öberg", **fields}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "me.jpg")
    return client.post(f"/admin/order-cards/?card_type={ct.id}", data, content_type="multipart/form-data")


def test_orderer_orders_a_card_with_photo_and_finds_the_order(client, db, shop, jpeg_bytes):
    company, orderer, ct, acc, addr = shop
    client.login(orderer.email)
    form = client.get(f"/admin/order-cards/?card_type={ct.id}")
    text = html_text(form)
    assert "First name" in text and "Personal identity number" in text and "Department" in text
    resp = _order_card(client, ct, jpeg_bytes())
    assert resp.status_code == 302
    cart = client.get("/admin/cart/")
    assert "Employee badge: Åsa Öberg" in html_text(cart)
    item = db.session.scalar(select(CartItem))
    photo = client.get(f"/admin/cart/photo/{item.id}.jpg")
    assert photo.mimetype == "image/jpeg" and photo.data[:2] == b"\xff\xd8"
    photo.close()
    done = client.post("/admin/cart/checkout", {"address_id": addr.id, "reference": "PO-42"})
    assert "is placed" in html_text(done)
    order = db.session.scalar(select(Order))
    history = html_text(client.get("/admin/orders/?search=öberg"))
    assert order.number in history and "PO-42" in history
    details = html_text(client.get(f"/admin/orders/details/?id={order.id}"))
    assert "Åsa Öberg" in details and "Head office" in details


def test_missing_required_field_shows_inline_error_and_keeps_values(client, db, shop, jpeg_bytes):
    company, orderer, ct, *_ = shop
    client.login(orderer.email)
    resp = _order_card(client, ct, jpeg_bytes(), last_name="")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Please fill in Last name" in body
    assert 'value="Åsa"' in body  # what was typed is kept
    assert "Photo received" in body  # and the valid photo is kept too
    assert db.session.scalar(select(CartItem)) is None


def test_a_file_that_is_not_a_picture_is_refused_clearly(client, db, shop):
    company, orderer, ct, *_ = shop
    client.login(orderer.email)
    resp = _order_card(client, ct, b"%PDF-1.4 not a photo")
    assert resp.status_code == 200 and "not a picture" in html_text(resp)


def test_viewer_sees_history_but_cannot_order(client, db, shop, make_user):
    company, *_ = shop
    viewer = make_user(company, role="viewer", email="viewer@nordbygg.se")
    client.login(viewer.email)
    assert client.get("/admin/order-cards/").status_code == 403
    assert client.get("/admin/orders/").status_code == 200


def test_another_companys_order_and_cart_photo_answer_404(client, db, shop, make_company, make_world):
    company, orderer, *_ = shop
    world_b = make_world(make_company("Beta AB"))
    client.login(orderer.email)
    assert client.get(f"/admin/orders/details/?id={world_b[Order].id}").status_code == 404
    assert client.get(f"/admin/cart/photo/{world_b[CartItem].id}.jpg").status_code == 404
    assert client.post(f"/admin/cart/item/{world_b[CartItem].id}/remove", {}).status_code == 404
    assert "CW-T-" not in client.get("/admin/orders/export/csv/").get_data(as_text=True)


def test_order_export_escapes_formulas(client, db, shop):
    company, orderer, ct, acc, addr = shop
    client.login(orderer.email)
    client.post("/admin/order-cards/accessories", {"accessory_id": acc.id, "quantity": 2})
    client.post("/admin/cart/checkout", {"address_id": addr.id, "reference": "=HYPERLINK(\"http://x\")"})
    export = client.get("/admin/orders/export/csv/").get_data(as_text=True)
    assert "'=HYPERLINK" in export
