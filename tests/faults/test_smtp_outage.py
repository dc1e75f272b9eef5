"""Requirement: SMTP down for an hour loses nothing, retries back off, the operator sees it; a crash
between claiming and sending gives at most one duplicate, never a loss. A real aiosmtpd server."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.infra.db_types import utcnow
from portal.outbox.mail import queue_email
from portal.outbox.models import OutboxEmail, OutboxState
from portal.outbox.tasks import send_pending_emails
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
    from aiosmtpd.controller import Controller

    smtp_server.controller.stop()  # a server without SMTPUTF8: a non-ASCII address can never go
    smtp_server.controller = Controller(smtp_server, hostname="127.0.0.1", port=smtp_server.port,
                                        enable_SMTPUTF8=False)
    smtp_server.controller.start()
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
    assert "does not offer SMTPUTF8" in bad.last_error  # the reason, readable (issue 12.24)


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


def test_a_server_that_accepts_but_never_answers_does_not_hang_the_job(app, db, make_company, make_user):
    import socket
    import threading

    company = make_company()
    user = make_user(company)
    _queue(db, company, user, "hang@x.se")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts connections, never sends the SMTP greeting
    old = app.config["MAIL_PORT"], app.extensions["mail"].port
    app.config["MAIL_PORT"] = app.extensions["mail"].port = silent.getsockname()[1]
    results = []

    def run():
        with app.app_context():
            results.append(send_pending_emails())
            _db_remove()

    try:
        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(60)  # MAIL_TIMEOUT is 3 s in the tests; without it this would wait for minutes
        assert results == [{"sent": 0, "failed": 1}]
    finally:
        silent.close()
        app.config["MAIL_PORT"], app.extensions["mail"].port = old
    [email] = _emails(db)
    assert email.state == OutboxState.PENDING.value and "timed out" in email.last_error


def _db_remove():
    from portal.infra.extensions import db as _db

    _db.session.remove()


class ClosingAfterOne:
    """An SMTP server that takes one message, then answers 421 (closing) to the rest: a server going down."""

    def __init__(self, inbox):
        self.inbox, self.taken = inbox, 0

    async def handle_DATA(self, server, session, envelope):
        if self.taken:
            return "421 4.3.0 Service shutting down"
        self.taken += 1
        return await self.inbox.handle_DATA(server, session, envelope)


def test_a_server_going_down_mid_batch_keeps_the_rest_for_later(db, make_company, make_user, smtp_server):
    from aiosmtpd.controller import Controller

    smtp_server.stop()
    smtp_server.controller = Controller(ClosingAfterOne(smtp_server), hostname="127.0.0.1", port=smtp_server.port)
    smtp_server.controller.start()
    company = make_company()
    user = make_user(company)
    _queue(db, company, user, "one@x.se", "two@x.se", "three@x.se")
    t0 = utcnow()
    result = send_pending_emails(now=t0)
    assert result["sent"] == 1 and result["failed"] == 2
    waiting = [e for e in _emails(db) if e.state != OutboxState.SENT.value]
    assert {e.state for e in waiting} == {OutboxState.PENDING.value}  # temporary (4xx): tried again later
    assert all(e.next_attempt_at == t0 + timedelta(minutes=1) for e in waiting)
    smtp_server.stop()
    smtp_server.restart()  # a healthy server again
    assert send_pending_emails(now=t0 + timedelta(minutes=1)) == {"sent": 2, "failed": 0}
    for to in ("one@x.se", "two@x.se", "three@x.se"):
        assert len(smtp_server.to(to)) == 1


def test_a_slow_batch_hands_back_what_it_has_not_sent_before_its_claim_goes_stale(
        app, db, make_company, make_user, smtp_server, monkeypatch):
    import portal.outbox.pool as pool

    company = make_company()
    user = make_user(company)
    _queue(db, company, user, "s1@x.se", "s2@x.se", "s3@x.se")
    # The first message takes 400 s: past half the stale-claim time (one connection, so that it is the
    # only one started).
    monkeypatch.setitem(app.config, "OUTBOX_SMTP_CONNECTIONS", 1)
    monkeypatch.setattr(pool, "monotonic", lambda: 400 if smtp_server.messages else 0)
    assert send_pending_emails() == {"sent": 1, "failed": 0}
    rest = [e for e in _emails(db) if e.state != OutboxState.SENT.value]
    assert len(rest) == 2 and all(e.state == OutboxState.PENDING.value and e.claim is None for e in rest)
    monkeypatch.undo()
    assert send_pending_emails() == {"sent": 2, "failed": 0}
    for to in ("s1@x.se", "s2@x.se", "s3@x.se"):
        assert len(smtp_server.wait_for(to)) == 1
    assert len(smtp_server.messages) == 3
