"""Two cards for the same person (one personnummer typed in any format) are warned about at the order form,
the cart, checkout and the review screen, with a link to the existing card and the choice to replace it: the
replaced card is blocked when the new one becomes active."""
import io
import re

import pytest
from sqlalchemy import select

from portal.cards.models import Card, CardStatusEvent
from portal.cards.operations import activate_printed_card, set_production_data
from portal.collection.models import CollectionRequest
from portal.ordering.models import CartItem, Order
from portal.printing.models import Printer
from tests.conftest import html_text


@pytest.fixture()
def existing(db, shop):
    """Åsa's active card, ordered earlier with her personnummer 19850312-1009."""
    company, orderer, ct, acc, addr = shop
    card = Card(company_id=company.id, card_type_id=ct.id, orderer_id=orderer.id, holder_name="Åsa Öberg",
                national_id="198503121009", card_number="4711", status="active",
                holder_data={"first_name": "Åsa", "last_name": "Öberg", "national_id": "198503121009"})
    db.session.add(card)
    db.session.commit()
    return card


def _order_form(client, ct, photo=None, **fields):
    data = {"card_type": ct.id, "first_name": "Åsa", "last_name": "Öberg", **fields}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "me.jpg")
    if "duplicate_choice" not in data:  # a choice button is pressed instead of an action button
        data.setdefault("action", "cart")
    return client.post(f"/admin/order-cards/?card_type={ct.id}", data, content_type="multipart/form-data")


def _photo_token(resp) -> str:
    return re.search(r'name="photo_token" value="([^"]+)"', resp.get_data(as_text=True)).group(1)


def _cart_items(db):
    db.session.expire_all()
    return db.session.scalars(select(CartItem).order_by(CartItem.id)).all()


def test_the_order_form_warns_about_the_same_person_in_every_format(client, db, shop, existing, jpeg_bytes):
    company, orderer, ct, acc, addr = shop
    client.login(orderer.email)
    for typed in ("8503121009", "19850312-1009", "198503121009"):
        warned = _order_form(client, ct, jpeg_bytes(), national_id=typed)
        text = html_text(warned)
        assert warned.status_code == 200 and "This person already has a card" in text, typed
        assert f'href="/admin/cards/{existing.id}"' in warned.get_data(as_text=True)
        assert "Replace card 4711" in text and "Order an additional card" in text
    assert _cart_items(db) == []  # nothing added before the orderer chose
    # "Order an additional card": the photo uploaded with the first try is kept.
    added = _order_form(client, ct, national_id="8503121009", photo_token=_photo_token(warned),
                        duplicate_choice="add", duplicate_action="cart")
    assert added.status_code == 302
    [item] = _cart_items(db)
    assert item.replaces_card_id is None and item.photo_key
    # A third card for her now also names the one in the cart.
    text = html_text(_order_form(client, ct, jpeg_bytes(), national_id="19850312-1009"))
    assert "Another card in your cart" in text


def test_replacing_from_the_form_blocks_the_old_card_when_the_new_one_is_active(client, db, shop, existing,
                                                                                 jpeg_bytes):
    company, orderer, ct, acc, addr = shop
    client.login(orderer.email)
    warned = _order_form(client, ct, jpeg_bytes(), national_id="8503121009")
    _order_form(client, ct, national_id="8503121009", photo_token=_photo_token(warned),
                duplicate_choice=f"replace:{existing.id}", duplicate_action="cart")
    [item] = _cart_items(db)
    assert item.replaces_card_id == existing.id
    cart = client.get("/admin/cart/")
    assert "This card replaces the active card" in html_text(cart)
    assert f'href="/admin/cards/{existing.id}"' in cart.get_data(as_text=True)
    checkout = client.get("/admin/cart/checkout")
    assert "This card replaces the active card" in html_text(checkout)
    assert f'href="/admin/cards/{existing.id}"' in checkout.get_data(as_text=True)
    client.post("/admin/cart/checkout", {"address_id": addr.id})
    order = db.session.scalar(select(Order))
    new = db.session.scalar(select(Card).where(Card.order_id == order.id))
    assert new.replaces_card_id == existing.id
    db.session.refresh(existing)
    assert existing.status == "active"  # until the new card is in use
    set_production_data(new, None, card_number="4712")
    db.session.commit()
    db.session.refresh(existing)
    assert new.status == "active" and existing.status == "blocked"
    event = db.session.scalars(select(CardStatusEvent).where(CardStatusEvent.card_id == existing.id)
                               .order_by(CardStatusEvent.id.desc())).first()
    assert event.reason == "Replaced by a new card"


