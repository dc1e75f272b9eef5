"""Data-collection requests and orders through the API, with the same rules as the screens."""
from __future__ import annotations

from sqlalchemy import select

from portal.outbox.models import OutboxEmail


def test_invite_many_then_list_remind_and_withdraw(api, db, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="read,collect")
    body = {"card_type_id": api_world["card_type"].id, "language": "sv",
            "people": [{"email": "ny.anstalld@acme.example", "name": "Nora Ny"}, {"email": "bo@acme.example"}]}
    made = api.post("/api/v1/collection-requests", json=body, headers=headers)
    assert made.status_code == 201
    assert [(r["email"], r["status"], r["language"]) for r in made.json["items"]] == [
        ("ny.anstalld@acme.example", "pending", "sv"), ("bo@acme.example", "pending", "sv")]
    assert {e.to for e in db.session.scalars(select(OutboxEmail))} >= {"ny.anstalld@acme.example", "bo@acme.example"}
    twice = api.post("/api/v1/collection-requests", json=body, headers=headers)
    assert twice.status_code == 409 and "already have an open request" in twice.json["detail"]
    listed = api.get("/api/v1/collection-requests", query_string={"status": "pending"}, headers=headers).json
    assert len(listed["items"]) == 2 and listed["next_cursor"] is None
    first = made.json["items"][0]["id"]
    assert api.post(f"/api/v1/collection-requests/{first}/remind", headers=headers).status_code == 200
    gone = api.delete(f"/api/v1/collection-requests/{first}", headers=headers)
    assert gone.status_code == 200 and gone.json["status"] == "removed"
    assert api.post(f"/api/v1/collection-requests/{first}/remind", headers=headers).status_code == 409


def test_a_bad_email_names_the_person(api, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="collect")
    answer = api.post("/api/v1/collection-requests", headers=headers, json={
        "card_type_id": api_world["card_type"].id, "people": [{"email": "ok@acme.example"}, {"email": "not-an-email"}]})
    assert answer.status_code == 422 and answer.json["errors"][0]["field"] == "people[1].email"


def test_inviting_needs_the_collect_scope(api, api_world, make_key):
    answer = api.post("/api/v1/collection-requests", headers=make_key(api_world["acme"], scopes="read"),
                      json={"card_type_id": api_world["card_type"].id, "people": [{"email": "x@acme.example"}]})
    assert answer.status_code == 403


def test_orders_are_listed_with_their_lines(api, db, api_world, make_key, make_accessory, make_address, make_user):
    from portal.ordering.checkout import place_order
    from portal.ordering.operations import add_accessory_to_cart

    acme = api_world["acme"]
    orderer = make_user(acme, role="orderer", email="o@acme.example")
    add_accessory_to_cart(acme, orderer, make_accessory("Lanyard", "18.00").id, 3)
    order = place_order(acme, orderer, address_id=make_address(acme).id, reference="PO-77")
    db.session.commit()
    headers = make_key(acme)
    [listed] = api.get("/api/v1/orders", headers=headers).json["items"]
    assert listed["number"] == order.number and listed["reference"] == "PO-77" and listed["total"] == "54.00"
    assert [(line["description"], line["quantity"]) for line in listed["lines"]] == [("Lanyard", 3)]
    assert api.get(f"/api/v1/orders/{order.id}", headers=headers).json["id"] == order.id
    assert api.get(f"/api/v1/orders/{order.id}", headers=make_key(api_world["other"])).status_code == 404
