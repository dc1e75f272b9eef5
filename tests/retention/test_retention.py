"""Retention: exactly which fields are anonymised, which stay, and when."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.cards.models import Card
from portal.collection.models import CollectionRequest
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.ordering.models import Order, OrderLine
from portal.retention.operations import anonymise_all, preview


def _photo():
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "JPEG")
    return storage.save(buf.getvalue(), "photos", "jpg")


@pytest.fixture()
def old_order(db, make_company, make_user, make_card_type):
    def make(company, *, age_days: int, card_status: str = "terminated", number: str = "CW-1"):
        user = make_user(company)
        ct = make_card_type()
        photo = _photo()
        at = utcnow() - timedelta(days=age_days)
        order = Order(company_id=company.id, number=number, orderer_id=user.id, reference="PO-77",
                      note="Deliver to Åsa", total=Decimal("89.00"), placed_at=at, last_activity_at=at,
                      delivery={"name": "Åsa Öberg", "street": "Hemvägen 1"}, status="delivered")
        line = OrderLine(kind="card", card_type_id=ct.id, description="Badge", unit_price=Decimal("89.00"),
                         holder_name="Åsa Öberg", holder_data={"first_name": "Åsa", "national_id": "198501011234"},
                         photo_key=photo, delivery={"name": "Åsa"})
        order.lines = [line]
        db.session.add(order)
        db.session.flush()
        card = Card(company_id=company.id, order_id=order.id, order_line_id=line.id, card_type_id=ct.id,
                    holder_name="Åsa Öberg", holder_email="asa@x.se", national_id="198501011234",
                    employee_no="E-1", holder_data={"first_name": "Åsa"}, photo_key=photo,
                    card_number="100200", chip_uid="04AABB", status=card_status, readouts={"uid": "04AABB"})
        db.session.add(card)
        db.session.commit()
        return order, line, card, photo

    return make


def test_expired_order_loses_personal_data_and_keeps_bookkeeping(db, make_company, old_order):
    company = make_company("Nordbygg AB", retention_months=12)
    order, line, card, photo = old_order(company, age_days=400)
    assert preview(company) == 1
    counts = anonymise_all()
    assert (counts.orders, counts.order_lines, counts.cards, counts.photos) == (1, 1, 1, 1)
    db.session.expire_all()
    order, line, card = db.session.get(Order, order.id), db.session.get(OrderLine, line.id), db.session.get(Card, card.id)
    # Gone:
    assert order.delivery is None and order.note == ""
    assert line.holder_name == "" and line.holder_data == {} and line.photo_key is None and line.delivery is None
    assert (card.holder_name, card.holder_email, card.national_id, card.employee_no) == ("", "", "", "")
    assert card.holder_data == {} and card.photo_key is None
    assert not storage.exists(photo)
    # Kept:
    assert order.number == "CW-1" and order.total == Decimal("89.00") and order.reference == "PO-77"
    assert order.status == "delivered" and card.card_number == "100200" and card.chip_uid == "04AABB"
    assert card.status == "terminated"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.run"))
    assert event.company_id == company.id and "1 orders" in event.summary
    assert preview(company) == 0


def test_recent_orders_and_companies_without_retention_are_untouched(db, make_company, old_order):
    keep_forever = make_company("Old customer AB", retention_months=None)
    recent = make_company("New AB", retention_months=36)
    o1, *_ = old_order(keep_forever, age_days=3000, number="CW-A")
    o2, *_ = old_order(recent, age_days=400, number="CW-B")
    anonymise_all()
    db.session.expire_all()
    assert db.session.get(Order, o1.id).delivery is not None
    assert db.session.get(Order, o2.id).delivery is not None


def test_active_card_keeps_its_holder_until_it_is_no_longer_active(db, make_company, old_order):
    company = make_company("Nordbygg AB", retention_months=3)
    order, line, card, photo = old_order(company, age_days=200, card_status="active")
    anonymise_all()
    db.session.expire_all()
    card = db.session.get(Card, card.id)
    assert card.holder_name == "Åsa Öberg" and card.photo_key == photo and storage.exists(photo)
    assert db.session.get(OrderLine, line.id).holder_name == "Åsa Öberg"
    assert db.session.get(Order, order.id).delivery is None  # the order's own address still goes


def test_running_twice_changes_nothing_more(db, make_company, old_order):
    company = make_company("Nordbygg AB", retention_months=6)
    old_order(company, age_days=400)
    first = anonymise_all()
    second = anonymise_all()
    assert first.orders == 1 and second.orders == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.run").order_by(AuditEvent.id.desc())) is not None


def test_finished_collection_requests_are_anonymised(db, make_company, make_card_type):
    company = make_company("Nordbygg AB", retention_months=12)
    ct = make_card_type()
    old = utcnow() - timedelta(days=500)
    done = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="emp@x.se", name="Emp",
                             status="ordered", data={"first_name": "Emp"}, token_hash="a" * 64, updated_at=old)
    pending = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="p@x.se", status="pending",
                                data={"first_name": "P"}, updated_at=old)
    db.session.add_all([done, pending])
    db.session.commit()
    assert anonymise_all().requests == 1
    db.session.expire_all()
    done, pending = db.session.get(CollectionRequest, done.id), db.session.get(CollectionRequest, pending.id)
    assert (done.email, done.name, done.data, done.token_hash) == ("", "", {}, None)
    assert pending.email == "p@x.se"
