"""Replace card, validity, the expiry job and its digest, Handle cards' export and bulk unblock."""
import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.cards.models import Card, CardStatusEvent
from portal.cards.operations import set_production_data
from portal.cards.status import CardError, valid_from_activation
from portal.collection.models import CollectionRequest
from portal.ordering.models import CartItem
from portal.outbox.models import OutboxEmail
from portal.renewal.operations import COLLECT, ORDER, renew_cards, replace_card
from portal.renewal.tasks import expire_cards
from portal.reports.operations import ReportFilter, report_rows
from tests.conftest import html_text

FIELDS = [("first_name", "First name", "text", True), ("last_name", "Last name", "text", True)]


@pytest.fixture()
def world(db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB", language="en")
    admin = make_user(company, role="admin", email="admin@nordbygg.se", name="Anna")
    ct = make_card_type("Site ID", fields=FIELDS, validity_months=12)

    def card(name="Åsa Öberg", status="active", email="asa@x.se", **kw):
        first, last = name.split(" ", 1)
        c = Card(company_id=company.id, card_type_id=ct.id, orderer_id=admin.id, holder_name=name,
                 holder_email=email, status=status, holder_data={"first_name": first, "last_name": last}, **kw)
        db.session.add(c)
        db.session.commit()
        return c
    return company, admin, ct, card


def _events(db, card):
    return [(e.to_status, e.reason) for e in db.session.scalars(
        select(CardStatusEvent).where(CardStatusEvent.card_id == card.id).order_by(CardStatusEvent.id))]


def test_lost_card_is_blocked_at_once_and_terminated_when_its_replacement_is_active(db, world):
    company, admin, ct, make = world
    old = make(card_number="4711")
    done = replace_card(company, admin, old, "lost")
    db.session.commit()
    assert done.via == ORDER and old.status == "blocked" and old.replacement_reason == "lost"
    assert ("blocked", "Lost") in _events(db, old)
    item = db.session.scalar(select(CartItem))
    assert item.replaces_card_id == old.id and item.holder_data == {"first_name": "Åsa", "last_name": "Öberg"}
    new = Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa Öberg", status="ordered",
               replaces_card_id=old.id)
    db.session.add(new)
    db.session.commit()
    set_production_data(new, admin, card_number="4712")
    db.session.commit()
    assert new.status == "active" and old.status == "terminated"
    assert _events(db, old)[-1] == ("terminated", "Replaced by a new card")
    assert new.valid_until == valid_from_activation(new.activated_at.date(), 12)


def test_damaged_card_stays_active_until_the_new_one_is(db, world):
    company, admin, ct, make = world
    old = make()
    replace_card(company, admin, old, "damaged")
    db.session.commit()
    assert old.status == "active"
    with pytest.raises(CardError):  # one replacement per card
        replace_card(company, admin, old, "name_change")


def test_new_photo_sends_a_prefilled_data_collection_request_linked_to_the_card(db, world, client):
    company, admin, ct, make = world
    old = make()
    assert replace_card(company, admin, old, "new_photo").via == COLLECT
    db.session.commit()
    req = db.session.scalar(select(CollectionRequest))
    assert req.email == "asa@x.se" and req.data["last_name"] == "Öberg" and req.replaces_card_id == old.id
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.to == "asa@x.se")) is not None


def test_a_card_without_email_cannot_ask_for_a_photo_and_nothing_is_kept(db, world, client):
    company, admin, ct, make = world
    old = make(email="")
    client.login(admin.email)
    page = html_text(client.post(f"/admin/cards/{old.id}/replace", {"reason": "new_photo"}))
    assert "no email address" in page
    db.session.expire_all()
    assert db.session.get(Card, old.id).replacement_reason is None


