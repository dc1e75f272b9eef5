"""The PENDING tab through the test client: search, paging, resend, remove, remind everyone."""
from datetime import timedelta

from sqlalchemy import func, select, update

from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import send_requests
from portal.infra.db_types import utcnow
from portal.infra.extensions import db as _db
from portal.outbox.models import OutboxEmail
from tests.conftest import html_text


def _emails(db, kind: str) -> list[str]:
    return list(db.session.scalars(select(OutboxEmail.to).where(OutboxEmail.kind == kind).order_by(OutboxEmail.id)))


def _requests(db, company, orderer, ct, count: int):
    text = " ".join(f"person{i:02d}@x.se" for i in range(count))
    created = send_requests(company, orderer, ct, split_email_list(text).valid)
    _db.session.commit()  # the request commits; operations only flush
    return created


def test_pending_tab_searches_and_pages(client, db, collect):
    company, orderer, ct, addr = collect
    _requests(db, company, orderer, ct, 30)
    client.login(orderer.email)
    first = html_text(client.get("/admin/collection/pending"))
    assert "30 pending requests" in first and "0 of 2" in first  # reminders sent of the company's limit
    assert first.count("@x.se") == 25  # one page of 25
    second = html_text(client.get("/admin/collection/pending?page=1"))
    assert second.count("@x.se") == 5
    found = html_text(client.get("/admin/collection/pending?q=PERSON07"))
    assert "person07@x.se" in found and "person08@x.se" not in found and "1 pending request" in found
    none = html_text(client.get("/admin/collection/pending?q=nobody"))
    assert 'No pending request matches "nobody"' in none
    # a page past the end shows the last page rather than nothing
    assert html_text(client.get("/admin/collection/pending?page=9")).count("@x.se") == 5


def test_resend_remove_and_remind_all_from_the_pending_tab(client, db, collect):
    company, orderer, ct, addr = collect
    first, second, third = _requests(db, company, orderer, ct, 3)
    client.login(orderer.email)

    resp = client.post(f"/admin/collection/pending/{first.id}/resend", follow_redirects=True)
    assert f"The request was sent again to {first.email}" in html_text(resp)
    assert _emails(db, "collection_request").count(first.email) == 2

    resp = client.post(f"/admin/collection/pending/{second.id}/remove", follow_redirects=True)
    text = html_text(resp)
    assert "Its link no longer works" in text and "2 pending requests" in text
    db.session.expire_all()
    assert db.session.get(CollectionRequest, second.id).status == "removed"
    # a removed request cannot be sent again: a message, not an error page
    resp = client.post(f"/admin/collection/pending/{second.id}/resend", follow_redirects=True)
    assert resp.status_code == 200 and "Only pending requests" in html_text(resp)

    db.session.execute(update(CollectionRequest).values(last_sent_at=utcnow() - timedelta(days=2)))
    db.session.commit()  # a reminder waits a while after the last email (tests/collection/test_reminders.py)
    resp = client.post("/admin/collection/pending/remind-all", follow_redirects=True)
    assert "2 reminders sent." in html_text(resp)
    assert sorted(_emails(db, "collection_reminder")) == sorted([first.email, third.email])
    assert "0 of 2 automatic 1 sent by hand" in html_text(client.get("/admin/collection/pending"))


def test_remind_all_with_nothing_open_says_so(client, db, collect):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    resp = client.post("/admin/collection/pending/remind-all", follow_redirects=True)
    assert "there are no open requests" in html_text(resp)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_card_sent_back_waits_in_pending_with_its_reason_and_can_be_withdrawn(client, db, collect):
    from portal.collection.operations import reject_request

    company, orderer, ct, addr = collect
    [req] = _requests(db, company, orderer, ct, 1)
    req.status, req.data = "in_review", {"first_name": "Åsa", "last_name": "Öberg"}
    db.session.commit()
    client.login(orderer.email)
    # an answered request cannot be withdrawn from a stale PENDING page
    resp = client.post(f"/admin/collection/pending/{req.id}/remove", follow_redirects=True)
    assert "already been answered" in html_text(resp)
    db.session.expire_all()
    assert db.session.get(CollectionRequest, req.id).status == "in_review"

    reject_request(company, orderer, req.id, "Please use a photo without sunglasses")
    _db.session.commit()  # the request commits; operations only flush
    pending = html_text(client.get("/admin/collection/pending"))
    assert "Sent back for changes" in pending and "without sunglasses" in pending
    client.post(f"/admin/collection/pending/{req.id}/resend")
    assert _emails(db, "collection_rejected") == [req.email, req.email]
    db.session.expire_all()
    resent = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "collection_rejected")).all()[-1]
    assert "without sunglasses" in resent.body_text
    client.post(f"/admin/collection/pending/{req.id}/remove")
    db.session.expire_all()
    assert db.session.get(CollectionRequest, req.id).status == "removed"


def test_review_edit_add_all_and_remove_through_the_screen(client, db, collect, make_address):
    from portal.audit.models import AuditEvent
    from portal.ordering.models import CartItem

    company, orderer, ct, addr = collect
    other = make_address(company, "Depot", for_collection=True, street="Lagervägen 4")
    reqs = []
    for first in ("Åsa", "Bo", "Cecilia"):
        req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email=f"{first.lower()}@x.se",
                                status="in_review", data={"first_name": first, "last_name": "Berg"},
                                photo_key="photos/abcdefgh12.jpg", address_id=addr.id)
        db.session.add(req)
        reqs.append(req)
    db.session.commit()
    client.login(orderer.email)
    form = html_text(client.get(f"/admin/collection/review/{reqs[0].id}/edit"))
    assert "Show address" in form and "Depot" in form
    bad = client.post(f"/admin/collection/review/{reqs[0].id}/edit", {"first_name": "", "last_name": "Berg",
                                                                      "address_id": other.id})
    assert bad.status_code == 422 and "Please fill in First name" in html_text(bad)
    client.post(f"/admin/collection/review/{reqs[0].id}/edit", {"first_name": "Åsa", "last_name": "Ek",
                                                                "address_id": other.id})
    client.post(f"/admin/collection/review/{reqs[2].id}/remove")
    resp = client.post("/admin/collection/review/approve-all", follow_redirects=True)
    assert resp.status_code == 200
    db.session.expire_all()
    items = {i.holder_data["first_name"]: i for i in db.session.scalars(select(CartItem))}
    assert set(items) == {"Åsa", "Bo"} and items["Åsa"].address_id == other.id
    assert items["Åsa"].holder_data["last_name"] == "Ek"
    assert db.session.get(CollectionRequest, reqs[2].id).status == "removed"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"collection.updated", "collection.review_removed"} <= actions
