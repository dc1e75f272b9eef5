"""A company name typed or pasted with a line break stays one line: the emails naming it (subjects)
go out instead of failing forever, and no header can be injected through it."""
from sqlalchemy import select

from portal.outbox.mail import queue_rows
from portal.outbox.models import OutboxEmail, OutboxState
from portal.outbox.tasks import send_pending_emails
from portal.tenancy.invitations import invite_user
from portal.tenancy.models import Company


def test_operator_form_keeps_the_company_name_on_one_line(client, db, make_user):
    make_user(email="op@cardwright.se", is_operator=True)
    client.login("op@cardwright.se")
    resp = client.post("/admin/op_companies/new/", {"name": "Bygg AB\r\nBcc: all@evil.example", "language": "sv",
                                                    "onboarded_on": "2025-01-01", "active": "y"})
    assert resp.status_code == 302
    assert db.session.scalar(select(Company.name)) == "Bygg AB Bcc: all@evil.example"


def test_emails_naming_a_company_with_a_line_break_are_delivered(db, make_company, make_user, smtp_server):
    company = make_company("Nordbygg\r\nAB\n")
    inviter = make_user(company, role="admin", email="boss@x.se")
    invite_user(company, "new@x.se", "New", "orderer", inviter, "en")
    queue_rows([{"company_id": company.id, "to": "bulk@x.se", "subject": "Nordbygg\r\nBcc: all@evil.example",
                 "body_text": "hello", "body_html": "", "kind": "collection_request"}])
    db.session.commit()
    assert send_pending_emails() == {"sent": 2, "failed": 0}
    [invitation] = smtp_server.wait_for("new@x.se")
    assert "\n" not in invitation["Subject"] and "Nordbygg AB" in invitation["Subject"]
    [bulk] = smtp_server.wait_for("bulk@x.se")
    assert bulk["Bcc"] is None and bulk["Subject"] == "Nordbygg Bcc: all@evil.example"
    assert set(db.session.scalars(select(OutboxEmail.state))) == {OutboxState.SENT.value}
