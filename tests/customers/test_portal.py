"""The customer portal: permission matrix, resources, passwords, throttling, emails, requests."""
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.customers.models import AccessRight, CustomerRequest, PortalAccount, ResourceFile, ResourceFolder
from portal.customers.operations import (
    PERMISSION_OF,
    PortalError,
    safe_filename,
    save_account,
    sniff_type,
)
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.ordering.models import Invoice, Order
from portal.outbox.tasks import send_pending_emails
from tests.conftest import html_text
from tests.customers.conftest import PASSWORD
from tests.fixtures.servers import body_text

SECTION_URL = {"overview": "/portal/", "jobs": "/portal/jobs", "invoices": "/portal/invoices",
               "resources": "/portal/resources", "requests": "/portal/requests"}


def _login(client, username="nordbygg", password=PASSWORD):
    return client.post("/portal/login", {"username": username, "password": password})


@pytest.mark.parametrize("section", list(SECTION_URL))
@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("granted", [True, False])
def test_permission_matrix(client, db, portal, section, enabled, granted):
    settings, company, right, account = portal
    if section != "overview":
        setattr(right, PERMISSION_OF[section], granted)
    settings.sections = [s for s in settings.sections if granted or s != section]
    db.session.commit()
    assert _login(client).status_code == 302
    settings.enabled = enabled
    db.session.commit()
    expected = 200 if enabled and granted else 404
    assert client.get(SECTION_URL[section]).status_code == expected


def test_disabled_portal_answers_404_everywhere(client, db, portal):
    settings, *_ = portal
    settings.enabled = False
    db.session.commit()
    for url in ("/portal/login", "/portal/forgot", "/portal/", "/portal/set-password/" + "x" * 43):
        assert client.get(url).status_code == 404


def test_resources_are_served_only_to_companies_they_are_shared_with(client, db, portal, make_company):
    settings, company, right, account = portal
    other = make_company("Other AB")
    public = ResourceFolder(name="Price lists", shared_with_all=True)
    private = ResourceFolder(name="Other's contracts", shared_with_all=False, companies=[other])
    db.session.add_all([public, private])
    db.session.flush()
    ok = ResourceFile(folder_id=public.id, name="prices.pdf", storage_key=storage.save(b"%PDF-1.4 x", "resources", "bin"),
                      content_type="application/pdf")
    secret = ResourceFile(folder_id=private.id, name="contract.pdf",
                          storage_key=storage.save(b"%PDF-1.4 y", "resources", "bin"), content_type="application/pdf")
    db.session.add_all([ok, secret])
    db.session.commit()
    _login(client)
    page = html_text(client.get("/portal/resources"))
    assert "prices.pdf" in page and "contract.pdf" not in page and "Other's contracts" not in page
    resp = client.get(f"/portal/resources/{ok.id}/download")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF") and "attachment" in resp.headers["Content-Disposition"]
    resp.close()
    assert client.get(f"/portal/resources/{secret.id}/download").status_code == 404
    assert client.get("/portal/resources/../../etc/passwd/download").status_code == 404


@pytest.mark.parametrize("name", ["../secret.pdf", "..\\x.pdf", "a/../../b.pdf", ".htaccess", ""])
def test_path_traversal_names_are_rejected(name):
    with pytest.raises(PortalError):
        safe_filename(name)


