"""Data collection services: requests by email, CSV import, review, reminders."""
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.collection.csv_import import CsvFileError
from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import (
    CollectionError,
    LinkProblem,
    approve_to_cart,
    import_csv,
    open_request,
    reject_request,
    remove_request,
    send_requests,
)
from portal.collection.tasks import send_due_reminders
from portal.infra.db_types import utcnow
from portal.infra.extensions import db as _db
from portal.ordering.models import CartItem
from portal.outbox.models import OutboxEmail


def _token(email: OutboxEmail) -> str:
    return re.search(r"/r/([A-Za-z0-9_-]{30,})", email.body_text).group(1)


def test_requests_go_out_with_working_personal_links(db, collect):
    company, orderer, ct, addr = collect
    reqs = send_requests(company, orderer, ct, split_email_list('a@x.se, "Bo Ek" <bo@x.se>').valid)
    _db.session.commit()  # the request commits; operations only flush
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert [e.to for e in emails] == ["a@x.se", "bo@x.se"]
    assert open_request(_token(emails[1])).id == reqs[1].id
    assert reqs[1].name == "Bo Ek" and reqs[0].token_hash and _token(emails[0]) not in reqs[0].token_hash


def test_open_request_for_the_same_email_is_refused(db, collect):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("a@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    with pytest.raises(CollectionError, match="(?i)a@x.se"):
        send_requests(company, orderer, ct, split_email_list("A@x.se").valid)


def test_removed_and_expired_links_say_so(db, collect):
    company, orderer, ct, _ = collect
    [req] = send_requests(company, orderer, ct, split_email_list("a@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    token = _token(db.session.scalar(select(OutboxEmail)))
    with pytest.raises(LinkProblem) as problem:
        open_request(token, now=utcnow() + timedelta(days=31))
    assert problem.value.kind == "expired"
    remove_request(company, req.id)
    _db.session.commit()  # the request commits; operations only flush
    with pytest.raises(LinkProblem) as problem:
        open_request(token)
    assert problem.value.kind == "removed"  # the link stops working and says why


def test_csv_import_stores_nothing_when_any_row_is_wrong(db, collect):
    company, orderer, ct, _ = collect
    data = "EMAIL;Förnamn;Efternamn\r\na@x.se;Åsa;Öberg\r\nb@x.se;;Ek\r\n".encode("utf-8-sig")
    outcome = import_csv(company, orderer, ct, data, collect_by_email=True)
    assert outcome.created == 0 and [(e.line, e.column) for e in outcome.errors] == [(3, "First name")]
    assert db.session.scalar(select(func.count()).select_from(CollectionRequest)) == 0
    with pytest.raises(CsvFileError, match="CSV UTF-8"):
        import_csv(company, orderer, ct, "EMAIL,First name,Last name\na@x.se,Åsa,Ö\n".encode("cp1252"),
                   collect_by_email=True)


def test_csv_rows_go_pending_with_emails_or_straight_to_review(db, collect):
    company, orderer, ct, addr = collect
    good = "EMAIL,First name,Last name\na@x.se,Åsa,Öberg\nb@x.se,Bo,Ek\n".encode()
    assert import_csv(company, orderer, ct, good, collect_by_email=True, address_id=addr.id).created == 2
    emails = db.session.scalars(select(OutboxEmail)).all()
    assert len(emails) == 2 and open_request(_token(emails[0])).data["first_name"] in ("Åsa", "Bo")
    no_email = b"First name,Last name\nCia,Berg\n"
    assert import_csv(company, orderer, ct, no_email, collect_by_email=False).created == 1
    statuses = sorted(db.session.scalars(select(CollectionRequest.status)).all())
    assert statuses == ["in_review", "pending", "pending"]


def test_ten_thousand_rows_import(db, collect):
    company, orderer, ct, _ = collect
    rows = "\n".join(f"p{i}@x.se,P{i},Q" for i in range(10_000))
    assert import_csv(company, orderer, ct, f"EMAIL,First name,Last name\n{rows}\n".encode(),
                      collect_by_email=True).created == 10_000
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 10_000


def test_rejection_emails_the_reason_with_the_same_link(db, collect):
    company, orderer, ct, _ = collect
    [req] = send_requests(company, orderer, ct, split_email_list("a@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    first = _token(db.session.scalar(select(OutboxEmail)))
    req.status = "in_review"
    db.session.commit()
    with pytest.raises(CollectionError):
        reject_request(company, orderer, req.id, " ")
    reject_request(company, orderer, req.id, "The photo is blurry")
    _db.session.commit()  # the request commits; operations only flush
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "collection_rejected"))
    assert "The photo is blurry" in mail.body_text and _token(mail) == first
    assert open_request(first).status == "rejected"  # the same link opens again for editing


def test_approved_card_lands_in_the_cart_with_its_address(db, collect):
    company, orderer, ct, addr = collect
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="a@x.se", status="in_review",
                            data={"first_name": "Åsa", "last_name": "Öberg"}, photo_key="photos/abcdefgh12.jpg",
                            address_id=addr.id)
    db.session.add(req)
    db.session.commit()
    item = approve_to_cart(company, orderer, req.id)
    _db.session.commit()  # the request commits; operations only flush
    assert item.address_id == addr.id and item.collection_request_id == req.id
    assert db.session.get(CollectionRequest, req.id).status == "in_cart"
    assert db.session.scalar(select(func.count()).select_from(CartItem)) == 1


def _pending(db, company, ct, sent_days_ago: float, email="p@x.se"):
    now = utcnow()
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email=email, status="pending",
                            token_salt="s" + email, token_hash="h" + email, sent_at=now - timedelta(days=sent_days_ago),
                            last_sent_at=now - timedelta(days=sent_days_ago), expires_at=now + timedelta(days=30))
    db.session.add(req)
    db.session.commit()
    return req


def test_reminders_follow_the_schedule_and_never_exceed_the_limit(db, collect):
    company, orderer, ct, _ = collect  # defaults: 2 reminders over 10 days -> day 5 and day 10
    req = _pending(db, company, ct, 0)
    start = req.sent_at
    assert send_due_reminders(now=start + timedelta(days=4)) == 0
    assert send_due_reminders(now=start + timedelta(days=5, minutes=1)) == 1
    assert send_due_reminders(now=start + timedelta(days=6)) == 0  # same slot: not again
    assert send_due_reminders(now=start + timedelta(days=10, minutes=1)) == 1
    assert send_due_reminders(now=start + timedelta(days=20)) == 0  # never a third
    db.session.expire_all()
    assert db.session.get(CollectionRequest, req.id).reminders_sent == 2
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 2


def test_two_reminder_runs_at_once_send_each_slot_once(app, db, collect):
    company, orderer, ct, _ = collect
    for i in range(30):
        _pending(db, company, ct, 6, email=f"p{i}@x.se")
    results = []

    def run():
        with app.app_context():
            results.append(send_due_reminders())
            _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(results) == 30
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 30


def test_print_now_from_review_creates_the_card_and_a_print_job(db, collect):
    from portal.cards.models import Card
    from portal.collection.operations import print_request_now
    from portal.printing.models import Printer, PrintJob

    company, orderer, ct, addr = collect
    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="a@x.se", status="in_review",
                            data={"first_name": "Åsa", "last_name": "Öberg"}, photo_key="photos/abcdefgh12.jpg")
    db.session.add_all([printer, req])
    db.session.commit()
    card = print_request_now(company, orderer, req.id, printer.id)
    _db.session.commit()  # the request commits; operations only flush
    assert card.holder_name == "Åsa Öberg" and card.holder_email == "a@x.se"
    assert db.session.get(CollectionRequest, req.id).status == "ordered"
    assert db.session.scalar(select(PrintJob)).card_id == card.id
    assert db.session.scalar(select(func.count()).select_from(Card)) == 1


