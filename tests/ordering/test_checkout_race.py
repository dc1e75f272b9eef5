"""One cart placed from several tabs (or sessions) at the same moment gives one order and one set of cards;
the other tabs are told the cart was already ordered, with a link to that order."""
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select

from portal.cards.models import Card
from portal.ordering.models import CartItem, Order, OrderLine
from portal.ordering.operations import add_accessory_to_cart, add_card_to_cart
from tests.conftest import PASSWORD

HOLDERS = [{"first_name": "Åsa", "last_name": "Öberg"}, {"first_name": "Bo", "last_name": "Ek"}]


def _field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    return match.group(1) if match else ""


def _signed_in_opener(base: str, email: str):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    data = urllib.parse.urlencode({"csrf_token": _field(page, "csrf_token"), "email": email,
                                   "password": PASSWORD}).encode()
    opener.open(f"{base}/login", data=data, timeout=30).read()
    return opener


def _open_checkout(base: str, opener) -> dict:
    page = opener.open(f"{base}/admin/cart/checkout", timeout=30).read().decode()
    return {"csrf_token": _field(page, "csrf_token"), "checkout_key": _field(page, "checkout_key")}


def _place(base, opener, form, address_id, barrier, answers) -> None:
    data = urllib.parse.urlencode({**form, "address_id": address_id, "reference": "PO-1"}).encode()
    barrier.wait(timeout=30)
    try:
        resp = opener.open(f"{base}/admin/cart/checkout", data=data, timeout=60)
        answers.append((resp.status, resp.read().decode()))
    except urllib.error.HTTPError as exc:
        answers.append((exc.code, exc.read().decode()))


def _fill_cart(db, shop):
    company, orderer, ct, acc, addr = shop
    for holder in HOLDERS:
        add_card_to_cart(company, orderer, ct, holder, "photos/abcdefgh12.jpg")
    add_accessory_to_cart(company, orderer, acc.id, 3)
    db.session.commit()


@pytest.mark.parametrize(("tabs", "shared_session"), [(2, True), (3, False)])
def test_simultaneous_checkouts_of_one_cart_give_one_order(app, db, live_server, shop, tabs, shared_session):
    company, orderer, ct, acc, addr = shop
    _fill_cart(db, shop)
    if shared_session:  # two tabs of one browser
        opener = _signed_in_opener(live_server, orderer.email)
        openers = [opener] * tabs
    else:  # the orderer signed in on several devices
        openers = [_signed_in_opener(live_server, orderer.email) for _ in range(tabs)]
    forms = [_open_checkout(live_server, o) for o in openers]
    assert len({f["checkout_key"] for f in forms}) == 1  # the same cart has the same key everywhere
    answers: list = []
    barrier = threading.Barrier(tabs)
    threads = [threading.Thread(target=_place, args=(live_server, o, f, addr.id, barrier, answers))
               for o, f in zip(openers, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)

    db.session.expire_all()
    orders = db.session.scalars(select(Order)).all()
    assert len(orders) == 1
    order = orders[0]
    assert db.session.scalar(select(func.count()).select_from(Card)) == len(HOLDERS)
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == len(HOLDERS) + 1
    assert db.session.scalar(select(func.count()).select_from(CartItem)) == 0
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [409] * (tabs - 1)
    placed = next(body for status, body in answers if status == 200)
    assert f"Your order {order.number} is placed" in placed
    for status, body in answers:
        if status == 409:
            assert f"already ordered as {order.number}" in body
            assert f"details/?id={order.id}" in body  # the link to the order


def test_the_same_form_posted_again_after_the_order_links_to_it(client, db, shop):
    company, orderer, ct, acc, addr = shop
    _fill_cart(db, shop)
    client.login(orderer.email)
    key = _field(client.get("/admin/cart/checkout").get_data(as_text=True), "checkout_key")
    first = client.post("/admin/cart/checkout", {"address_id": addr.id, "checkout_key": key})
    assert first.status_code == 200
    again = client.post("/admin/cart/checkout", {"address_id": addr.id, "checkout_key": key})
    order = db.session.scalar(select(Order))
    assert again.status_code == 409 and f"already ordered as {order.number}" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_a_form_opened_before_the_cart_changed_asks_to_check_again(client, db, shop):
    company, orderer, ct, acc, addr = shop
    _fill_cart(db, shop)
    client.login(orderer.email)
    key = _field(client.get("/admin/cart/checkout").get_data(as_text=True), "checkout_key")
    add_card_to_cart(company, orderer, ct, {"first_name": "Cia", "last_name": "Ny"}, "photos/abcdefgh12.jpg")
    db.session.commit()
    resp = client.post("/admin/cart/checkout", {"address_id": addr.id, "checkout_key": key})
    assert "Your cart changed since this page was opened" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
