"""Every event of the list is written as a delivery, in the transaction of the change, by the features
that cause it (through their signals): orders, approvals, data collection, cards, print jobs."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.cards.models import Card, CardChange
from portal.cards.operations import approve_card_change, set_production_data, terminate_card
from portal.collection.models import CollectionRequest
from portal.collection.selfservice import confirm_request
from portal.infra.db_types import utcnow
from portal.ordering.checkout import approve_order, place_order
from portal.ordering.models import CartItem
from portal.printing.models import Printer, PrintJob
from portal.printing.tasks import process_print_queue
from portal.webhooks.models import WebhookDelivery


def events(db) -> list[dict]:
    db.session.expire_all()
    return [json.loads(d.payload) for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]


@pytest.fixture()
def company(db, make_company, make_user, make_card_type, make_address, make_endpoint):
    c = make_company("Nordbygg AB", requires_order_approval=True)
    c.orderer = make_user(c, role="orderer", email="oskar@nordbygg.se")
    c.approver = make_user(c, role="approver", email="alva@nordbygg.se")
    c.card_type = make_card_type("Site ID", fields=[("first_name", "First name", "text", True),
                                                    ("last_name", "Last name", "text", True)])
    c.address = make_address(c, "Site office", for_collection=True)
    make_endpoint(c, "http://127.0.0.1:9/hooks")  # every event; nothing is sent in these tests
    return c


def test_placing_and_approving_an_order(db, company):
    db.session.add(CartItem(company_id=company.id, user_id=company.orderer.id, card_type_id=company.card_type.id,
                            holder_data={"first_name": "Åsa", "last_name": "Öberg"}))
    db.session.commit()
    order = place_order(company, company.orderer, address_id=company.address.id, reference="PO-1")
    db.session.commit()
    [placed] = events(db)
    assert placed["type"] == "order.placed"
    assert {k: placed["data"][k] for k in ("id", "number", "status", "reference", "cards")} == {
        "id": order.id, "number": order.number, "status": "awaiting_approval", "reference": "PO-1", "cards": 1}
    approve_order(company, company.approver, order)
    db.session.commit()
    approved = events(db)[-1]
    assert approved["type"] == "order.approved" and approved["data"]["status"] == "placed"
    assert approved["data"]["approved_by_id"] == company.approver.id


def test_an_employee_sending_in_their_data(db, company):
    req = CollectionRequest(company_id=company.id, card_type_id=company.card_type.id, email="asa@nordbygg.se",
                            status="pending", data={"first_name": "Åsa", "last_name": "Öberg"},
                            address_id=company.address.id, language="en")
    db.session.add(req)
    db.session.commit()
    confirm_request(req)
    db.session.commit()
    [event] = events(db)
    assert event["type"] == "collection.submitted"
    assert event["data"]["id"] == req.id and event["data"]["status"] == "in_review"
    assert event["data"]["email"] == "asa@nordbygg.se" and event["data"]["submitted_at"].endswith("Z")


def test_a_card_made_changed_and_terminated(db, company):
    card = Card(company_id=company.id, card_type_id=company.card_type.id, holder_name="Åsa Öberg", status="ordered",
                holder_data={"first_name": "Åsa", "last_name": "Öberg"})
    db.session.add(card)
    db.session.commit()
    set_production_data(card, None, card_number="4711")
    db.session.commit()
    change = CardChange(card_id=card.id, company_id=company.id, proposed={"last_name": "Lind"},
                        expires_at=utcnow() + timedelta(days=7))
    db.session.add(change)
    db.session.commit()
    approve_card_change(change)
    db.session.commit()
    terminate_card(company, company.approver, card, "Left the company")
    db.session.commit()
    got = events(db)
    assert [e["type"] for e in got] == ["card.activated", "card.changed", "card.terminated"]
    assert got[0]["data"]["card_number"] == "4711" and got[0]["data"]["previous_status"] == "ordered"
    assert got[1]["data"]["changed_fields"] == ["last_name"] and got[1]["data"]["holder_name"] == "Åsa Lind"
    assert got[2]["data"]["status_reason"] == "Left the company"


def test_a_print_job_that_fails_for_good(db, company, monkeypatch):
    import portal.printing.operations as printing

    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    card = Card(company_id=company.id, card_type_id=company.card_type.id, holder_name="Åsa Öberg",
                status="in_production", holder_data={"first_name": "Åsa", "last_name": "Öberg"})
    db.session.add_all([printer, card])
    db.session.flush()
    job = PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id, attempts=2)
    db.session.add(job)
    db.session.commit()

    def broken(job, png):
        raise OSError("ribbon out")

    monkeypatch.setattr("portal.printing.tasks.deliver", broken)
    monkeypatch.setattr("portal.printing.tasks.render_job", lambda job: b"png")
    assert printing.MAX_ATTEMPTS == 3
    process_print_queue()
    db.session.commit()
    [event] = events(db)
    assert event["type"] == "print_job.failed"
    assert event["data"]["id"] == job.id and event["data"]["error"] == "ribbon out"
    assert event["data"]["printer_name"] == "Desk"


def test_only_the_events_an_endpoint_asked_for(db, company, make_endpoint):
    from portal.webhooks.events import emit

    endpoint, _ = make_endpoint(company, "http://127.0.0.1:9/other", events=["card.blocked"])
    emit(company.id, "card.blocked", {"id": 1})
    emit(company.id, "order.placed", {"id": 2})
    db.session.commit()
    rows = list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)))
    assert [r.event_type for r in rows] == ["card.blocked"]