def test_replace_card_screen_links_both_cards(db, world, client):
    company, admin, ct, make = world
    old = make(card_number="4711")
    client.login(admin.email)
    assert "Replace card" in html_text(client.get(f"/admin/cards/{old.id}"))
    resp = client.post(f"/admin/cards/{old.id}/replace", {"reason": "stolen"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/cart/")
    new = Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa Öberg", status="ordered",
               replaces_card_id=old.id, card_number="4799")
    db.session.add(new)
    db.session.commit()
    old_page, new_page = html_text(client.get(f"/admin/cards/{old.id}")), html_text(client.get(f"/admin/cards/{new.id}"))
    assert "Stolen" in old_page and "New card: 4799" in old_page
    assert "Replaces" in new_page and "4711" in new_page
    _total, rows = report_rows(company, ReportFilter(columns=["holder_name", "replacement_reason"]))
    assert ["Åsa Öberg", "Stolen"] in rows


def test_another_companys_card_cannot_be_replaced(db, world, client, make_company, make_card_type):
    company, admin, ct, make = world
    other = make_company("Other AB")
    theirs = Card(company_id=other.id, card_type_id=ct.id, holder_name="Them", status="active")
    db.session.add(theirs)
    db.session.commit()
    client.login(admin.email)
    assert client.get(f"/admin/cards/{theirs.id}/replace").status_code == 404
    assert client.post(f"/admin/cards/{theirs.id}/replace", {"reason": "lost"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Card, theirs.id).status == "active"


def test_expiry_job_sends_each_notice_once_and_blocks_expired_cards(db, world, app):
    company, admin, ct, make = world
    today = date(2027, 3, 1)
    soon = make("Bo Ek", valid_until=today + timedelta(days=25))
    later = make("Cecilia Ek", valid_until=today + timedelta(days=60))
    now = datetime.combine(today, datetime.min.time()) + timedelta(hours=3)
    assert expire_cards(now=now) == {"blocked": 0, "notified_cards": 1, "digests": 1}
    assert expire_cards(now=now) == {"blocked": 0, "notified_cards": 0, "digests": 0}  # run twice: nothing twice
    digest = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "card_expiry_digest"))
    assert digest.to == admin.email and "Bo Ek" in digest.body_text and "Cecilia" not in digest.body_text
    assert "/admin/cards/?expiring=" in digest.body_text
    assert expire_cards(now=now + timedelta(days=20))["notified_cards"] == 1  # the 7-day notice
    assert expire_cards(now=now + timedelta(days=21))["notified_cards"] == 0
    assert expire_cards(now=now + timedelta(days=26)) == {"blocked": 1, "notified_cards": 0, "digests": 0}
    db.session.expire_all()
    assert db.session.get(Card, soon.id).status == "blocked"
    assert _events(db, soon)[-1] == ("blocked", "Expired")
    assert expire_cards(now=now + timedelta(days=26))["blocked"] == 0
    assert db.session.get(Card, later.id).status == "active"


def test_renew_many_from_the_expiring_list(db, world, client):
    company, admin, ct, make = world
    in_time = make("Bo Ek", valid_until=date.today() + timedelta(days=10))
    no_mail = make("Dan Ek", email="", valid_until=date.today() + timedelta(days=12))
    make("Cecilia Ek", valid_until=date.today() + timedelta(days=200))
    client.login(admin.email)
    page = html_text(client.get("/admin/cards/?expiring=30"))
    assert "Bo Ek" in page and "Dan Ek" in page and "Cecilia" not in page
    client.post("/admin/cards/bulk", {"action": "renew_order", "card_id": [in_time.id, no_mail.id]})
    assert {i.replaces_card_id for i in db.session.scalars(select(CartItem))} == {in_time.id, no_mail.id}
    renewed = renew_cards(company, admin, [in_time, no_mail], COLLECT)
    assert renewed.collected == 0 and len(renewed.problems) == 2  # already being replaced


def test_bulk_unblock_reports_the_cards_it_could_not_unblock(db, world, client):
    company, admin, ct, make = world
    blocked, active = make("Bo Ek", status="blocked"), make("Cecilia Ek")
    client.login(admin.email)
    page = html_text(client.post("/admin/cards/bulk", {"action": "unblock", "card_id": [blocked.id, active.id]},
                                 follow_redirects=True))
    assert "1 card updated" in page and "1 card could not be unblocked" in page and "Cecilia Ek" in page
    db.session.expire_all()
    assert db.session.get(Card, blocked.id).status == "active"