def test_the_cart_warns_and_offers_to_replace(client, db, shop, existing, jpeg_bytes):
    company, orderer, ct, acc, addr = shop
    client.login(orderer.email)
    warned = _order_form(client, ct, jpeg_bytes(), national_id="19850312-1009")
    _order_form(client, ct, national_id="19850312-1009", photo_token=_photo_token(warned), duplicate_choice="add",
                duplicate_action="cart")
    [item] = _cart_items(db)
    cart = client.get("/admin/cart/")
    assert "The same person (19850312-1009) already has a card" in html_text(cart)
    assert html_text(client.get("/admin/cart/checkout")).count("already has a card") == 1
    client.post(f"/admin/cart/item/{item.id}/replace", {"card_id": existing.id})
    assert _cart_items(db)[0].replaces_card_id == existing.id
    client.post(f"/admin/cart/item/{item.id}/replace", {"card_id": ""})  # keep both after all
    assert _cart_items(db)[0].replaces_card_id is None


def test_a_card_of_another_company_is_neither_shown_nor_replaceable(client, db, shop, make_company, make_world,
                                                                    jpeg_bytes):
    company, orderer, ct, acc, addr = shop
    theirs = make_world(make_company("Beta AB"))[Card]
    theirs.status, theirs.national_id = "active", "198503121009"
    db.session.commit()
    client.login(orderer.email)
    assert _order_form(client, ct, jpeg_bytes(), national_id="8503121009").status_code == 302  # no warning
    item = db.session.scalar(select(CartItem).where(CartItem.company_id == company.id))
    resp = client.post(f"/admin/cart/item/{item.id}/replace", {"card_id": theirs.id}, follow_redirects=True)
    assert "cards to replace" in html_text(resp)
    db.session.refresh(item)
    assert item.replaces_card_id is None


def test_the_review_screen_warns_and_adds_to_the_cart_as_a_replacement(client, db, shop, existing):
    company, orderer, ct, acc, addr = shop
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="asa@x.se", status="in_review",
                            data={"first_name": "Åsa", "last_name": "Öberg", "national_id": "198503121009"},
                            photo_key="photos/abcdefgh12.jpg", address_id=addr.id)
    db.session.add(req)
    db.session.commit()
    client.login(orderer.email)
    page = client.get("/admin/collection/review")
    assert "already has a card" in html_text(page) and f'href="/admin/cards/{existing.id}"' in page.get_data(as_text=True)
    client.post(f"/admin/collection/review/{req.id}/approve", {"replaces_card_id": existing.id})
    [item] = _cart_items(db)
    assert item.collection_request_id == req.id and item.replaces_card_id == existing.id


def test_print_now_can_replace_too(client, db, shop, existing, jpeg_bytes):
    company, orderer, ct, acc, addr = shop
    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    db.session.add(printer)
    db.session.commit()
    client.login(orderer.email)
    warned = _order_form(client, ct, jpeg_bytes(), national_id="8503121009", action="print", printer_id=printer.id)
    assert "already has a card" in html_text(warned)
    done = _order_form(client, ct, national_id="8503121009", photo_token=_photo_token(warned),
                       duplicate_choice=f"replace:{existing.id}", duplicate_action="print", printer_id=printer.id)
    assert "is being printed" in html_text(client.get(done.headers["Location"]))
    new = db.session.scalar(select(Card).where(Card.id != existing.id))
    assert new.replaces_card_id == existing.id and new.status == "in_production"
    activate_printed_card(new)
    db.session.commit()
    db.session.refresh(existing)
    assert existing.status == "blocked"
