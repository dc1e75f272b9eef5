"""The operator's Email outbox screen: what waits or failed, and sending it again."""
import re

from sqlalchemy import select

from portal.outbox.mail import queue_email
from portal.outbox.models import OutboxEmail
from portal.outbox.tasks import send_pending_emails
from tests.conftest import html_text


def test_operator_sees_failed_emails_and_sends_them_again(client, db, make_company, make_user, smtp_server):
    company = make_company("Nordbygg AB")
    make_user(email="op@x.se", is_operator=True)
    admin = make_user(company, role="admin", email="anna@x.se")
    queue_email("gone@x.se", "user_invitation", "en", company_id=company.id, company=company, user=admin,
                invited_by=admin, token="t" * 43)
    db.session.commit()
    email = db.session.scalar(select(OutboxEmail))
    email.state, email.attempts, email.last_error = "failed", 20, "SMTP server unavailable: refused"
    db.session.commit()
    client.login("op@x.se")
    page = html_text(client.get("/admin/outbox/"))
    assert "gone@x.se" in page and "Not delivered" in page and "SMTP server unavailable" in page
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2}", page)  # "Nov 25, 2026 14:07", not "11/25/26, 2:07 PM"
    assert "t" * 43 not in client.get("/admin/outbox/").get_data(as_text=True)  # bodies with links stay hidden
    resp = client.post("/admin/outbox/action/", {"action": "send_again", "rowid": str(email.id)}, follow_redirects=True)
    assert "1 emails queued to be sent again" in html_text(resp)
    assert send_pending_emails()["sent"] == 1
    assert smtp_server.wait_for("gone@x.se")


def test_company_admin_cannot_open_the_outbox(client, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="admin", email="anna@x.se")
    client.login("anna@x.se")
    assert client.get("/admin/outbox/").status_code == 403