def test_export_is_the_filtered_list_formula_safe_and_of_this_company_only(db, world, client, make_company):
    company, admin, ct, make = world
    make("=HYPERLINK Evil", status="blocked")
    make("Bo Ek")
    other = make_company("Other AB")
    db.session.add(Card(company_id=other.id, card_type_id=ct.id, holder_name="Other Person", status="blocked"))
    db.session.commit()
    client.login(admin.email)
    body = client.get("/admin/cards/export?format=csv&status=blocked").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "Card holder" and [r[0] for r in rows[1:]] == ["'=HYPERLINK Evil"]
    xlsx = load_workbook(io.BytesIO(client.get("/admin/cards/export?format=xlsx").data))
    names = [r[0] for r in xlsx.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["'=HYPERLINK Evil", "Bo Ek"]


def test_id06_cards_need_the_end_of_the_assignment_on_the_order_form(db, world, client, make_card_type):
    company, admin, _ct, _make = world
    id06 = make_card_type("ID06", fields=FIELDS, validity_until_end_date=True)
    client.login(admin.email)
    form = html_text(client.get(f"/admin/order-cards/?card_type={id06.id}"))
    assert "Last day of the employment or assignment" in form
    page = html_text(client.post(f"/admin/order-cards/?card_type={id06.id}",
                                 {"card_type": id06.id, "first_name": "Bo", "last_name": "Ek", "action": "cart"},
                                 follow_redirects=True))
    assert "Enter the last day of the employment or assignment." in page
    end = date.today() + timedelta(days=90)
    client.post(f"/admin/order-cards/?card_type={id06.id}", {"card_type": id06.id, "first_name": "Bo",
                                                             "last_name": "Ek", "action": "cart",
                                                             "valid_until": end.isoformat()})
    assert db.session.scalar(select(CartItem)).valid_until == end
    from portal.cards.status import create_card

    card = create_card(company, id06, {"first_name": "Bo", "last_name": "Ek"}, None, orderer=admin, valid_until=end)
    set_production_data(card, admin, card_number="9")
    assert card.valid_until == end  # the orderer's date, not a computed one


def test_the_whole_way_replace_order_produce_and_the_old_card_is_terminated(db, world, make_address):
    from portal.ordering.checkout import place_order

    company, admin, ct, make = world
    old = make(card_number="4711", valid_until=date.today() + timedelta(days=5))
    replace_card(company, admin, old, "damaged")
    order = place_order(company, admin, address_id=make_address(company).id)
    db.session.commit()
    new = db.session.scalar(select(Card).where(Card.order_id == order.id))
    assert new.replaces_card_id == old.id and new.holder_name == "Åsa Öberg" and old.status == "active"
    set_production_data(new, None, card_number="4800")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Card, old.id).status == "terminated"
    fresh = db.session.get(Card, new.id)
    assert fresh.valid_until == valid_from_activation(fresh.activated_at.date(), 12)


def test_an_id06_card_printed_at_the_desk_keeps_the_end_of_the_assignment(db, world, client, make_card_type):
    from portal.printing.models import Printer

    company, admin, _ct, _make = world
    id06 = make_card_type("ID06", fields=FIELDS, validity_until_end_date=True)
    printer = Printer(company_id=company.id, name="Reception", backend="hot_folder", target="reception")
    db.session.add(printer)
    db.session.commit()
    client.login(admin.email)
    end = date.today() + timedelta(days=30)
    client.post(f"/admin/order-cards/?card_type={id06.id}", {"card_type": id06.id, "first_name": "Bo", "last_name": "Ek",
                                                             "action": "print", "printer_id": printer.id,
                                                             "valid_until": end.isoformat()})
    db.session.expire_all()
    assert db.session.scalar(select(Card).where(Card.card_type_id == id06.id)).valid_until == end
