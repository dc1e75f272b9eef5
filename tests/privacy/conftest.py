"""A person with data in every table that can hold it, in one company, and a look-alike in another."""
from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import String, cast, inspect, select

from portal.audit.operations import record
from portal.cards.models import Card, CardChange, CardStatusEvent
from portal.collection.models import CollectionRequest, ImportBatch
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db as _db
from portal.ordering.models import CartItem, Order, OrderLine
from portal.outbox.models import OutboxEmail
from portal.printing.models import Printer, PrintJob
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint

NAME, EMAIL, NID = "Åsa Öberg", "asa.oberg@example.se", "198501011234"


def photo() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(buf, "JPEG")
    return storage.save(buf.getvalue(), "photos", "jpg")


@pytest.fixture()
def make_person(db, make_user, make_card_type):
    def make(company, *, card_status="blocked", second_card_status="terminated"):
        user = make_user(company, role="admin")
        ct = make_card_type()
        data = {"first_name": "Åsa", "last_name": "Öberg", "email": EMAIL, "national_id": NID}
        order = Order(company_id=company.id, number=f"CW-{company.id}-1", orderer_id=user.id, reference="PO-1",
                      note=f"Deliver to {NAME}", total=Decimal("178.00"), status="delivered",
                      delivery={"name": NAME, "street": "Hemvägen 1"})
        order.lines = [OrderLine(kind="card", card_type_id=ct.id, description="Badge", unit_price=Decimal("89.00"),
                                 holder_name=NAME, holder_data=data, photo_key=photo(), delivery={"name": NAME})
                       for _ in range(2)]
        db.session.add(order)
        db.session.flush()
        cards = []
        for line, status in zip(order.lines, (card_status, second_card_status), strict=True):
            card = Card(company_id=company.id, order_id=order.id, order_line_id=line.id, card_type_id=ct.id,
                        holder_name=NAME, holder_email=EMAIL, national_id=NID, employee_no="E-1",
                        holder_data=data, photo_key=line.photo_key, card_number=f"{company.id}00{line.id}",
                        status=status, status_reason=f"{NAME} lost it")
            db.session.add(card)
            db.session.flush()
            db.session.add(CardStatusEvent(card_id=card.id, to_status=status, reason=f"{NAME} lost it"))
            cards.append(card)
        db.session.add(CardChange(card_id=cards[0].id, company_id=company.id, proposed={"last_name": "Öberg-Ek"},
                                  photo_key=photo(), expires_at=utcnow(), state="closed"))
        printer = Printer(company_id=company.id, name="Desk", target="desk")
        db.session.add(printer)
        db.session.flush()
        db.session.add(PrintJob(company_id=company.id, card_id=cards[0].id, printer_id=printer.id, status="printed",
                                output=f"/out/{NAME}.png"))
        db.session.add(CollectionRequest(company_id=company.id, card_type_id=ct.id, email=EMAIL, name=NAME,
                                         data=data, photo_key=photo(), status="ordered"))
        db.session.add(CollectionRequest(company_id=company.id, card_type_id=ct.id, email=EMAIL, name=NAME,
                                         status="pending"))
        db.session.add(OutboxEmail(company_id=company.id, to=EMAIL, subject="Your card", body_text=f"Hej {NAME}",
                                   state="sent"))
        endpoint = WebhookEndpoint(company_id=company.id, url="https://hooks.example.com/x", secret="s")
        db.session.add(endpoint)
        db.session.flush()
        db.session.add(WebhookDelivery(company_id=company.id, endpoint_id=endpoint.id, message_id="m1",
                                       event_type="card.blocked",
                                       payload=json.dumps({"holder_name": NAME, "holder_email": EMAIL})))
        db.session.add(CartItem(company_id=company.id, user_id=user.id, card_type_id=ct.id, holder_data=data))
        db.session.add(ImportBatch(company_id=company.id, card_type_id=ct.id, filename="staff.csv", errors=[
            {"line": 3, "field": "Email", "value": EMAIL, "message": "already has an open request."},
            {"line": 4, "field": "Email", "value": "bo@example.se", "message": "already has an open request."}]))
        record("card.blocked", company_id=company.id, obj=cards[0], summary=f"{NAME}: lost")
        db.session.commit()
        return {"user": user, "order": order, "cards": cards}

    return make


def find_everywhere(*needles: str) -> list[tuple[str, str, object]]:
    """(table, column, row id) of every value in every column of every table that holds one of `needles`
    (text, JSON as text; JSON's ASCII escapes too)."""
    forms = {n.casefold() for n in needles} | {json.dumps(n)[1:-1].casefold() for n in needles}
    found = []
    for table in _db.metadata.sorted_tables:
        pk = next(iter(table.primary_key.columns))
        for column in table.columns:
            rows = _db.session.execute(select(pk, cast(column, String)).where(column.is_not(None))).all()
            found += [(table.name, column.name, row_id) for row_id, value in rows
                      if value and any(f in str(value).casefold() for f in forms)]
    return found


__all__ = ["NAME", "EMAIL", "NID", "find_everywhere", "inspect"]
