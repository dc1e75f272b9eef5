"""Issue 12.28 and 12.29: an expired link says so in the request's language, also after the expiry job
ran; after a rejection for the photo, "Next" leads the employee to the photo step."""
import io
from datetime import timedelta

from sqlalchemy import select

from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import reject_request, send_requests
from portal.collection.tasks import send_due_reminders
from portal.infra.db_types import utcnow
from tests.conftest import html_text
from tests.employee.test_employee_pages import _link


def test_an_expired_link_says_so_in_swedish_after_the_expiry_job(client, db, collect):
    company, orderer, ct, _ = collect
    [req] = send_requests(company, orderer, ct, split_email_list("asa@x.se").valid, language="sv")
    db.session.commit()  # the request commits; operations only flush
    link = _link(db)
    req.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    before = client.get(link)
    assert before.status_code == 410 and "Länken har gått ut" in html_text(before)
    send_due_reminders()  # the job marks the request expired
    db.session.expire_all()
    assert db.session.get(CollectionRequest, req.id).status == "expired"
    after = client.get(link)
    text = html_text(after)
    assert after.status_code == 410 and "Länken har gått ut" in text, text[:400]
    assert "does not work" not in text and "fungerar inte" not in text


def _answered(client, db, collect, photo_bytes, make_address, *, with_address: bool = True):
    company, orderer, ct, addr = collect
    if with_address:
        make_address(company, "Warehouse", for_collection=True)
    [req] = send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    db.session.commit()  # the request commits; operations only flush
    link = _link(db)
    client.post(link, {"first_name": "Åsa", "last_name": "Öberg"})
    client.post(link + "/photo", {"photo": (io.BytesIO(photo_bytes()), "p.jpg")}, content_type="multipart/form-data")
    client.post(link + "/address", {"address_id": addr.id})
    assert "Thank you" in html_text(client.post(link + "/confirm", {}))
    return company, orderer, req, link


def test_after_a_rejection_for_the_photo_next_leads_to_the_photo(client, db, collect, photo_bytes, make_address):
    company, orderer, req, link = _answered(client, db, collect, photo_bytes, make_address)
    reject_request(company, orderer, req.id, "The photo is too dark, please take a new one.", steps=["photo"])
    db.session.commit()  # the request commits; operations only flush
    resp = client.post(link, {"first_name": "Åsa", "last_name": "Öberg"})  # "Next" on the details page
    assert resp.headers["Location"].endswith(link + "/photo")
    photo_page = html_text(client.get(link + "/photo"))
    assert "The photo is too dark" in photo_page
    new = client.post(link + "/photo", {"photo": (io.BytesIO(photo_bytes((900, 1200))), "p.jpg")},
                      content_type="multipart/form-data")
    assert new.headers["Location"].endswith(link + "/confirm")  # the address was not asked for: kept
    assert "Thank you" in html_text(client.post(link + "/confirm", {}))
    db.session.expire_all()
    assert db.session.scalar(select(CollectionRequest)).status == "in_review"


def test_a_rejection_for_the_details_only_goes_straight_to_the_summary(client, db, collect, photo_bytes,
                                                                       make_address):
    company, orderer, req, link = _answered(client, db, collect, photo_bytes, make_address)
    reject_request(company, orderer, req.id, "Your full first name, please.", steps=["data"])
    db.session.commit()  # the request commits; operations only flush
    resp = client.post(link, {"first_name": "Åsa Maria", "last_name": "Öberg"})
    assert resp.headers["Location"].endswith(link + "/confirm")


def test_a_rejection_naming_nothing_leads_through_every_step(client, db, collect, photo_bytes, make_address):
    company, orderer, req, link = _answered(client, db, collect, photo_bytes, make_address)
    client.login(orderer.email)
    resp = client.post(f"/admin/collection/review/{req.id}/reject", {"reason": "Check everything, please."})
    assert resp.status_code == 302
    assert client.post(link, {"first_name": "Åsa", "last_name": "Öberg"}).headers["Location"].endswith("/photo")
    keep = client.post(link + "/photo", {"keep": "1"})
    assert keep.headers["Location"].endswith(link + "/address")


def test_the_reject_dialog_passes_what_to_change(client, db, collect, photo_bytes, make_address):
    company, orderer, req, link = _answered(client, db, collect, photo_bytes, make_address)
    client.login(orderer.email)
    page = client.get("/admin/collection/review").get_data(as_text=True)
    assert 'name="change" value="photo"' in page
    client.post(f"/admin/collection/review/{req.id}/reject", {"reason": "New photo, please.", "change": "photo"})
    db.session.expire_all()
    assert db.session.get(CollectionRequest, req.id).rejected_steps == "photo"
