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
    assert "Change waiting for the holder" in html_text(client.get("/admin/cards/"))


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


def test_change_link_expires_and_dies_when_the_card_is_terminated(client, db, cards):  # noqa: F811
    import re
    from datetime import timedelta

    from portal.cards.models import CardChange
    from portal.cards.operations import terminate_card
    from portal.infra.db_types import utcnow
    from portal.outbox.models import OutboxEmail

    company, admin, ct, asa, bo = cards
    change = request_card_change(company, admin, asa, {"first_name": "Åsa Maria", "last_name": "Öberg"})
    db.session.commit()
    link = re.search(r"(/r/change/[A-Za-z0-9_-]+)", db.session.scalar(select(OutboxEmail.body_text))).group(1)
    assert len(change.token_hash) == 64 and change.token_hash not in link  # only a hash is stored
    change.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(link).status_code == 410
    assert client.post(link, {"decision": "approve"}).status_code == 410
    client.login(admin.email)
    assert "Expired" in html_text(client.get(f"/admin/cards/{asa.id}"))
    change.expires_at = utcnow() + timedelta(days=1)
    terminate_card(company, admin, asa, "Left")
    db.session.commit()
    closed = client.get(link)  # closed with the card: the link says why
    assert closed.status_code == 410 and "no longer in use" in html_text(closed)
    assert client.post(link, {"decision": "approve"}).status_code == 410
    db.session.expire_all()
    assert db.session.get(Card, asa.id).holder_name == "Åsa Öberg"
    assert db.session.get(CardChange, change.id).state == "closed"


def test_operator_downloads_the_production_list_fills_it_in_and_uploads_it(client, db, cards, make_user):  # noqa: F811
    import csv
    import io

    company, admin, ct, asa, bo = cards
    operator = make_user(email="op@x.se", is_operator=True)
    orderer = type(client)(client.application.test_client())
    orderer.login(admin.email)
    assert orderer.get("/admin/production/list.csv").status_code == 403
    client.login(operator.email)
    assert "1 card is waiting" in html_text(client.get("/admin/production/"))
    rows = list(csv.reader(io.StringIO(client.get("/admin/production/list.csv").data.decode("utf-8-sig"))))
    assert rows[0] == ["card id", "order number", "company", "card holder", "card type", "card number", "chip UID"]
    assert [r[3] for r in rows[1:]] == ["Bo Ek"]  # the active card is not waiting
    rows[1][5], rows[1][6] = "4711000555", "04CC"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    resp = client.post("/admin/production/", {"file": (io.BytesIO(out.getvalue().encode()), "prod.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    db.session.expire_all()
    card = db.session.get(Card, bo.id)
    assert (card.card_number, card.chip_uid, card.status, card.readouts) == ("4711000555", "04CC", "active", {})


def test_system_reasons_in_the_history_follow_the_readers_language(client, db, cards, make_user):  # noqa: F811
    from portal.cards.operations import set_production_data

    company, admin, ct, asa, bo = cards
    set_production_data(bo, None, card_number="4711000777")
    admin.language = "sv"
    db.session.commit()
    client.login(admin.email)
    page = html_text(client.get(f"/admin/cards/{bo.id}"))
    assert "Produktion" in page and "Production" not in page


def test_holder_sees_the_identity_number_formatted_on_the_approval_page(client, db, cards):  # noqa: F811
    import re

    from portal.outbox.models import OutboxEmail

    company, admin, ct, asa, bo = cards
    request_card_change(company, admin, asa, {"first_name": "Åsa Maria", "last_name": "Öberg",
                                              "national_id": "198501010006"})
    db.session.commit()
    link = re.search(r"(/r/change/[A-Za-z0-9_-]+)", db.session.scalar(select(OutboxEmail.body_text))).group(1)
    page = html_text(client.get(link))
    assert "19850101-0006" in page and "198501010006" not in page


def test_blocked_and_terminated_cards_are_not_printed(client, db, cards):  # noqa: F811
    from portal.cards.operations import block_card

    company, admin, ct, asa, bo = cards
    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    db.session.add(printer)
    block_card(company, admin, asa, "Lost")
    db.session.commit()
    client.login(admin.email)
    resp = client.post(f"/admin/cards/{asa.id}/print", {"printer_id": printer.id}, follow_redirects=True)
    assert "Unblock the card before printing it again" in html_text(resp)
    assert db.session.scalar(select(func.count()).select_from(PrintJob)) == 0
