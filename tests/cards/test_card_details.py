"""The card details page as a user reads it, bulk block / terminate, and printing from the card."""
from sqlalchemy import func, select

from portal.cards.models import Card
from portal.cards.operations import request_card_change
from portal.printing.models import Printer, PrintJob
from tests.cards.test_cards import cards  # noqa: F401 - the shared fixture
from tests.conftest import html_text


def test_details_show_a_pending_change_by_field_labels_and_only_what_changes(client, db, cards):  # noqa: F811
    company, admin, ct, asa, bo = cards
    request_card_change(company, admin, asa, {"first_name": "Åsa Maria", "last_name": "Öberg",
                                              "national_id": "198501010006"})
    db.session.commit()
    client.login(admin.email)
    page = html_text(client.get(f"/admin/cards/{asa.id}"))
    assert "Waiting for the holder" in page
    assert "First name Åsa Åsa Maria" in page
    assert "Last name Öberg Öberg" not in page  # unchanged fields are not listed
    assert "first_name" not in page and "pending" not in page  # no raw keys or states
    assert "Anna" in page  # the orderer


def test_terminate_warns_before_confirming_and_is_final(client, db, cards):  # noqa: F811
    company, admin, ct, asa, bo = cards
    client.login(admin.email)
    page = client.get(f"/admin/cards/{asa.id}").get_data(as_text=True)
    assert "can never be activated again" in page
    client.post(f"/admin/cards/{asa.id}/status", {"action": "terminate", "reason": "Left"})
    resp = client.post(f"/admin/cards/{asa.id}/status", {"action": "unblock"}, follow_redirects=True)
    text = html_text(resp)
    assert "terminated and can never be used again" in text
    db.session.expire_all()
    assert db.session.get(Card, asa.id).status == "terminated"


def test_bulk_block_and_terminate_need_a_reason(client, db, cards):  # noqa: F811
    company, admin, ct, asa, bo = cards
    client.login(admin.email)
    client.post("/admin/cards/bulk", {"action": "block", "reason": "", "card_id": [asa.id]})
    db.session.expire_all()
    assert db.session.get(Card, asa.id).status == "active"
    resp = client.post("/admin/cards/bulk", {"action": "terminate", "reason": "Project ended",
                                             "card_id": [asa.id, bo.id]}, follow_redirects=True)
    assert "2 cards updated" in html_text(resp)
    db.session.expire_all()
    assert {c.status for c in db.session.scalars(select(Card))} == {"terminated"}
    assert {c.status_reason for c in db.session.scalars(select(Card))} == {"Project ended"}


def test_print_from_the_card_is_a_new_explicit_job_each_time(client, db, cards, make_company):  # noqa: F811
    company, admin, ct, asa, bo = cards
    mine = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    theirs = Printer(company_id=make_company("Beta AB").id, name="Theirs", backend="hot_folder", target="x")
    db.session.add_all([mine, theirs])
    db.session.commit()
    client.login(admin.email)
    assert "Print now" in html_text(client.get(f"/admin/cards/{asa.id}"))
    client.post(f"/admin/cards/{asa.id}/print", {"printer_id": mine.id})
    client.post(f"/admin/cards/{asa.id}/print", {"printer_id": mine.id})
    client.post(f"/admin/cards/{asa.id}/print", {"printer_id": theirs.id})
    assert db.session.scalar(select(func.count()).select_from(PrintJob).where(PrintJob.card_id == asa.id)) == 2
    page = html_text(client.get(f"/admin/cards/{asa.id}"))
    assert "Queued" in page and "Print again" in page
