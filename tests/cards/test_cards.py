"""Handle cards: search in any format, block/unblock/terminate rules, holder-approved changes, isolation."""
import re

import pytest
from sqlalchemy import select

from portal.cards.models import Card, CardChange, CardStatusEvent
from portal.cards.operations import (
    CardError,
    block_card,
    request_card_change,
    set_production_data,
    terminate_card,
    unblock_card,
)
from portal.cards.search import search_cards
from portal.outbox.models import OutboxEmail
from tests.conftest import html_text


@pytest.fixture()
def cards(db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB", language="en")
    admin = make_user(company, role="admin", email="admin@nordbygg.se", name="Anna")
    ct = make_card_type("Site ID", fields=[("first_name", "First name", "text", True),
                                           ("last_name", "Last name", "text", True),
                                           ("national_id", "Personal identity number", "national_id", False)])
    asa = Card(company_id=company.id, card_type_id=ct.id, orderer_id=admin.id, holder_name="Åsa Öberg",
               holder_email="asa@x.se", national_id="198501010006", employee_no="E-77", card_number="4711000123",
               status="active", holder_data={"first_name": "Åsa", "last_name": "Öberg", "national_id": "198501010006"})
    bo = Card(company_id=company.id, card_type_id=ct.id, holder_name="Bo Ek", status="ordered")
    db.session.add_all([asa, bo])
    db.session.commit()
    return company, admin, ct, asa, bo


@pytest.mark.parametrize("typed", ["850101-0006", "198501010006", "19850101-0006", "8501010006", "19850101",
                                   "4711", "öberg", "åsa", "E-77"])
def test_search_finds_the_card_whatever_the_format(db, cards, typed):
    company, *_, asa, bo = cards
    found, _more = search_cards(company, typed)
    assert [c.id for c in found] == [asa.id]


def test_search_never_finds_another_companys_cards(db, cards, make_company):
    company, admin, ct, asa, bo = cards
    other = make_company("Other AB")
    db.session.add(Card(company_id=other.id, card_type_id=ct.id, holder_name="Åsa Other", national_id="198501010006"))
    db.session.commit()
    found, _ = search_cards(company, "198501010006")
    assert {c.company_id for c in found} == {company.id}


def test_block_unblock_and_terminate_rules(db, cards):
    company, admin, ct, asa, bo = cards
    with pytest.raises(CardError):
        block_card(company, admin, asa, "")
    block_card(company, admin, asa, "Lost on site")
    assert asa.status == "blocked"
    unblock_card(company, admin, asa)
    assert asa.status == "active"
    terminate_card(company, admin, asa, "Left the company")
    db.session.commit()
    with pytest.raises(CardError, match="never"):
        unblock_card(company, admin, asa) if asa.status == "blocked" else block_card(company, admin, asa, "x")
    with pytest.raises(CardError, match="never"):
        terminate_card(company, admin, asa, "again")
    set_production_data(asa, admin, card_number="1")  # numbers may be corrected, the status stays
    assert asa.status == "terminated"
    reasons = [e.reason for e in db.session.scalars(select(CardStatusEvent).where(CardStatusEvent.card_id == asa.id))]
    assert "Lost on site" in reasons and "Left the company" in reasons


def test_production_data_activates_the_card(db, cards):
    company, admin, ct, asa, bo = cards
    set_production_data(bo, admin, card_number="4711000999", chip_uid="04aabb", readouts={"sector": "7"})
    assert bo.status == "active" and bo.activated_at and bo.readouts == {"sector": "7"}


def test_change_is_applied_only_after_the_holder_approves(client, db, cards):
    company, admin, ct, asa, bo = cards
    request_card_change(company, admin, asa, {"first_name": "Åsa Maria", "last_name": "Öberg",
                                              "national_id": "198501010006"})
    db.session.commit()
    assert asa.holder_name == "Åsa Öberg"  # not yet
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "card_change_request"))
    link = re.search(r"(/r/change/[A-Za-z0-9_-]+)", mail.body_text).group(1)
    page = html_text(client.get(link))
    assert "Åsa Maria" in page
    client.post(link, {"decision": "approve"})
    db.session.expire_all()
    assert db.session.get(Card, asa.id).holder_name == "Åsa Maria Öberg"
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "card_change_result")).to == "admin@nordbygg.se"
    assert client.get(link).status_code == 410  # answered: the link is used up


