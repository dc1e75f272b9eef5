"""Company > Privacy as a company admin sees it: find, person page, export, erase with confirmation,
the read-access entries in the audit log (searchable by the person), and the privacy overview."""
from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.cards.models import Card
from tests.conftest import html_text
from tests.privacy.conftest import EMAIL, NAME, NID, find_everywhere

BASE = "/admin/company/privacy"


def _admin(client, make_company, make_person, **kw):
    company = make_company("Nordbygg AB", language="en", **kw)
    made = make_person(company)
    client.login(made["user"].email)
    return company, made


def test_find_export_and_erase_a_person(client, db, make_company, make_person):
    company, made = _admin(client, make_company, make_person)
    other = make_company("Beta AB")
    make_person(other)
    page = html_text(client.post(f"{BASE}/find", {"q": "19850101-1234"}))
    assert NAME in page and EMAIL in page
    assert html_text(client.post(f"{BASE}/find", {"q": "nobody"})).count("Nobody found") == 1
    card = made["cards"][0]
    person = html_text(client.get(f"{BASE}/person/card/{card.id}"))
    assert "2 cards" in person and "2 data-collection requests" in person
    resp = client.post(f"{BASE}/person/card/{card.id}/export")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    exported = json.loads(zipfile.ZipFile(io.BytesIO(resp.data)).read("person.json"))
    assert exported["person"] == {"name": NAME, "email": EMAIL, "national_id": NID}
    confirm = html_text(client.get(f"{BASE}/person/card/{card.id}/erase"))
    assert "amounts stay" in confirm
    unconfirmed = client.post(f"{BASE}/person/card/{card.id}/erase", {})
    assert unconfirmed.status_code == 200 and db.session.get(Card, card.id).holder_name == NAME
    done = client.post(f"{BASE}/person/card/{card.id}/erase", {"confirm": "erase"}, follow_redirects=True)
    assert "2 cards erased" in html_text(done)
    db.session.expire_all()
    assert all(_company(t, r) == other.id for t, _c, r in find_everywhere(NAME, EMAIL, NID))
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.company_id == company.id)).all()
    assert {"personal_data.person_viewed", "personal_data.exported", "privacy.erased"} <= set(actions)


def _company(table, row_id):
    from tests.privacy.test_privacy_ops import _company_of

    return _company_of(table, row_id)


def test_card_page_and_photo_reads_are_audited_and_found_by_the_person(client, db, make_company, make_person):
    company, made = _admin(client, make_company, make_person)
    card = made["cards"][0]
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    client.get("/admin/cards/")  # a list page is not logged
    assert db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) == before
    assert client.get(f"/admin/cards/{card.id}").status_code == 200
    photo = client.get(f"/admin/cards/{card.id}/photo.jpg")
    photo.close()
    assert photo.status_code == 200
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["personal_data.card_viewed", "personal_data.photo_viewed"]
    assert all(e.user_id == made["user"].id and e.object_id == str(card.id) for e in events)
    found = html_text(client.get(f"/admin/audit/?flt0_2={EMAIL}"))
    assert "Card page viewed" in found and "Photo viewed" in found
    assert 'data-testid="list-empty"' not in client.get(f"/admin/audit/?flt0_2={NID}").get_data(as_text=True)
    nobody = client.get("/admin/audit/?flt0_2=someone.else@example.se").get_data(as_text=True)
    assert 'data-testid="list-empty"' in nobody


def test_another_companys_person_is_not_found_nor_reachable(client, db, make_company, make_person):
    _admin(client, make_company, make_person)
    other = make_company("Beta AB")
    theirs = make_person(other)
    page = client.post(f"{BASE}/find", {"q": NAME}).get_data(as_text=True)
    assert f"/person/card/{theirs['cards'][0].id}\"" not in page
    assert client.get(f"{BASE}/person/card/{theirs['cards'][0].id}").status_code == 404
    assert client.get(f"{BASE}/person/bogus/1").status_code == 404


def test_privacy_overview_explains_the_period_runs_and_records_of_processing(client, db, make_company, make_person):
    from portal.audit.operations import record

    company, _made = _admin(client, make_company, make_person, retention_months=12)
    record("retention.run", company_id=company.id, summary="x", changes={"orders": [None, 7], "cards": [None, 3],
                                                                         "requests": [None, 2], "photos": [None, 4]})
    db.session.commit()
    page = html_text(client.get(f"{BASE}/"))
    assert "names, data and photos go a year after an order" in page
    assert "Records of processing" in page and "Bookkeeping and invoicing" in page
    assert "7 3 2 4" in page
    pdf = client.get(f"{BASE}/records.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_two_admins_erasing_one_person_at_once_both_finish_and_nothing_is_left(app, db, live_server, make_company,
                                                                               make_person, make_user):
    """Real concurrency (on PostgreSQL the cards are locked as read): no error, no half-erased rows."""
    import threading
    import urllib.parse

    from tests.ordering.test_checkout_race import _field, _signed_in_opener

    company = make_company("Nordbygg AB", language="en")
    made = make_person(company)
    second = make_user(company, role="admin")
    openers = [_signed_in_opener(live_server, made["user"].email), _signed_in_opener(live_server, second.email)]
    url = f"{live_server}{BASE}/person/card/{made['cards'][0].id}/erase"
    forms = [{"csrf_token": _field(o.open(url, timeout=30).read().decode(), "csrf_token"), "confirm": "erase"}
             for o in openers]
    barrier, answers = threading.Barrier(2), []

    def erase(opener, form):
        barrier.wait(timeout=30)
        resp = opener.open(url, data=urllib.parse.urlencode(form).encode(), timeout=60)
        answers.append((resp.status, resp.read().decode()))

    threads = [threading.Thread(target=erase, args=pair) for pair in zip(openers, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert [status for status, _page in answers] == [200, 200]  # both land on Find a person with their result
    db.session.expire_all()
    assert find_everywhere(NAME, EMAIL, NID) == []
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased")).all()) == 2
