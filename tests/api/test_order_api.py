"""POST /api/v1/orders: an HR system orders cards and accessories with the same checks, approval, audit and
webhook as an orderer in the screens; every refused field is named, and nothing is written then."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.cards.models import Card
from portal.infra import storage
from portal.ordering.models import Address, Order
from portal.outbox.models import OutboxEmail
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.api.conftest import at_the_same_moment

GOOD_ID, BAD_ID = "19811218-9876", "19811218-9875"  # the tax agency's example number; one digit off


@pytest.fixture()
def shop(db, api_world, make_card_type, make_accessory, make_address, make_key):
    acme, other = api_world["acme"], api_world["other"]
    badge = make_card_type("Site badge", fields=[("first_name", "First name", "text", True),
                                                 ("last_name", "Last name", "text", True),
                                                 ("national_id", "Personal number", "national_id", True)])
    photo_badge = make_card_type("Photo badge")  # first name, last name, photo (required)
    hook = WebhookEndpoint(company_id=acme.id, url="https://hooks.acme.example/in", description="HR",
                           events=["order.placed"], secret="whsec_" + "QUJD" * 8)
    db.session.add(hook)
    db.session.commit()
    return {"acme": acme, "other": other, "badge": badge, "photo_badge": photo_badge,
            "lanyard": make_accessory(), "office": make_address(acme), "theirs": make_address(other, "Their office"),
            "their_type": make_card_type("Their own badge", company=other),
            "key": make_key(acme, scopes="read,order")}


def _card_line(shop, first="Anna", national_id=GOOD_ID, **extra):
    return {"card_type_id": shop["badge"].id, **extra,
            "fields": {"first_name": first, "last_name": "Berg", "national_id": national_id}}


def _order(api, shop, body, **headers):
    return api.post("/api/v1/orders", json=body, headers={**shop["key"], **headers})


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _nothing_written(db, shop, cards_before):
    db.session.expire_all()
    assert _count(db, Order, Order.company_id == shop["acme"].id) == 0
    assert _count(db, Card) == cards_before
    assert _count(db, Address, Address.company_id == shop["acme"].id) == 1
    assert _count(db, AuditEvent, AuditEvent.action == "order.placed") == 0
    assert _count(db, WebhookDelivery) == 0


def test_an_order_of_a_card_and_lanyards_is_placed_like_in_the_screens(api, db, shop):
    answer = _order(api, shop, {"lines": [_card_line(shop),
                                          {"kind": "accessory", "accessory_id": shop["lanyard"].id, "quantity": 3}],
                                "address_id": shop["office"].id, "reference": "Onboarding", "cost_centre": "4711"})
    assert answer.status_code == 201, answer.json
    order = answer.json
    assert order["status"] == "placed" and order["reference"] == "Onboarding" and order["cost_centre"] == "4711"
    assert [(line["kind"], line["quantity"]) for line in order["lines"]] == [("card", 1), ("accessory", 3)]
    assert order["lines"][0]["holder_name"] == "Anna Berg"
    assert order["lines"][1]["card_id"] is None and order["lines"][1]["photo_findings"] == []  # the lanyards
    assert order["total"] == "143.00"  # 89.00 + 3 x 18.00
    card = db.session.scalar(select(Card).where(Card.order_id == order["id"]))
    assert card.status == "ordered" and card.national_id == "198112189876" and card.company_id == shop["acme"].id
    saved = db.session.get(Order, order["id"])
    assert saved.delivery["name"] == "Head office" and saved.checkout_key is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "order.placed"))
    assert event.api_key_id is not None and event.object_id == str(order["id"]) and event.user_id is None
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.event_type == "order.placed" and delivery.company_id == shop["acme"].id
    assert api.get(f"/api/v1/orders/{order['id']}", headers=shop["key"]).json == order


def test_where_the_company_approves_orders_the_order_waits_and_approvers_are_told(api, db, shop, make_user):
    shop["acme"].requires_order_approval = True
    approver = make_user(shop["acme"], role="approver", email="boss@acme.example")
    answer = _order(api, shop, {"lines": [_card_line(shop)], "address_id": shop["office"].id})
    assert answer.status_code == 201 and answer.json["status"] == "awaiting_approval"
    assert _count(db, OutboxEmail, OutboxEmail.to == approver.email) == 1


def test_a_new_delivery_address_is_kept_among_the_companys(api, db, shop):
    answer = _order(api, shop, {"lines": [_card_line(shop)], "address": {
        "name": "Site Kiruna", "street": "Gruvvägen 2", "postcode": "981 31", "city": "Kiruna"}})
    assert answer.status_code == 201
    kept = db.session.scalar(select(Address).where(Address.name == "Site Kiruna"))
    assert kept.company_id == shop["acme"].id
    assert db.session.get(Order, answer.json["id"]).delivery["city"] == "Kiruna"


def _jpeg(size=(600, 800)) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 90)).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


def test_a_photo_sent_as_base64_becomes_the_cards_photo(api, db, shop):
    line = {"card_type_id": shop["photo_badge"].id, "fields": {"first_name": "Bo", "last_name": "Ek"}, "photo": _jpeg()}
    answer = _order(api, shop, {"lines": [line], "address_id": shop["office"].id})
    assert answer.status_code == 201, answer.json
    card = db.session.scalar(select(Card).where(Card.order_id == answer.json["id"]))
    photo = Image.open(io.BytesIO(storage.load(card.photo_key)))
    assert photo.format == "JPEG" and photo.size == (413, 531)


@pytest.mark.parametrize(("photo", "reason"), [(None, "needs a photo"), ("bm90IGFuIGltYWdl", ""), ("%%%", "base64"),
                                               (_jpeg((100, 120)), "too small")])
def test_a_missing_or_bad_photo_is_named(api, db, shop, photo, reason):
    before = _count(db, Card)
    line = {"card_type_id": shop["photo_badge"].id, "fields": {"first_name": "Bo", "last_name": "Ek"}}
    answer = _order(api, shop, {"lines": [line | ({"photo": photo} if photo else {})], "address_id": shop["office"].id})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json["errors"]] == ["lines[0].photo"]
    assert reason in answer.json["errors"][0]["reason"]
    _nothing_written(db, shop, before)


def test_every_field_that_does_not_fit_is_named_and_nothing_is_ordered(api, db, shop):
    before = _count(db, Card)
    answer = _order(api, shop, {"lines": [_card_line(shop), _card_line(shop, national_id=BAD_ID),
                                          _card_line(shop, first=""),
                                          {"kind": "accessory", "accessory_id": shop["lanyard"].id, "quantity": 0},
                                          {"kind": "accessory", "accessory_id": 99999}],
                                "address_id": shop["office"].id})
    assert answer.status_code == 422 and answer.headers["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in answer.json["errors"]}
    assert fields == {"lines[3].quantity"}  # the schema's own check comes first
    answer = _order(api, shop, {"lines": [_card_line(shop), _card_line(shop, national_id=BAD_ID),
                                          _card_line(shop, first=""), {"kind": "accessory", "accessory_id": 99999}],
                                "address_id": shop["office"].id})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json["errors"]] == [
        "lines[1].fields.national_id", "lines[2].fields.first_name", "lines[3].accessory_id"]
    assert all(e["reason"] for e in answer.json["errors"])
    _nothing_written(db, shop, before)


def test_a_line_without_its_kinds_id_or_an_order_without_an_address_is_refused(api, db, shop):
    answer = _order(api, shop, {"lines": [{"fields": {}}, {"kind": "accessory"}]})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json["errors"]} == {"lines[0].card_type_id", "lines[1].accessory_id"}
    new_place = {"name": "Site Kiruna", "street": "Gruvvägen 2", "postcode": "981 31", "city": "Kiruna"}
    refused = _order(api, shop, {"lines": [_card_line(shop, national_id=BAD_ID)], "address": new_place})
    assert refused.status_code == 422 and _count(db, Address, Address.name == "Site Kiruna") == 0
    nowhere = _order(api, shop, {"lines": [_card_line(shop)]})
    assert nowhere.status_code == 422 and nowhere.json["errors"][0]["field"] == "address_id"
    both = _order(api, shop, {"lines": [_card_line(shop)], "address_id": shop["office"].id,
                              "address": {"name": "x", "street": "x", "postcode": "1", "city": "x"}})
    assert both.status_code == 422 and both.json["errors"][0]["field"] == "address_id"


@pytest.mark.parametrize("whose", ["card type", "address", "archived address", "replaced card"])
def test_another_companys_rows_cannot_be_ordered_with_or_to(api, db, shop, api_world, whose):
    before = _count(db, Card)
    body = {"lines": [_card_line(shop)], "address_id": shop["office"].id}
    if whose == "card type":
        body["lines"][0]["card_type_id"] = shop["their_type"].id
    elif whose == "address":
        body["address_id"] = shop["theirs"].id
    elif whose == "archived address":
        shop["office"].archived = True
        db.session.commit()
    else:
        body["lines"][0]["replaces_card_id"] = api_world["theirs"].id
    field = {"card type": "lines[0].card_type_id", "replaced card": "lines[0].replaces_card_id"}.get(whose, "address_id")
    answer = _order(api, shop, body)
    assert answer.status_code == 422 and [e["field"] for e in answer.json["errors"]] == [field]
    _nothing_written(db, shop, before)
    assert api.get("/api/v1/orders?limit=200", headers=shop["key"]).json["items"] == []


def test_a_key_without_the_order_scope_cannot_order(api, db, shop, make_key):
    answer = api.post("/api/v1/orders", json={"lines": [_card_line(shop)], "address_id": shop["office"].id},
                      headers=make_key(shop["acme"], scopes="read"))
    assert answer.status_code == 403
    assert _count(db, Order) == 0


def test_the_same_order_sent_twice_with_one_key_is_placed_once(api, db, shop):
    body = {"lines": [_card_line(shop)], "address_id": shop["office"].id, "reference": "HR-1234"}
    first = _order(api, shop, body, **{"Idempotency-Key": "hr-1234"})
    again = _order(api, shop, body, **{"Idempotency-Key": "hr-1234"})
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(db, Order) == 1 and _count(db, Card, Card.order_id == first.json["id"]) == 1
    changed = _order(api, shop, {**body, "reference": "HR-9999"}, **{"Idempotency-Key": "hr-1234"})
    assert changed.status_code == 422 and changed.json["errors"][0]["field"] == "Idempotency-Key"


def test_the_same_order_sent_at_the_same_moment_is_placed_once(app, db, shop):
    body = {"lines": [_card_line(shop)], "address_id": shop["office"].id, "reference": "HR-77"}
    answers = at_the_same_moment(app, lambda client: client.post(
        "/api/v1/orders", json=body, headers={**shop["key"], "Idempotency-Key": "same-moment"}))
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.get_data() for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 3
    db.session.expire_all()
    assert _count(db, Order) == 1 and _count(db, Card, Card.order_id == answers[0].json["id"]) == 1
    assert _count(db, AuditEvent, AuditEvent.action == "order.placed") == 1
    assert _count(db, WebhookDelivery) == 1


def test_the_accessories_on_offer_are_listed_for_the_order_lines(api, db, shop, make_accessory):
    make_accessory("Card holder", "25.00").active = False
    db.session.commit()
    answer = api.get("/api/v1/accessories", headers=shop["key"])
    assert answer.status_code == 200
    assert [(a["id"], a["name"], a["price"]) for a in answer.json["items"]] == [(shop["lanyard"].id, "Lanyard", "18.00")]
    assert answer.json["next_cursor"] is None
