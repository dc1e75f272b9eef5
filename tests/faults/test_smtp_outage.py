"""Requirement: SMTP down for an hour loses nothing, retries back off, the operator sees it; a crash
between claiming and sending gives at most one duplicate, never a loss. A real aiosmtpd server."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db_types import utcnow
from portal.mail import OutboxEmail, OutboxState, queue_email, send_pending_emails
from tests.conftest import html_text
from tests.faults.outbox_crash import CRASH_EXIT

pytestmark = pytest.mark.smtp
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _queue(db, company, user, *recipients):
    for to in recipients:
        queue_email(to, "user_invitation", "en", company_id=company.id, company=company, user=user,
                    invited_by=user, token="tok")
    db.session.commit()


def _emails(db) -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_an_hour_without_smtp_loses_nothing_backs_off_and_shows_the_operator(
        app, client, db, make_company, make_user, smtp_server):
    company = make_company("Nordbygg AB")
    user = make_user(company)
    recipients = ["a@nordbygg.se", "b@nordbygg.se", "c@nordbygg.se"]
    _queue(db, company, user, *recipients)
    t0 = utcnow()
    smtp_server.stop()

    # The outbox job runs every minute for an hour of simulated time: note when it actually tried.
    tried_at = []
    for minute in range(61):
        result = send_pending_emails(now=t0 + timedelta(minutes=minute))
        assert result["sent"] == 0
        if result["failed"]:
            assert result["failed"] == 3
            tried_at.append(minute)
    # Back-off: 1, 2, 4, 8, 16, 32 minutes between tries (the next at minute 63), not 61 tries.
    assert tried_at == [0, 1, 3, 7, 15, 31]
    for email in _emails(db):
        assert email.state == OutboxState.PENDING.value and email.attempts == 6
        assert email.next_attempt_at == t0 + timedelta(minutes=63)
        assert "SMTP server unavailable" in email.last_error

    # The operator sees it on the dashboard and in the outbox screen, with the error.
    operator = make_user(None, email="op@cardwright.example", is_operator=True)
    client.login(operator.email)
    dashboard = html_text(client.get("/admin/"))
    assert "Emails are not getting through" in dashboard
    assert "3 waiting for another try, 0 not delivered" in dashboard
    assert "Connection refused" in dashboard or "unavailable" in dashboard
    screen = client.get("/admin/outbox/")
    assert screen.status_code == 200
    text = html_text(screen)
    assert "a@nordbygg.se" in text and "Retrying" in text and "SMTP server unavailable" in text
    assert "/invite/tok" not in screen.get_data(as_text=True)  # bodies (personal links) are not shown

    # The server is back at minute 60: nothing goes before the next try is due, then everything once.
    smtp_server.restart()
    assert send_pending_emails(now=t0 + timedelta(minutes=62)) == {"sent": 0, "failed": 0}
    assert send_pending_emails(now=t0 + timedelta(minutes=63)) == {"sent": 3, "failed": 0}
    assert send_pending_emails(now=t0 + timedelta(minutes=90)) == {"sent": 0, "failed": 0}
    for to in recipients:
        assert len(smtp_server.wait_for(to)) == 1
    assert {e.state for e in _emails(db)} == {OutboxState.SENT.value}
    assert "Emails are not getting through" not in html_text(client.get("/admin/"))


def test_an_email_that_keeps_failing_is_not_delivered_and_can_be_sent_again(
        app, client, db, make_company, make_user, smtp_server):
    company = make_company()
    user = make_user(company)
    _queue(db, company, user, "late@x.se")
    smtp_server.stop()
    now = utcnow()
    for _ in range(40):  # far more runs than MAX_ATTEMPTS, each when the next try is due
        send_pending_emails(now=now)
        [email] = _emails(db)
        if email.state == OutboxState.FAILED.value:
            break
        now = email.next_attempt_at
    assert email.state == OutboxState.FAILED.value and email.attempts == 20
    operator = make_user(None, email="op@cardwright.example", is_operator=True)
    client.login(operator.email)
    assert "0 waiting for another try, 1 not delivered" in html_text(client.get("/admin/"))
    assert "Not delivered" in html_text(client.get("/admin/outbox/"))
    # The operator sends it again once the server is back.
    smtp_server.restart()
    resp = client.post("/admin/outbox/action/", {"action": "send_again", "rowid": email.id, "url": "/admin/outbox/"})
    assert resp.status_code == 302
    assert send_pending_emails(now=utcnow()) == {"sent": 1, "failed": 0}
    assert len(smtp_server.wait_for("late@x.se")) == 1


def test_the_outbox_screen_is_for_the_operator_only(client, db, make_company, make_user):
    company = make_company()
    admin = make_user(company, role="admin")
    client.login(admin.email)
    assert client.get("/admin/outbox/").status_code == 403
    assert "Emails are not getting through" not in html_text(client.get("/admin/"))


class RefusingInbox:
    """Wraps the test inbox: the SMTP server refuses one mailbox for good (550)."""

    def __init__(self, inbox, refused: str):
        self.inbox, self.refused = inbox, refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.inbox.handle_DATA(server, session, envelope)


def test_a_refused_mailbox_fails_at_once_without_holding_up_the_others(
        db, make_company, make_user, smtp_server):
    from aiosmtpd.controller import Controller

    smtp_server.stop()
    smtp_server.controller = Controller(RefusingInbox(smtp_server, "gone@x.se"), hostname="127.0.0.1",
                                        port=smtp_server.port)
    smtp_server.controller.start()
    company = make_company()
    user = make_user(company)
    _queue(db, company, user, "first@x.se", "gone@x.se", "last@x.se")
    assert send_pending_emails() == {"sent": 2, "failed": 1}
    by_to = {e.to: e for e in _emails(db)}
    assert by_to["gone@x.se"].state == OutboxState.FAILED.value and "550" in by_to["gone@x.se"].last_error
    assert by_to["last@x.se"].state == OutboxState.SENT.value
    assert len(smtp_server.wait_for("last@x.se")) == 1


def test_a_message_smtp_cannot_encode_is_recorded_and_the_batch_goes_on(db, make_company, make_user, smtp_server):
    company = make_company()
    user = make_user(company)
    _queue(db, company, user, "jörg@exämple.se", "plain@x.se")
    result = send_pending_emails()
    assert result["sent"] == 1
    by_to = {e.to: e for e in _emails(db)}
    assert by_to["plain@x.se"].state == OutboxState.SENT.value
    # Never left claimed (which would hide it for ten minutes at every run and block the job): it will
    # never go through, so it is marked not delivered at once, with the reason, for the operator.
    bad = by_to["jörg@exämple.se"]
    assert bad.state == OutboxState.FAILED.value and bad.claim is None
    assert "UnicodeEncodeError" in bad.last_error


def _crash(app, mode: str, now) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    port = str(app.config["MAIL_PORT"])
    proc = subprocess.run([sys.executable, "-m", "tests.faults.outbox_crash", mode, now.isoformat(), url, port],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == CRASH_EXIT, proc.stderr[-2000:]


@pytest.mark.parametrize(("mode", "copies"), [("after-claim", 1), ("after-smtp", 2)])
def test_a_crash_between_claim_and_sent_gives_at_most_one_duplicate_never_a_loss(
        app, db, make_company, make_user, smtp_server, mode, copies):
    company = make_company()
    user = make_user(company)
    _queue(db, company, user, "crash@x.se")
    t0 = utcnow()
    _crash(app, mode, t0)  # a real process: claims, (maybe sends), dies before recording
    [email] = _emails(db)
    assert email.state == OutboxState.SENDING.value and email.claim  # left claimed by the dead process
    # A live worker does not touch a fresh claim (the other process might still be sending)...
    assert send_pending_emails(now=t0 + timedelta(minutes=5)) == {"sent": 0, "failed": 0}
    # ...and takes over a stale one: the email goes out.
    assert send_pending_emails(now=t0 + timedelta(minutes=11)) == {"sent": 1, "failed": 0}
    assert send_pending_emails(now=t0 + timedelta(minutes=30)) == {"sent": 0, "failed": 0}
    assert len(smtp_server.wait_for("crash@x.se", count=copies)) == copies
    assert len(smtp_server.to("crash@x.se")) == copies
    [email] = _emails(db)
    assert email.state == OutboxState.SENT.value
