"""The employee's pages behind the personal link, through the test client and a real SMTP server."""
import io
import re

from PIL import Image
from sqlalchemy import select

from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import reject_request, send_requests
from portal.infra.extensions import db as _db
from portal.infra.storage import load
from portal.outbox.models import OutboxEmail
from portal.outbox.tasks import send_pending_emails
from tests.conftest import html_text
from tests.fixtures.servers import body_text


def _link(db, kind="collection_request") -> str:
    email = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == kind).order_by(OutboxEmail.id.desc())).first()
    return re.search(r"(/r/[A-Za-z0-9_-]{30,})", email.body_text).group(1)


def test_employee_fills_details_photo_address_and_confirms(client, db, collect, photo_bytes, make_address):
    company, orderer, ct, addr = collect
    make_address(company, "Warehouse", for_collection=True)
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    link = _link(db)
    page = client.get(link)
    assert page.status_code == 200 and "First name" in html_text(page)
    # A mistake first: the error is shown inline and the typed values are kept.
    resp = client.post(link, {"first_name": "Åsa", "last_name": "", "national_id": "850101-0007"})
    body = resp.get_data(as_text=True)
    assert "Please fill in Last name" in body and "Swedish personal identity number" in body and 'value="Åsa"' in body
    resp = client.post(link, {"first_name": "Åsa", "last_name": "Öberg", "national_id": "8501010006"})
    assert resp.headers["Location"].endswith(link + "/photo")
    # A phone photo lying on its side (EXIF 6), cropped in the page.
    resp = client.post(link + "/photo", {"photo": (io.BytesIO(photo_bytes((1600, 1200), orientation=6)), "p.jpg"),
                                         "crop_x": "100", "crop_y": "200", "crop_width": "700", "crop_height": "900",
                                         "rotate": "0"}, content_type="multipart/form-data")
    assert resp.headers["Location"].endswith(link + "/address")
    req = db.session.scalar(select(CollectionRequest))
    db.session.refresh(req)
    with Image.open(io.BytesIO(load(req.photo_key))) as img:
        assert img.size == (413, 531) and not img.info.get("exif")
    resp = client.post(link + "/address", {"address_id": addr.id})
    assert resp.headers["Location"].endswith(link + "/confirm")
    summary = html_text(client.get(link + "/confirm"))
    assert "198501010006" in summary and "Site office" in summary
    done = client.post(link + "/confirm", {})
    assert "Thank you" in html_text(done)
    db.session.refresh(req)
    assert req.status == "in_review" and req.data["national_id"] == "198501010006"
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "collection_confirmed")).to == "asa@x.se"
    # The link is used up now.
    used = client.get(link)
    assert used.status_code == 410 and "already sent" in html_text(used)


def test_rejected_request_link_opens_again_with_data_and_reason(client, db, collect):
    company, orderer, ct, _ = collect
    [req] = send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    link = _link(db)
    req.status, req.data = "in_review", {"first_name": "Åsa", "last_name": "Öberg"}
    db.session.commit()
    reject_request(company, orderer, req.id, "Please use your full first name")
    _db.session.commit()  # the request commits; operations only flush
    page = client.get(link)
    text = html_text(page)
    assert page.status_code == 200 and "Please use your full first name" in text
    assert 'value="Öberg"' in page.get_data(as_text=True)


def test_link_pages_in_swedish_and_english(client, db, collect):
    company, orderer, ct, _ = collect
    [req] = send_requests(company, orderer, ct, split_email_list("asa@x.se").valid, language="sv")
    _db.session.commit()  # the request commits; operations only flush
    link = _link(db)
    assert "Förnamn" in html_text(client.get(link))
    assert "First name" in html_text(client.get(link + "?lang=en"))
    unknown = client.get("/r/" + "x" * 43)
    assert unknown.status_code == 404
    from portal.collection.operations import remove_request

    remove_request(company, req.id)
    _db.session.commit()  # the request commits; operations only flush
    removed = client.get(link + "?lang=sv")
    assert removed.status_code == 410 and "Länken har avbrutits" in html_text(removed)
    assert "This link was cancelled" in html_text(client.get(link + "?lang=en"))


def test_guessing_links_is_throttled(client, db):
    for _ in range(10):
        client.get("/r/" + "g" * 43)
    resp = client.get("/r/" + "h" * 43)
    assert resp.status_code == 429


def test_a_throttled_guesser_cannot_open_even_a_valid_link_and_others_still_can(client, db, collect):
    """Opening a valid link costs one throttle query for both keys (address and prefix): still refused while
    the address is throttled, and a guesser spreading a known prefix over addresses is stopped by the prefix."""
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    link = _link(db)
    guesser, employee = {"REMOTE_ADDR": "203.0.113.9"}, {"REMOTE_ADDR": "198.51.100.7"}
    assert client.get(link, environ_base=guesser).status_code == 200
    for i in range(10):
        assert client.get("/r/" + f"zz{i:02d}" + "g" * 39, environ_base=guesser).status_code == 404
    assert client.get(link, environ_base=guesser).status_code == 429
    assert client.get(link, environ_base=employee).status_code == 200
    # Ten guesses from ten addresses with one prefix: the eleventh address meets the prefix's throttle.
    prefix = "Qx7_Lm"
    for i in range(10):
        client.get("/r/" + prefix + "k" * 37, environ_base={"REMOTE_ADDR": f"192.0.2.{i + 1}"})
    assert client.get("/r/" + prefix + "j" * 37, environ_base={"REMOTE_ADDR": "192.0.2.99"}).status_code == 429
    assert client.get(link, environ_base={"REMOTE_ADDR": "192.0.2.99"}).status_code == 200


def test_request_email_arrives_and_its_link_opens_the_page(client, db, collect, smtp_server):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    send_pending_emails()
    [msg] = smtp_server.wait_for("asa@x.se")
    path = re.search(r"(/r/[A-Za-z0-9_-]{30,})", body_text(msg)).group(1)
    assert client.get(path).status_code == 200


def test_pages_are_light_and_allow_no_inline_script(client, db, collect):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    link = _link(db)
    page = client.get(link + "/photo")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = page.get_data(as_text=True)
    assert "<script>" not in html and "onclick" not in html and "style=" not in html
    weight = len(page.data)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        r = client.get(asset)
        weight += len(r.data)
        r.close()
    assert weight < 60_000, weight


def test_the_language_an_employee_chooses_is_kept_for_their_emails(client, db, collect):
    """The request starts in the company's language; the employee's choice from the menu follows their emails."""
    company, orderer, ct, _addr = collect
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()
    link = _link(db)
    assert '<html lang="en">' in client.get(link).get_data(as_text=True)  # the company's language
    assert '<html lang="fi">' in client.get(link + "?lang=fi").get_data(as_text=True)
    assert '<html lang="fi">' in client.get(link).get_data(as_text=True)  # remembered in this browser
    client.post(link, {"first_name": "Åsa", "last_name": "Öberg"})
    _db.session.expire_all()
    assert _db.session.scalars(select(CollectionRequest)).one().language == "fi"
