"""Cards through the API: pages, search, changes since, block/unblock/terminate, scopes, tenant scope."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.cards.models import Card
from portal.security.models import ApiKey


def test_cards_page_by_page_every_card_once(client, api, api_world, make_key):
    headers = make_key(api_world["acme"])
    seen, cursor = [], None
    while True:
        answer = api.get("/api/v1/cards", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})},
                            headers=headers)
        assert answer.status_code == 200
        seen += [c["holder_name"] for c in answer.json["items"]]
        cursor = answer.json["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Anna Berg", "Bo Ek", "Cecilia Dahl", "David Ås", "Eva Lind"]  # never Other AB's card


def test_search_by_national_id_card_number_and_name(client, api, api_world, make_key):
    headers = make_key(api_world["acme"])
    for q, name in (("19900101-0002", "Cecilia Dahl"), ("4700000003", "David Ås"), ("Berg", "Anna Berg")):
        items = api.get("/api/v1/cards", query_string={"q": q}, headers=headers).json["items"]
        assert [c["holder_name"] for c in items] == [name], q
    assert api.get("/api/v1/cards", query_string={"q": "Olle"}, headers=headers).json["items"] == []


def test_updated_since_gives_only_changed_cards(client, api, db, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="read,cards")
    old = datetime.now(UTC) - timedelta(days=1)
    db.session.execute(Card.__table__.update().values(updated_at=old.replace(tzinfo=None)))
    db.session.commit()
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    assert api.get("/api/v1/cards", query_string={"updated_since": since}, headers=headers).json["items"] == []
    bo = api_world["cards"][1]
    assert api.post(f"/api/v1/cards/{bo.id}/block", json={"reason": "Lost on site"}, headers=headers).status_code == 200
    changed = api.get("/api/v1/cards", query_string={"updated_since": since}, headers=headers).json["items"]
    assert [(c["holder_name"], c["status"]) for c in changed] == [("Bo Ek", "blocked")]
    assert changed[0]["updated_at"].endswith("+00:00")


def test_block_unblock_terminate_follow_the_rules_and_are_audited_as_the_key(client, api, db, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="read,cards")
    card = api_world["cards"][0]
    blocked = api.post(f"/api/v1/cards/{card.id}/block", json={"reason": "Lost"}, headers=headers)
    assert blocked.status_code == 200 and blocked.json["status"] == "blocked" and blocked.json["status_reason"] == "Lost"
    assert api.post(f"/api/v1/cards/{card.id}/unblock", headers=headers).json["status"] == "active"
    twice = api.post(f"/api/v1/cards/{card.id}/unblock", headers=headers)
    assert twice.status_code == 409 and twice.content_type == "application/problem+json"
    assert "Only blocked cards" in twice.json["detail"]
    ended = api.post(f"/api/v1/cards/{card.id}/terminate", json={"reason": "Left"}, headers=headers)
    assert ended.json["status"] == "terminated"
    key = db.session.scalar(select(ApiKey))
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.api_key_id == key.id))]
    assert {"card.blocked", "card.unblocked", "card.terminated"} <= set(actions)


def test_a_missing_reason_names_the_field(client, api, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="cards")
    answer = api.post(f"/api/v1/cards/{api_world['cards'][0].id}/block", json={}, headers=headers)
    assert answer.status_code == 422 and answer.content_type == "application/problem+json"
    assert answer.json["errors"] == [{"field": "reason", "reason": "Missing data for required field."}]


def test_scopes_are_enforced_before_anything_else(client, api, db, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="read")
    card = api_world["cards"][0]
    answer = api.post(f"/api/v1/cards/{card.id}/block", json={}, headers=headers)
    assert answer.status_code == 403 and "cards" in answer.json["detail"]
    db.session.refresh(card)
    assert card.status == "active"


def test_another_companys_card_is_not_found_and_not_changed(client, api, db, api_world, make_key):
    headers = make_key(api_world["acme"], scopes="read,cards")
    theirs = api_world["theirs"]
    assert api.get(f"/api/v1/cards/{theirs.id}", headers=headers).status_code == 404
    for action, body in (("block", {"reason": "x"}), ("unblock", None), ("terminate", {"reason": "x"})):
        answer = api.post(f"/api/v1/cards/{theirs.id}/{action}", json=body, headers=headers)
        assert answer.status_code == 404 and answer.json["title"] == "Not found"
    db.session.refresh(theirs)
    assert theirs.status == "active"


def test_card_types_with_their_fields(client, api, api_world, make_key):
    answer = api.get("/api/v1/card-types", headers=make_key(api_world["acme"]))
    [ct] = answer.json["items"]
    assert ct["name"] == "Employee badge" and ct["price"] == "89.00"
    assert [f["key"] for f in ct["fields"]][:2] == ["first_name", "last_name"]


def test_bad_cursor_and_unknown_address_are_problems(client, api, api_world, make_key):
    headers = make_key(api_world["acme"])
    bad = api.get("/api/v1/cards", query_string={"cursor": "bm9wZQ"}, headers=headers)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "cursor"
    nowhere = api.get("/api/v1/nothing-here", headers=headers)
    assert nowhere.status_code == 404 and nowhere.content_type == "application/problem+json"
    assert client.get("/admin/nothing-here").content_type.startswith("text/html")  # the screens keep their pages


def test_openapi_document_and_docs_page_are_served_by_the_app(client, api):
    spec = api.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0" and "/api/v1/cards" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    docs = api.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger-ui-bundle.js" in docs.data and b"//cdn" not in docs.data
    asset = api.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()


def test_a_holder_approved_change_through_the_api(api, db, api_world, make_key):
    from portal.cards.models import CardChange
    from portal.outbox.models import OutboxEmail

    headers, card = make_key(api_world["acme"], scopes="cards"), api_world["cards"][1]
    made = api.post(f"/api/v1/cards/{card.id}/changes", headers=headers,
                    json={"values": {"first_name": "Bosse", "last_name": "Ek"}})
    assert made.status_code == 201 and made.json["state"] == "pending" and made.json["card_id"] == card.id
    db.session.refresh(card)
    assert card.holder_name == "Bo Ek"  # nothing changes before the holder approves
    assert db.session.get(CardChange, made.json["id"]).proposed["first_name"] == "Bosse"
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.to == card.holder_email)) is not None
    bad = api.post(f"/api/v1/cards/{card.id}/changes", headers=headers, json={"values": {"first_name": ""}})
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"


def test_updated_since_at_the_ends_of_the_calendar(api, api_world, make_key):
    headers = make_key(api_world["acme"])
    early = api.get("/api/v1/cards", query_string={"updated_since": "0001-01-01T00:00:00+14:00"}, headers=headers)
    late = api.get("/api/v1/cards", query_string={"updated_since": "9999-12-31T23:00:00-14:00", "q": "Berg"},
                   headers=headers)
    assert early.status_code == 200 and len(early.json["items"]) == 5
    assert late.status_code == 200 and late.json["items"] == []