def test_a_new_change_request_replaces_the_old_link_and_decline_changes_nothing(client, db, cards):
    company, admin, ct, asa, bo = cards
    request_card_change(company, admin, asa, {"first_name": "A", "last_name": "B"})
    db.session.commit()
    first = re.search(r"(/r/change/[A-Za-z0-9_-]+)", db.session.scalar(select(OutboxEmail.body_text))).group(1)
    request_card_change(company, admin, asa, {"first_name": "C", "last_name": "D"})
    db.session.commit()
    assert client.get(first).status_code == 404
    second = re.search(r"(/r/change/[A-Za-z0-9_-]+)", db.session.scalars(
        select(OutboxEmail.body_text).order_by(OutboxEmail.id.desc())).first()).group(1)
    client.post(second, {"decision": "decline"})
    db.session.expire_all()
    assert db.session.get(Card, asa.id).holder_name == "Åsa Öberg"
    assert {c.state for c in db.session.scalars(select(CardChange))} == {"cancelled", "declined"}


def test_screens_search_block_and_isolation(client, db, cards, make_company, make_world, make_user):
    company, admin, ct, asa, bo = cards
    world_b = make_world(make_company("Beta AB"))
    client.login(admin.email)
    listing = html_text(client.get("/admin/cards/?q=850101-0006"))
    assert "Åsa Öberg" in listing and "Bo Ek" not in listing
    client.post(f"/admin/cards/{asa.id}/status", {"action": "block", "reason": "Lost"})
    db.session.expire_all()
    assert db.session.get(Card, asa.id).status == "blocked"
    their = world_b[Card]
    assert client.get(f"/admin/cards/{their.id}").status_code == 404
    assert client.get(f"/admin/cards/{their.id}/photo.jpg").status_code == 404
    assert client.post(f"/admin/cards/{their.id}/status", {"action": "terminate", "reason": "x"}).status_code == 404
    assert client.post("/admin/cards/bulk", {"action": "terminate", "reason": "x", "card_id": their.id}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Card, their.id).status == "ordered"
    viewer = make_user(company, role="viewer", email="v@nordbygg.se")
    other = type(client)(client.application.test_client())
    other.login(viewer.email)
    assert other.get("/admin/cards/").status_code == 200
    assert other.post(f"/admin/cards/{asa.id}/status", {"action": "unblock"}).status_code == 403


def test_production_file_sets_numbers_and_readouts_or_stores_nothing(client, db, cards, make_user):
    from portal.cards.production import import_production_file

    company, admin, ct, asa, bo = cards
    operator = make_user(email="op@x.se", is_operator=True)
    bad = f"card id;card number;chip UID\r\n{bo.id};4711000123;04AA\r\n".encode("utf-8-sig")  # number taken by Åsa
    result = import_production_file(bad, operator)
    assert [(e.line, e.column) for e in result.errors] == [(2, "card number")]
    db.session.expire_all()
    assert db.session.get(Card, bo.id).card_number is None
    good = f"card id;card number;chip UID;Mifare sector\r\n{bo.id};4711000999;04BB;7\r\n".encode("utf-8-sig")
    client.login(operator.email)
    import io

    resp = client.post("/admin/production/", {"file": (io.BytesIO(good), "prod.csv")}, content_type="multipart/form-data")
    assert resp.status_code == 302
    db.session.expire_all()
    card = db.session.get(Card, bo.id)
    assert (card.card_number, card.chip_uid, card.status, card.readouts) == ("4711000999", "04BB", "active",
                                                                            {"Mifare sector": "7"})


def test_the_cards_list_header_counts_the_companys_cards_and_the_filter(client, db, cards, make_company, make_world):
    company, admin, ct, asa, bo = cards
    make_world(make_company("Beta AB"))  # another company's card is not counted
    client.login(admin.email)
    assert "Handle cards · 2" in html_text(client.get("/admin/cards/"))
    assert "Handle cards · 1" in html_text(client.get("/admin/cards/?status=active"))
    assert 'data-testid="list-count"' not in client.get("/admin/cards/?q=Öberg").get_data(as_text=True)  # a text search shows no count


def test_past_the_cap_the_header_says_more_than_instead_of_counting_every_card(client, db, cards, monkeypatch):
    """The count costs the same at 100,000 cards as at 5,000,000: it stops one past the cap."""
    import portal.cards.search as search

    company, admin, ct, asa, bo = cards
    client.login(admin.email)
    monkeypatch.setattr("admin_views.cards.COUNT_CAP", 1)
    assert "Handle cards · more than 1" in html_text(client.get("/admin/cards/"))
    assert "Handle cards · 1" in html_text(client.get("/admin/cards/?status=active"))
    assert search.count_cards(company, cap=1) == 2 and search.count_cards(company, cap=5) == 2