def test_request_email_carries_the_company_logo_and_colour(db, collect):
    from portal.infra import storage

    company, orderer, ct, _ = collect
    company.logo_key = storage.save(b"png", "logos", "png")
    company.primary_color = "#aa3300"
    db.session.commit()
    send_requests(company, orderer, ct, split_email_list("a@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    mail = db.session.scalar(select(OutboxEmail))
    token = _token(mail)
    assert f"/r/{token}/logo.png" in mail.body_html and "#aa3300" in mail.body_html


def test_a_bulk_import_stores_what_one_by_one_would_and_twice_in_one_transaction(db, collect):
    """On PostgreSQL the rows go in by COPY (through a temporary table for the duplicate rule): every
    column default is still filled in, each emailed link opens its request, and a second import in
    the same transaction neither fails on the temporary table nor lets a duplicate through."""
    company, orderer, ct, _ = collect
    rows = "".join(f"p{i}@x.se,Åsa,Öberg {i}\n" for i in range(30))
    first = import_csv(company, orderer, ct, f"EMAIL,First name,Last name\n{rows}".encode(), collect_by_email=True)
    second = import_csv(company, orderer, ct, b"EMAIL,First name,Last name\nq@x.se,Bo,Ek\np3@x.se,Bo,Ek\n",
                        collect_by_email=True)
    assert first.created == 30 and second.created == 0 and [e.line for e in second.errors] == [3]
    third = import_csv(company, orderer, ct, b"EMAIL,First name,Last name\nq@x.se,Bo,Ek\n", collect_by_email=True)
    _db.session.commit()  # the request commits; operations only flush
    assert third.created == 1
    stored = db.session.scalars(select(CollectionRequest).order_by(CollectionRequest.id)).all()
    assert len(stored) == 31
    assert all(r.rejected_steps == "" and r.status == "pending" and r.data["first_name"] == "Åsa"
               for r in stored[:30])
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert len(emails) == 31 and {e.to for e in emails} == {r.email for r in stored}
    assert all(e.state == "pending" and e.attempts == 0 for e in emails)
    for email in (emails[0], emails[-1]):
        assert open_request(_token(email)).email == email.to
