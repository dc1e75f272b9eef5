"""A person's data: found, exported (the ZIP's JSON against the database) and erased (every column of
every table searched afterwards), tenant scoped."""
from __future__ import annotations

import io
import json
import zipfile

from pypdf import PdfReader
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.reads import subject_filter
from portal.cards.models import Card
from portal.collection.models import ImportBatch
from portal.infra import storage
from portal.ordering.models import Order, OrderLine
from portal.privacy.erasure import erase_person
from portal.privacy.export import export_zip, row_dict
from portal.privacy.people import find_people, footprint, person_by_row
from tests.privacy.conftest import EMAIL, NAME, NID, find_everywhere


def _person(company, query=NAME):
    people = find_people(company, query)
    assert len(people) == 1, people
    return people[0]


def test_a_person_is_found_by_part_of_name_email_or_national_id_in_their_company_only(db, make_company, make_person):
    mine, other = make_company("Nordbygg AB"), make_company("Other AB")
    make_person(mine)
    make_person(other)
    for query in ("åsa öb", "ASA.OBERG@", "19850101-1234", NID):
        person = _person(mine, query)
        assert (person.name, person.email, person.national_id) == (NAME, EMAIL, NID)
    assert find_people(mine, "Nobody Here") == []
    other_card = db.session.scalars(select(Card).where(Card.company_id == other.id)).first()
    assert person_by_row(mine, "card", other_card.id) is None  # another company's row names no one here


def test_export_zip_holds_the_database_rows_a_readable_pdf_and_the_photos_and_is_audited(db, make_company,
                                                                                        make_person):
    company = make_company("Nordbygg AB", language="sv")
    made = make_person(company)
    fp = footprint(company, _person(company))
    data = export_zip(company, fp)
    db.session.commit()
    zf = zipfile.ZipFile(io.BytesIO(data))
    exported = json.loads(zf.read("person.json"))
    db.session.expire_all()
    cards = db.session.scalars(select(Card).where(Card.company_id == company.id).order_by(Card.id)).all()
    assert exported["cards"] == [json.loads(json.dumps(row_dict(c))) for c in cards]
    lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == made["order"].id)
                               .order_by(OrderLine.id)).all()
    assert [line["holder_name"] for line in exported["lines"]] == [line.holder_name for line in lines] == [NAME] * 2
    assert [o["total"] for o in exported["orders"]] == ["178.00"]
    assert len(exported["requests"]) == 2 and len(exported["changes"]) == 1
    assert exported["emails"][0]["to"] == EMAIL and len(exported["webhook_deliveries"]) == 1
    assert "token_hash" not in exported["requests"][0]
    photos = [n for n in zf.namelist() if n.startswith("photos/")]
    assert sorted(photos) == sorted(exported["photos"]) and len(photos) == 4  # two cards (their lines share them), a change, a request
    assert all(zf.read(n)[:2] == b"\xff\xd8" for n in photos)  # JPEG files
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(zf.read("person.pdf"))).pages)
    assert NAME in text and NID in text
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.exported")).one()
    assert event.company_id == company.id and NAME not in event.subject and NID not in event.subject
    for typed in (NID, "19850101-1234", EMAIL.upper(), NAME.lower()):
        assert db.session.scalars(select(AuditEvent.id).where(subject_filter(typed))).all() == [event.id]


def test_erasure_leaves_the_person_nowhere_in_any_table_and_deletes_the_photos(db, make_company, make_person):
    company, other = make_company("Nordbygg AB"), make_company("Other AB")
    make_person(company)
    make_person(other)
    fp = footprint(company, _person(company))
    photos = fp.photo_keys()
    assert photos and all(storage.exists(k) for k in photos)
    result = erase_person(company, fp)
    db.session.commit()
    assert (result.cards, result.lines, result.requests, result.emails, result.webhook_deliveries) == (2, 2, 2, 1, 1)
    left = find_everywhere(NAME, EMAIL, NID)
    # Only the look-alike of the other company still has them: nothing of this company is left.
    assert left and all(_company_of(table, row_id) == other.id for table, _col, row_id in left), left
    assert not any(storage.exists(k) for k in photos)
    batch = db.session.scalars(select(ImportBatch).where(ImportBatch.company_id == company.id)).one()
    assert [e["value"] for e in batch.errors] == ["bo@example.se"]  # only the person's row error went
    order = db.session.scalars(select(Order).where(Order.company_id == company.id)).one()
    assert str(order.total) == "178.00" and order.number  # the amounts are kept
    assert any("amounts" in reason for reason in result.kept)
    erased = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased")).one()
    assert erased.company_id == company.id and db.session.scalars(
        select(AuditEvent.id).where(subject_filter(EMAIL))).all() == [erased.id]


def test_an_active_card_keeps_its_holder_until_it_is_blocked_and_says_so(db, make_company, make_person):
    company = make_company("Nordbygg AB")
    made = make_person(company, card_status="active")
    active = made["cards"][0]
    result = erase_person(company, footprint(company, _person(company)))
    db.session.commit()
    assert any(active.card_number in reason for reason in result.kept)
    left = {(table, row_id) for table, _col, row_id in find_everywhere(NAME, EMAIL, NID)}
    # The card in use, its order line, and the card's own history and print job stay with it.
    assert {table for table, row_id in left} == {"card", "order_line", "card_status_event", "print_job"}, left
    assert ("card", active.id) in left and ("order_line", active.order_line_id) in left
    assert len(left) == 4


def _company_of(table: str, row_id) -> int | None:
    from portal.infra.extensions import db

    owners = {"order_line": "SELECT o.company_id FROM order_line l JOIN card_order o ON o.id = l.order_id WHERE l.id = :i",
              "card_status_event": "SELECT c.company_id FROM card_status_event e JOIN card c ON c.id = e.card_id "
                                   "WHERE e.id = :i"}
    from sqlalchemy import text

    sql = owners.get(table, f"SELECT company_id FROM {table} WHERE id = :i")  # noqa: S608 (table names from metadata)
    return db.session.scalar(text(sql), {"i": row_id})


def test_a_holder_who_is_also_a_user_keeps_the_account_and_is_told_where_to_remove_it(db, make_company, make_person,
                                                                                      make_user):
    company = make_company("Nordbygg AB")
    make_person(company)
    make_user(company, email=EMAIL)
    result = erase_person(company, footprint(company, _person(company)))
    db.session.commit()
    assert any(EMAIL in reason and "Company > Users" in reason for reason in result.kept)
