"""The customer portal as a conversation: a request emails the operators, the answer emails the customer,
line breaks survive (escaped); a job lists its cards and an invoice its lines; the set-password page
speaks the email's language; the portal switch says whether the portal is on."""
import io
import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.cards.models import Card
from portal.customers.models import CustomerRequest
from portal.customers.operations import email_login_details
from portal.infra.db_types import utcnow
from portal.ordering.models import Invoice, Order, OrderLine
from portal.outbox.models import OutboxEmail
from portal.outbox.tasks import send_pending_emails
from tests.conftest import html_text
from tests.customers.test_portal import _login
from tests.fixtures.servers import body_text

NOTES = "Hello,\nwe need 50 blue lanyards.\n<b>Urgent</b> & thanks"


def test_request_emails_the_operators_and_the_answer_emails_the_customer(client, db, portal, make_user,
                                                                         make_company, smtp_server):
    settings, company, right, account = portal
    operator = make_user(make_company("Bureau AB"), role="admin", email="op@bureau.se", is_operator=True)
    _login(client)
    assert client.post("/portal/requests", {"subject": "More\r\nlanyards", "notes": NOTES.replace("\n", "\r\n"),
                                            "attachment": (io.BytesIO(b""), "")},
                       content_type="multipart/form-data").status_code == 302
    send_pending_emails()
    [to_operator] = smtp_server.wait_for("op@bureau.se")
    assert "Nordbygg AB" in to_operator["Subject"] and "More lanyards" in to_operator["Subject"]
    text = body_text(to_operator)
    assert "we need 50 blue lanyards.\n<b>Urgent</b> & thanks" in text.replace("\r\n", "\n")
    req = db.session.scalar(select(CustomerRequest))
    assert f"/admin/customer_requests/details/?id={req.id}" in text

    operator_client = type(client)(client.application.test_client())
    operator_client.login(operator.email)
    saved = operator_client.post(f"/admin/customer_requests/edit/?id={req.id}",
                                 {"status": "done", "reply": "They are on their way.\nTracking: 123"})
    assert saved.status_code == 302
    send_pending_emails()
    [to_customer] = smtp_server.wait_for("finance@nordbygg.se")
    assert "More lanyards" in to_customer["Subject"]
    assert "They are on their way.\nTracking: 123" in body_text(to_customer).replace("\r\n", "\n")
    # Saving again without changing the answer sends nothing more.
    operator_client.post(f"/admin/customer_requests/edit/?id={req.id}",
                         {"status": "done", "reply": "They are on their way.\nTracking: 123"})
    assert db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.kind == "customer_request_answered")
                             .offset(1)) is None

    details = operator_client.get(f"/admin/customer_requests/details/?id={req.id}").get_data(as_text=True)
    assert "we need 50 blue lanyards.<br>&lt;b&gt;Urgent&lt;/b&gt; &amp; thanks" in details


def test_request_line_breaks_are_shown_as_lines_and_stay_escaped(client, db, portal):
    _login(client)
    client.post("/portal/requests", {"subject": "Lanyards", "notes": NOTES}, content_type="multipart/form-data")
    page = client.get("/portal/requests").get_data(as_text=True)
    assert "Hello,<br>we need 50 blue lanyards.<br>&lt;b&gt;Urgent&lt;/b&gt; &amp; thanks" in page
    assert "<b>Urgent</b>" not in page


def test_job_lists_its_cards_and_invoice_its_lines(client, db, portal, make_company, make_card_type):
    settings, company, right, account = portal
    ct = make_card_type("Site ID")
    order = Order(company_id=company.id, number="CW-2026-000007", status="in_production")
    db.session.add(order)
    db.session.flush()
    db.session.add_all([
        Card(company_id=company.id, card_type_id=ct.id, order_id=order.id, holder_name="Åsa Öberg", status="active",
             card_number="100200"),
        Card(company_id=company.id, card_type_id=ct.id, order_id=order.id, holder_name="Bo Ek",
             status="in_production"),
        OrderLine(order_id=order.id, description="Site ID", holder_name="Åsa Öberg", unit_price=Decimal("95")),
        OrderLine(order_id=order.id, kind="accessory", description="Lanyard", quantity=10, unit_price=Decimal("18")),
        Invoice(company_id=company.id, order_id=order.id, number="INV-7", amount=Decimal("275"),
                due_on=utcnow().date() + timedelta(days=30)),
    ])
    db.session.commit()
    _login(client)
    job = html_text(client.get(f"/portal/jobs/{order.id}"))
    assert re.search(r"Åsa Öberg 100200 Active", job) and re.search(r"Bo Ek – In production", job)
    inv = db.session.scalar(select(Invoice))
    invoice = html_text(client.get(f"/portal/invoices/{inv.id}"))
    assert "Site ID · Åsa Öberg 1" in invoice and "Lanyard 10" in invoice and "180" in invoice


def test_set_password_page_from_a_swedish_email_is_swedish(client, db, portal):
    settings, company, right, account = portal
    company.language = "sv"
    email_login_details(account)
    db.session.commit()
    body = db.session.scalar(select(OutboxEmail.body_text))
    path = re.search(r"(/portal/set-password/[A-Za-z0-9_-]+)", body).group(1)
    page = html_text(client.get(path))
    assert "Lösenord" in page or "lösenord" in page
    assert "Choose" not in page and "Password" not in page


def test_portal_switch_label_follows_the_state(client, db, portal, make_user, make_company):
    settings, company, right, account = portal
    operator = make_user(make_company("Bureau AB"), role="admin", email="op@bureau.se", is_operator=True)
    client.login(operator.email)
    for enabled in (True, False):
        settings.enabled = enabled
        db.session.commit()
        page = client.get("/admin/portal/settings/").get_data(as_text=True)
        switch = re.search(r'<input type="checkbox"[^>]*id="enabled"[^>]*>\s*<label[^>]*>(.*?)</label>', page, re.S)
        assert ("checked" in switch.group(0).split(">")[0]) is enabled
        assert '<span class="state-on">The customer portal is on</span>' in switch.group(1)
        assert '<span class="state-off">The customer portal is off</span>' in switch.group(1)
    css = client.get("/static/css/admin.css")
    assert ".custom-control-input:not(:checked) ~ .switch-state .state-on" in css.get_data(as_text=True)
    css.close()