def test_uploads_are_checked_by_content():
    assert sniff_type(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff_type(b"MZ\x90\x00 windows exe") is None
    assert sniff_type(b"GIF89a\x00\x00") is None


def test_password_rules_and_hashing(db, portal):
    settings, company, right, account = portal
    with pytest.raises(PortalError, match="at least 8"):
        save_account(account, username="nordbygg", password="seven77")
    save_account(account, username="nordbygg", password="mint fox lamp")
    assert account.password_hash.startswith("scrypt:") and "mint fox lamp" not in account.password_hash
    generated = save_account(account, username="nordbygg", generate=True)
    assert len(generated) >= 16 and generated != save_account(account, username="nordbygg", generate=True)


def test_usernames_are_unique_case_insensitively(db, portal):
    settings, company, right, account = portal
    clash = PortalAccount(company_id=company.id, access_right_id=right.id)
    with pytest.raises(PortalError, match="taken"):
        save_account(clash, username="NORDBYGG", password=PASSWORD)


def test_login_is_throttled(client, db, portal):
    for _ in range(10):
        _login(client, password="wrong wrong")
    resp = _login(client)
    assert resp.status_code == 429 and "Too many failed attempts" in html_text(resp)


def test_email_login_details_arrive_with_a_set_password_link_and_no_password(client, db, portal, smtp_server):
    settings, company, right, account = portal
    operator_client = client
    from portal.security.passwords import hash_password
    from portal.tenancy.models import User

    db.session.add(User(email="op@x.se", name="Op", is_operator=True, password_hash=hash_password(PASSWORD)))
    db.session.commit()
    operator_client.login("op@x.se", PASSWORD)
    assert operator_client.post(f"/admin/portal/accounts/{account.id}/email", {}).status_code == 302
    send_pending_emails()
    [msg] = smtp_server.wait_for("finance@nordbygg.se")
    text = body_text(msg)
    assert "nordbygg" in text and PASSWORD not in text
    path = re.search(r"(/portal/set-password/[A-Za-z0-9_-]+)", text).group(1)
    customer = type(client)(client.application.test_client())
    assert customer.post(path, {"password": "a new portal pw", "confirm": "a new portal pw"}).status_code == 302
    assert _login(customer, password="a new portal pw").status_code == 302
    assert customer.get(path).status_code == 404  # one time only


def test_operator_sees_a_generated_password_once(client, db, portal, make_company):
    settings, company, right, account = portal
    from portal.security.passwords import hash_password
    from portal.tenancy.models import User

    db.session.add(User(email="op@x.se", name="Op", is_operator=True, password_hash=hash_password(PASSWORD)))
    db.session.commit()
    client.login("op@x.se", PASSWORD)
    resp = client.post("/admin/portal/accounts/save", {"company_id": company.id, "username": "site-manager",
                                                      "access_right_id": right.id, "generate": "1"},
                       follow_redirects=True)
    shown = re.search(r"Generated password for site-manager: (\S+)", html_text(resp)).group(1)
    assert shown not in client.get("/admin/portal/accounts/").get_data(as_text=True)
    new = db.session.scalar(select(PortalAccount).where(PortalAccount.username == "site-manager"))
    assert shown not in new.password_hash


def test_change_password_needs_the_current_one(client, db, portal):
    _login(client)
    bad = client.post("/portal/password", {"current": "nope", "password": "another pw 9 owl", "confirm": "another pw 9 owl"})
    assert "not right" in html_text(bad)
    assert client.post("/portal/password", {"current": PASSWORD, "password": "another pw 9 owl",
                                            "confirm": "another pw 9 owl"}).status_code == 302


def test_customer_sends_a_request_and_sees_the_operators_reply(client, db, portal):
    settings, company, right, account = portal
    _login(client)
    client.post("/portal/requests", {"subject": "More lanyards", "notes": "50 blue ones please",
                                     "attachment": (io.BytesIO(b"%PDF-1.4 order"), "order.pdf")},
                content_type="multipart/form-data")
    req = db.session.scalar(select(CustomerRequest))
    assert req.company_id == company.id and req.attachment_name == "order.pdf"
    req.reply, req.status = "On their way", "done"
    db.session.commit()
    assert "On their way" in html_text(client.get("/portal/requests"))


def test_only_own_company_jobs_and_invoices(client, db, portal, make_company):
    settings, company, right, account = portal
    other = make_company("Other AB")
    mine = Order(company_id=company.id, number="CW-MINE", note="Gate code 1234")
    theirs = Order(company_id=other.id, number="CW-THEIRS")
    inv = Invoice(company_id=other.id, number="INV-THEIRS", amount=Decimal("10"), due_on=utcnow().date() + timedelta(days=30))
    db.session.add_all([mine, theirs, inv])
    db.session.commit()
    _login(client)
    overview = html_text(client.get("/portal/"))
    assert "CW-MINE" in overview and "CW-THEIRS" not in overview
    assert client.get(f"/portal/jobs/{theirs.id}").status_code == 404
    assert client.get(f"/portal/invoices/{inv.id}").status_code == 404
    assert "Gate code 1234" in html_text(client.get(f"/portal/jobs/{mine.id}"))
    right.can_view_notes = False
    db.session.commit()
    assert "Gate code 1234" not in html_text(client.get(f"/portal/jobs/{mine.id}"))


def test_access_right_in_use_cannot_be_deleted(client, db, portal):
    settings, company, right, account = portal
    from portal.security.passwords import hash_password
    from portal.tenancy.models import User

    db.session.add(User(email="op@x.se", name="Op", is_operator=True, password_hash=hash_password(PASSWORD)))
    db.session.commit()
    client.login("op@x.se", PASSWORD)
    client.post("/admin/access_rights/delete/", {"id": right.id, "url": "/admin/access_rights/"})
    db.session.expire_all()
    assert db.session.get(AccessRight, right.id) is not None
