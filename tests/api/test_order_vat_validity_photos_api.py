"""Orders through the API with what landed after it: VAT and shipping on the order, the end of an assignment for
ID06-style card types (refused without it, on the card with it), and the order form's photo assistant for
photos sent as base64 (the face framed, the findings on the order's card line and the card)."""
from __future__ import annotations

import base64
import io
from datetime import date, timedelta

import pytest
from PIL import Image, ImageEnhance
from sqlalchemy import func, select

from portal.cards.models import Card
from portal.infra import storage
from portal.infra.photo_assistant import check_photo
from portal.ordering.models import Order
from portal.ordering.shipping import ship_order
from tests.api import test_order_api
from tests.api.test_order_api import _card_line, _order

shop = test_order_api.shop  # the same company, card types, address and key as the order tests


def _placed(api, shop, *lines):
    answer = _order(api, shop, {"lines": list(lines), "address_id": shop["office"].id})
    assert answer.status_code == 201, answer.json
    return answer.json


def test_an_order_says_its_vat_and_gross_and_once_shipped_its_tracking_number(api, db, shop, make_user):
    order = _placed(api, shop, _card_line(shop))
    card = db.session.scalar(select(Card).where(Card.order_id == order["id"]))
    assert [line["card_id"] for line in order["lines"]] == [card.id]
    assert (order["total"], order["vat_rate"], order["vat"], order["gross"]) == ("89.00", "25.00", "22.25", "111.25")
    assert (order["tracking_number"], order["carrier"], order["shipped_at"]) == ("", "", None)
    ship_order(db.session.get(Order, order["id"]), make_user(is_operator=True), "JJSE123456789", "PostNord")
    db.session.commit()
    shipped = api.get(f"/api/v1/orders/{order['id']}", headers=shop["key"]).json
    assert (shipped["status"], shipped["tracking_number"], shipped["carrier"]) == ("shipped", "JJSE123456789", "PostNord")
    assert shipped["shipped_at"].endswith("+00:00")


def test_an_order_placed_before_vat_has_no_vat_amounts(api, db, shop):
    order = _placed(api, shop, _card_line(shop))
    db.session.execute(Order.__table__.update().where(Order.id == order["id"]).values(vat_rate=None, vat=0, gross=0))
    db.session.commit()
    listed = api.get("/api/v1/orders", headers=shop["key"]).json["items"]
    assert [(o["vat_rate"], o["vat"], o["gross"], o["total"]) for o in listed] == [(None, None, None, "89.00")]
    assert listed[0]["lines"][0]["card_id"] is not None


@pytest.fixture()
def id06(shop, make_card_type):
    return make_card_type("ID06 badge", validity_until_end_date=True, fields=[
        ("first_name", "First name", "text", True), ("last_name", "Last name", "text", True)])


def _id06_line(id06, **extra):
    return {"card_type_id": id06.id, "fields": {"first_name": "Bo", "last_name": "Ek"}, **extra}


@pytest.mark.parametrize("valid_until", [None, (date.today() - timedelta(days=1)).isoformat(),
                                         (date.today() + timedelta(days=3700)).isoformat()])
def test_an_id06_card_without_a_good_end_of_assignment_is_refused(api, db, shop, id06, valid_until):
    cards = db.session.scalar(select(func.count()).select_from(Card))
    line = _id06_line(id06, **({"valid_until": valid_until} if valid_until else {}))
    answer = _order(api, shop, {"lines": [_card_line(shop), line], "address_id": shop["office"].id})
    assert answer.status_code == 422, answer.json
    assert [e["field"] for e in answer.json["errors"]] == ["lines[1].valid_until"]
    assert "last day" in answer.json["errors"][0]["reason"]
    assert db.session.scalar(select(func.count()).select_from(Card)) == cards  # nothing ordered


def test_the_end_of_assignment_reaches_the_card_and_other_card_types_ignore_it(api, db, shop, id06):
    end = date.today() + timedelta(days=90)
    order = _placed(api, shop, _id06_line(id06, valid_until=end.isoformat()),
                    _card_line(shop, valid_until=end.isoformat()))
    cards = db.session.scalars(select(Card).where(Card.order_id == order["id"]).order_by(Card.id)).all()
    assert [c.valid_until for c in cards] == [end, None]
    assert [line["card_id"] for line in order["lines"]] == [c.id for c in cards]
    got = api.get(f"/api/v1/cards/{cards[0].id}", headers=shop["key"]).json
    assert got["valid_until"] == end.isoformat()


def _portrait(brightness: float = 1.0) -> str:
    skdata = pytest.importorskip("skimage.data")
    img = Image.fromarray(skdata.astronaut()).resize((1536, 1536), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    ImageEnhance.Brightness(img).enhance(brightness).save(out, "JPEG", quality=90)
    return base64.b64encode(out.getvalue()).decode()


def _photo_line(shop, photo: str, card_type="photo_badge"):
    return {"card_type_id": shop[card_type].id, "fields": {"first_name": "Bo", "last_name": "Ek"}, "photo": photo}


def test_a_photo_sent_through_the_api_is_framed_by_the_photo_assistant(api, db, shop):
    order = _placed(api, shop, _photo_line(shop, _portrait()))
    assert order["lines"][0]["photo_findings"] == []
    card = db.session.scalar(select(Card).where(Card.order_id == order["id"]))
    jpeg = storage.load(card.photo_key)
    advice = check_photo(jpeg, size=(413, 531))
    assert advice.face is not None and advice.findings == []
    x, _y, w, _h = advice.face
    assert abs((x + w / 2) / 413 - 0.5) < 0.06  # the face in the middle of the card's photo
    assert api.get(f"/api/v1/cards/{card.id}", headers=shop["key"]).json["photo_findings"] == []


def test_what_the_assistant_finds_comes_back_on_the_card_line_and_the_card(api, db, shop):
    order = _placed(api, shop, _photo_line(shop, _portrait(0.25)), _card_line(shop))
    assert [line["photo_findings"] for line in order["lines"]] == [["too_dark"], []]
    card = db.session.scalar(select(Card).where(Card.order_id == order["id"], Card.photo_key.is_not(None)))
    assert card.photo_findings == ["too_dark"]
    assert api.get(f"/api/v1/cards/{card.id}", headers=shop["key"]).json["photo_findings"] == ["too_dark"]
    assert api.get(f"/api/v1/orders/{order['id']}", headers=shop["key"]).json["lines"][0]["photo_findings"] == ["too_dark"]


def test_a_card_type_without_photo_checks_keeps_the_centre_crop_and_finds_nothing(api, db, shop):
    shop["photo_badge"].photo_checks = False
    db.session.commit()
    order = _placed(api, shop, _photo_line(shop, _portrait(0.25)))
    assert order["lines"][0]["photo_findings"] == []
    card = db.session.scalar(select(Card).where(Card.order_id == order["id"]))
    assert card.photo_findings == [] and Image.open(io.BytesIO(storage.load(card.photo_key))).size == (413, 531)
