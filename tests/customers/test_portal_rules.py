"""Customer portal, the rest of the rules: every section x ticked x permission x portal on/off (pages and
menus), notes on jobs, the landing page when the overview is off, the sign-in logo, and the operator's
rename and sharing of resources."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from portal.customers.models import ResourceFile, ResourceFolder
from portal.customers.operations import PERMISSION_OF
from portal.infra import storage
from portal.ordering.models import Order
from tests.conftest import html_text
from tests.customers.test_portal import SECTION_URL, _login

MENU = {"overview": "Overview", "jobs": "Jobs", "invoices": "Invoices", "resources": "Customer resources",
        "requests": "Requests"}


def _order(db, company, note=""):
    order = Order(company_id=company.id, number="CW-2026-000042", status="placed", note=note)
    db.session.add(order)
    db.session.commit()
    return order


@pytest.mark.parametrize("section", [*SECTION_URL, "notes"])
@pytest.mark.parametrize("ticked", [True, False])
@pytest.mark.parametrize("granted", [True, False])
@pytest.mark.parametrize("enabled", [True, False])
def test_a_section_shows_only_when_on_ticked_and_granted(client, db, portal, section, ticked, granted,  # noqa: F811
                                                         enabled):
    settings, company, right, account = portal
    order = _order(db, company, note="Deliver to gate 3")
    if section != "overview":
        setattr(right, PERMISSION_OF[section], granted)
    if not ticked:
        settings.sections = [s for s in settings.sections if s != section]
    db.session.commit()
    assert _login(client).status_code == 302
    settings.enabled = enabled
    db.session.commit()
    visible = enabled and ticked and (granted or section == "overview")
    if section == "notes":
        resp = client.get(f"/portal/jobs/{order.id}")
        assert resp.status_code == (200 if enabled else 404)
        assert ("Deliver to gate 3" in html_text(resp)) is visible
        return
    assert client.get(SECTION_URL[section]).status_code == (200 if visible else 404)
    if enabled:
        menu = html_text(client.get("/portal/password")).split("Change password")[0]
        assert (MENU[section] in menu) is visible


def test_without_the_overview_sign_in_lands_on_the_first_allowed_section(client, db, portal):  # noqa: F811
    settings, company, right, account = portal
    settings.sections = [s for s in settings.sections if s != "overview"]
    right.can_view_jobs = False
    db.session.commit()
    resp = _login(client)
    assert resp.headers["Location"].endswith("/portal/invoices")
    assert client.get("/portal/").status_code == 404


def test_an_other_companys_job_answers_404(client, db, portal, make_company):  # noqa: F811
    settings, company, right, account = portal
    theirs = _order(db, make_company("Other AB"))
    _login(client)
    assert client.get(f"/portal/jobs/{theirs.id}").status_code == 404


def test_sign_in_logo_is_normalised_to_a_small_png(client, db, portal, make_user, make_company):  # noqa: F811
    settings, company, right, account = portal
    operator = make_user(make_company("Bureau AB"), role="admin", email="op@bureau.se", is_operator=True)
    client.login(operator.email)
    big = io.BytesIO()
    Image.new("RGB", (3000, 1500), (10, 80, 160)).save(big, "JPEG")
    client.post("/admin/portal/settings/", {"enabled": "1", "section_overview": "1",
                                            "logo": (io.BytesIO(big.getvalue()), "logo.jpg")},
                content_type="multipart/form-data")
    db.session.expire_all()
    with Image.open(io.BytesIO(storage.load(settings.logo_key))) as img:
        assert img.format == "PNG" and img.width <= 600 and img.height <= 200
    preview = client.get("/admin/portal/settings/logo.png")
    assert preview.status_code == 200 and preview.data.startswith(b"\x89PNG")
    preview.close()
    assert "/portal/logo.png" in client.get("/portal/login").get_data(as_text=True)
    before = settings.logo_key
    resp = client.post("/admin/portal/settings/", {"enabled": "1", "logo": (io.BytesIO(b"MZ not an image"), "x.png")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert resp.status_code == 200
    db.session.expire_all()
    assert settings.logo_key == before


def test_operator_renames_and_reshares_resources(client, db, portal, make_user, make_company):  # noqa: F811
    settings, company, right, account = portal
    other = make_company("Other AB")
    operator = make_user(make_company("Bureau AB"), role="admin", email="op@bureau.se", is_operator=True)
    folder = ResourceFolder(name="Contracts", shared_with_all=True)
    db.session.add(folder)
    db.session.flush()
    file = ResourceFile(folder_id=folder.id, name="contract.pdf", content_type="application/pdf",
                        storage_key=storage.save(b"%PDF-1.4 c", "resources", "bin"), size=10)
    db.session.add(file)
    db.session.commit()
    client.login(operator.email)
    client.post(f"/admin/portal/resources/file/{file.id}/rename", {"name": "../../etc/passwd"})
    client.post(f"/admin/portal/resources/file/{file.id}/rename", {"name": "Contract 2026.pdf"})
    client.post(f"/admin/portal/resources/folder/{folder.id}/share", {"share": "chosen", "company_ids": [other.id]})
    db.session.expire_all()
    assert db.session.get(ResourceFile, file.id).name == "Contract 2026.pdf"
    assert db.session.get(ResourceFolder, folder.id).shared_with_all is False
    customer = type(client)(client.application.test_client())
    _login(customer)
    assert "Contract 2026.pdf" not in html_text(customer.get("/portal/resources"))
    assert customer.get(f"/portal/resources/{file.id}/download").status_code == 404
    assert db.session.scalar(select(ResourceFolder.name)) == "Contracts"


def test_operator_sees_open_customer_requests_with_readable_dates_and_filters(client, db, portal, make_user,  # noqa: F811
                                                                             make_company):
    from portal.customers.models import CustomerRequest

    settings, company, right, account = portal
    operator = make_user(make_company("Bureau AB"), role="admin", email="op@bureau.se", is_operator=True)
    db.session.add_all([CustomerRequest(company_id=company.id, account_id=account.id, subject="New badge holders"),
                        CustomerRequest(company_id=company.id, account_id=account.id, subject="Old one", status="done")])
    db.session.commit()
    client.login(operator.email)
    assert "Open customer requests 1" in html_text(client.get("/admin/"))
    page = html_text(client.get("/admin/customer_requests/"))
    assert "New badge holders" in page and "Old one" in page
    assert not re.search(r"\d\d:\d\d:\d\d\.\d{6}", page)  # no raw database timestamps
    filtered = html_text(client.get("/admin/customer_requests/?flt0_0=new"))
    assert "New badge holders" in filtered and "Old one" not in filtered


def test_forgot_password_emails_a_link_only_for_a_real_account_and_is_throttled(client, db, portal):  # noqa: F811
    from portal.outbox.models import OutboxEmail

    settings, company, right, account = portal
    resp = client.post("/portal/forgot", {"name": "NORDBYGG"}, follow_redirects=True)
    assert "If the account exists" in html_text(resp)
    [mail] = db.session.scalars(select(OutboxEmail)).all()
    assert mail.to == "finance@nordbygg.se" and "/portal/set-password/" in mail.body_text
    client.post("/portal/forgot", {"name": "nobody"})
    assert len(db.session.scalars(select(OutboxEmail)).all()) == 1  # same answer, no email
    for _ in range(5):
        client.post("/portal/forgot", {"name": "finance@nordbygg.se"})
    mails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert len(mails) == 4  # five asks per address in 15 minutes (one was for "nobody"); the rest send nothing
    first = re.search(r"(/portal/set-password/[A-Za-z0-9_-]+)", mails[0].body_text).group(1)
    assert client.get(first).status_code == 404  # a newer link replaces the older one
    link = re.search(r"(/portal/set-password/[A-Za-z0-9_-]+)", mails[-1].body_text).group(1)
    assert client.post(link, {"password": "short", "confirm": "short"}).status_code == 200  # at least 8
    assert client.post(link, {"password": "long enough 1", "confirm": "long enough 1"}).status_code == 302
    assert _login(client, password="long enough 1").status_code == 302


def test_operator_upload_checks_content_and_size(client, db, portal, make_user, make_company, monkeypatch):  # noqa: F811
    from portal.customers import operations

    operator = make_user(make_company("Bureau AB"), role="admin", email="op@bureau.se", is_operator=True)
    client.login(operator.email)
    fake = client.post("/admin/portal/resources/upload", {"file": (io.BytesIO(b"MZ\x90\x00program"), "prices.pdf")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "PDF, Word, Excel, PNG, JPEG or text files only" in html_text(fake)
    monkeypatch.setattr(operations, "MAX_FILE", 1000)
    big = client.post("/admin/portal/resources/upload", {"file": (io.BytesIO(b"%PDF-1.4 " + b"x" * 2000), "big.pdf")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "too large" in html_text(big)
    ok = client.post("/admin/portal/resources/upload", {"file": (io.BytesIO(b"%PDF-1.4 ok"), "ok.pdf")},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "ok.pdf uploaded" in html_text(ok)
    assert [f.name for f in db.session.scalars(select(ResourceFile))] == ["ok.pdf"]
    stored = db.session.scalar(select(ResourceFile))
    assert str(storage.path_for(stored.storage_key)).startswith(client.application.config["STORAGE_DIR"])
    assert "static" not in str(storage.path_for(stored.storage_key))


def test_file_sizes_read_in_the_customers_language(client, db, portal):  # noqa: F811
    settings, company, right, account = portal
    db.session.add(ResourceFile(name="big.pdf", content_type="application/pdf", size=3584,
                                storage_key=storage.save(b"%PDF-1.4 x", "resources", "bin")))
    db.session.commit()
    _login(client)
    assert "3,5 kB" in html_text(client.get("/portal/resources?lang=sv"))
    assert "3.5 kB" in html_text(client.get("/portal/resources?lang=en"))


def test_operator_deletes_an_account_and_its_requests_stay(client, db, portal, make_user, make_company):  # noqa: F811
    from portal.customers.models import CustomerRequest, PortalAccount

    settings, company, right, account = portal
    db.session.add(CustomerRequest(company_id=company.id, account_id=account.id, subject="Keep me"))
    db.session.commit()
    customer = type(client)(client.application.test_client())
    assert _login(customer).status_code == 302
    operator = make_user(make_company("Bureau AB"), role="admin", email="op@bureau.se", is_operator=True)
    client.login(operator.email)
    resp = client.post(f"/admin/portal/accounts/{account.id}/delete", follow_redirects=True)
    assert "Account nordbygg deleted" in html_text(resp)
    assert db.session.scalar(select(PortalAccount)) is None
    assert db.session.scalar(select(CustomerRequest.subject)) == "Keep me"
    assert customer.get("/portal/").status_code == 302  # signed out at once
    assert client.post("/admin/portal/accounts/999/delete").status_code == 404


def test_accounts_screen_has_a_generate_button_per_account(client, db, portal, make_user, make_company):  # noqa: F811
    settings, company, right, account = portal
    operator = make_user(make_company("Bureau AB"), role="admin", email="op@bureau.se", is_operator=True)
    client.login(operator.email)
    page = client.get("/admin/portal/accounts/").get_data(as_text=True)
    assert f'data-testid="generate-{account.id}"' in page and 'data-testid="generate-new"' in page
    resp = client.post("/admin/portal/accounts/save", {"id": account.id, "username": "nordbygg", "email": account.email,
                                                      "access_right_id": right.id, "generate": "1"},
                       follow_redirects=True)
    assert "Generated password for nordbygg" in html_text(resp)
    assert _login(client, password="portal password 1").status_code == 200  # the old one no longer works
