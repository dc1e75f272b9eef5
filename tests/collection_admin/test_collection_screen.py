"""The orderer's Data collection screen through the test client."""
import io

from sqlalchemy import func, select

from portal.collection.models import CollectionRequest
from tests.conftest import html_text


def test_pasted_addresses_become_requests_and_invalid_ones_are_explained(client, db, collect):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    parsed = client.post("/admin/collection/parse-emails", {"text": 'a@x.se; "Bo Ek" <bo@x.se>\nnot-an-email'}).get_json()
    assert [v["email"] for v in parsed["valid"]] == ["a@x.se", "bo@x.se"]
    assert parsed["invalid"] and "not-an-email" in str(parsed["invalid"])
    resp = client.post("/admin/collection/send", {"card_type_id": ct.id, "emails": 'a@x.se, "Bo Ek" <bo@x.se> oops@'},
                       follow_redirects=True)
    text = html_text(resp)
    assert "a@x.se" in text and "bo@x.se" in text and "oops@" in text
    assert db.session.scalar(select(func.count()).select_from(CollectionRequest)) == 2


def test_template_download_has_bom_and_email_column(client, db, collect):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    resp = client.get(f"/admin/collection/template?card_type_id={ct.id}")
    assert resp.data.startswith(b"\xef\xbb\xbf") and resp.data.decode("utf-8-sig").startswith("EMAIL,")
    assert "text/csv" in resp.headers["Content-Type"]


def test_bad_file_and_bad_rows_store_nothing_and_say_why(client, db, collect):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    cp1252 = "EMAIL,First name,Last name\na@x.se,Åsa,Öberg\n".encode("cp1252")
    resp = client.post("/admin/collection/upload", {"card_type_id": ct.id, "collect_by_email": "yes",
                                                   "file": (io.BytesIO(cp1252), "people.csv")},
                       content_type="multipart/form-data")
    assert "CSV UTF-8" in html_text(resp)
    rows = "EMAIL,First name,Last name\na@x.se,Åsa,Öberg\nb@x.se,,Ek\n".encode()
    resp = client.post("/admin/collection/upload", {"card_type_id": ct.id, "collect_by_email": "yes",
                                                   "file": (io.BytesIO(rows), "people.csv")},
                       content_type="multipart/form-data")
    text = html_text(resp)
    assert "Nothing was stored" in text and "3" in text and "First name" in text
    assert db.session.scalar(select(func.count()).select_from(CollectionRequest)) == 0


def test_good_file_without_email_goes_straight_to_review(client, db, collect):
    company, orderer, ct, addr = collect
    client.login(orderer.email)
    rows = "First name,Last name\nÅsa,Öberg\nBo,Ek\n".encode("utf-8-sig")
    resp = client.post("/admin/collection/upload", {"card_type_id": ct.id, "collect_by_email": "no",
                                                   "file": (io.BytesIO(rows), "people.csv")},
                       content_type="multipart/form-data")
    assert resp.headers["Location"].endswith("/admin/collection/review")
    review = html_text(client.get("/admin/collection/review"))
    assert "Åsa" in review and "Bo" in review


def test_reject_needs_a_reason_and_other_companies_requests_answer_404(client, db, collect, make_company,
                                                                         make_world, make_user):
    company, orderer, ct, addr = collect
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="a@x.se", status="in_review",
                            data={"first_name": "Åsa", "last_name": "Öberg"})
    db.session.add(req)
    db.session.commit()
    world_b = make_world(make_company("Beta AB"))
    client.login(orderer.email)
    client.post(f"/admin/collection/review/{req.id}/reject", {"reason": "  "})
    db.session.expire_all()
    assert db.session.get(CollectionRequest, req.id).status == "in_review"
    theirs = world_b[CollectionRequest]
    for path in (f"review/{theirs.id}/approve", f"review/{theirs.id}/reject", f"review/{theirs.id}/remove",
                 f"pending/{theirs.id}/resend", f"pending/{theirs.id}/remove"):
        assert client.post(f"/admin/collection/{path}", {"reason": "x"}).status_code == 404, path
    assert client.get(f"/admin/collection/photo/{theirs.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(CollectionRequest, theirs.id).status == "in_review"
    viewer = make_user(company, role="viewer", email="v@x.se")
    other = type(client)(client.application.test_client())
    other.login(viewer.email)
    assert other.get("/admin/collection/").status_code == 403
