"""A card's replacement through the API (`replaces`, `replaced_by`, `replacement_reason`, only of the same
company), and reads of one card's personal data (the card, its photo) in the read-access audit as the key."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.reads import subject_filter
from portal.cards.models import Card
from portal.infra import storage
from tests.conftest import html_text


def _photo() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (30, 40), "blue").save(buf, "JPEG")
    return storage.save(buf.getvalue(), "photos", "jpg")


def test_a_card_names_the_card_it_replaces_and_the_cards_replacing_it(api, db, api_world, make_key):
    headers = make_key(api_world["acme"])
    old = api_world["cards"][0]
    old.replacement_reason, old.status = "lost", "blocked"
    new = Card(company_id=old.company_id, card_type_id=old.card_type_id, holder_name=old.holder_name,
               status="ordered", replaces_card_id=old.id)
    given_up = Card(company_id=old.company_id, card_type_id=old.card_type_id, holder_name=old.holder_name,
                    status="terminated", replaces_card_id=old.id)  # its order was cancelled before use
    theirs = api_world["theirs"]
    stray = Card(company_id=api_world["acme"].id, card_type_id=old.card_type_id, holder_name="Stray",
                 status="active", replaces_card_id=theirs.id)  # points at another company's card
    db.session.add_all([new, given_up, stray])
    db.session.commit()
    one = api.get(f"/api/v1/cards/{old.id}", headers=headers).json
    assert one["replacement_reason"] == "lost" and one["replaces"] is None and one["replaced_by"] == [new.id]
    assert api.get(f"/api/v1/cards/{new.id}", headers=headers).json["replaces"] == old.id
    assert api.get(f"/api/v1/cards/{stray.id}", headers=headers).json["replaces"] is None  # never another company's
    listed = {c["id"]: c for c in api.get("/api/v1/cards", query_string={"limit": 200}, headers=headers).json["items"]}
    assert listed[old.id]["replaced_by"] == [new.id] and listed[new.id]["replaces"] == old.id
    assert listed[api_world["cards"][1].id]["replaces"] is None and listed[api_world["cards"][1].id]["replaced_by"] == []


def test_the_list_reads_the_links_in_a_constant_number_of_statements(api, db, api_world, make_key, app):
    from sqlalchemy import event

    headers = make_key(api_world["acme"])
    counts = []

    def page(limit):
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731 - a counter for this test only
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert api.get("/api/v1/cards", query_string={"limit": limit}, headers=headers).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)
    counts = [page(1), page(5)]
    assert counts[0] == counts[1], counts


def test_reading_one_card_and_its_photo_is_in_the_read_audit_as_the_key(api, db, api_world, make_key, client):
    headers = make_key(api_world["acme"], name="Access control")
    card = api_world["cards"][2]
    card.photo_key = _photo()
    db.session.commit()
    assert api.get("/api/v1/cards", headers=headers).status_code == 200  # lists are not logged
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("personal_data.%"))) is None
    assert api.get(f"/api/v1/cards/{card.id}", headers=headers).status_code == 200
    photo = api.get(f"/api/v1/cards/{card.id}/photo", headers=headers)
    data = photo.get_data()
    photo.close()
    assert photo.status_code == 200 and photo.content_type == "image/jpeg" and data[:2] == b"\xff\xd8"
    events = db.session.scalars(select(AuditEvent).where(subject_filter(card.national_id))
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["personal_data.card_viewed", "personal_data.photo_viewed"]
    assert all(e.api_key_id is not None and e.company_id == card.company_id for e in events)
    client.login(api_world["admin"].email)
    log = html_text(client.get("/admin/audit/"))
    assert "API key: Access control" in log and "Photo viewed" in log


def test_a_photo_of_another_company_or_none_is_not_found(api, db, api_world, make_key):
    headers = make_key(api_world["acme"])
    theirs = api_world["theirs"]
    theirs.photo_key = _photo()
    db.session.commit()
    assert api.get(f"/api/v1/cards/{theirs.id}/photo", headers=headers).status_code == 404
    none = api.get(f"/api/v1/cards/{api_world['cards'][0].id}/photo", headers=headers)
    assert none.status_code == 404 and none.content_type == "application/problem+json"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("personal_data.%"))) is None


def test_the_openapi_document_describes_the_new_fields_and_the_photo(api):
    spec = api.get("/api/v1/openapi.json").json
    card = spec["components"]["schemas"]["CardOut"]["properties"]
    assert card["replaces"]["type"] == ["integer", "null"] and card["replaced_by"]["items"] == {"type": "integer"}
    assert "replacement_reason" in card
    photo = spec["paths"]["/api/v1/cards/{card_id}/photo"]["get"]
    assert "image/jpeg" in photo["responses"]["200"]["content"]
