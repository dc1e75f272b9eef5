"""The email outbox: written in the caller's transaction, sent by the job, never lost."""
import re
from datetime import timedelta

from sqlalchemy import select

from portal.infra.db_types import utcnow
from portal.infra.extensions import db as _db
from portal.outbox.mail import queue_email
from portal.outbox.models import OutboxEmail, OutboxState
from portal.outbox.tasks import send_pending_emails
from tests.fixtures.servers import body_html, body_text


def _invite(db, company, user):
    queue_email(user.email, "user_invitation", "en", company_id=company.id,
                company=company, user=user, invited_by=user, token="tok123")


def test_email_is_sent_to_a_real_smtp_server(db, make_company, make_user, smtp_server):
    company = make_company("Nordbygg AB")
    user = make_user(company, email="anna@nordbygg.se", name="Anna")
    _invite(db, company, user)
    db.session.commit()
    assert send_pending_emails() == {"sent": 1, "failed": 0}
    [msg] = smtp_server.wait_for("anna@nordbygg.se")
    assert "Hello Anna" in body_text(msg)
    assert "/invite/tok123" in body_html(msg)
    assert db.session.scalar(select(OutboxEmail.state)) == OutboxState.SENT.value


def test_email_is_in_the_recipients_language(db, make_company, make_user, smtp_server):
    company = make_company("Nordbygg AB")
    user = make_user(company, email="sven@nordbygg.se", name="Sven")
    queue_email(user.email, "user_invitation", "sv", company_id=company.id,
                company=company, user=user, invited_by=user, token="t")
    db.session.commit()
    send_pending_emails()
    [msg] = smtp_server.wait_for("sven@nordbygg.se")
    assert "Hej Sven" in body_text(msg)


def test_rolled_back_change_sends_no_email(db, make_company, make_user):
    company = make_company()
    user = make_user(company)
    _invite(db, company, user)
    db.session.rollback()
    assert db.session.scalar(select(OutboxEmail)) is None


def test_smtp_down_keeps_email_and_retries_later(app, db, make_company, make_user, smtp_server):
    company = make_company()
    user = make_user(company, email="later@x.se")
    _invite(db, company, user)
    db.session.commit()
    smtp_server.stop()  # the server goes away
    assert send_pending_emails() == {"sent": 0, "failed": 1}
    email = db.session.scalar(select(OutboxEmail))
    db.session.refresh(email)
    assert email.state == OutboxState.PENDING.value
    assert email.attempts == 1 and "unavailable" in email.last_error
    assert email.next_attempt_at > utcnow()
    # Not retried before its time...
    assert send_pending_emails() == {"sent": 0, "failed": 0}
    # ...and sent once the server is back and the time has come.
    smtp_server.restart()
    assert send_pending_emails(now=utcnow() + timedelta(hours=1)) == {"sent": 1, "failed": 0}
    assert len(smtp_server.wait_for("later@x.se")) == 1


def test_claim_left_by_a_crash_is_released_and_sent_once(db, make_company, make_user, smtp_server):
    company = make_company()
    user = make_user(company, email="crash@x.se")
    _invite(db, company, user)
    db.session.commit()
    email = db.session.scalar(select(OutboxEmail))
    # A worker claimed it and died before sending.
    email.state, email.claim, email.claimed_at = OutboxState.SENDING.value, "dead", utcnow() - timedelta(hours=1)
    db.session.commit()
    assert send_pending_emails()["sent"] == 1
    assert send_pending_emails()["sent"] == 0
    assert len(smtp_server.wait_for("crash@x.se")) == 1


def test_sent_emails_keep_no_personal_link_in_the_database(db, collect, make_user, smtp_server):
    from portal.collection.email_list import split_email_list
    from portal.collection.operations import send_requests
    from portal.tenancy.invitations import invite_user
    from tests.trust.helpers import snapshot

    company, orderer, ct, _addr = collect
    invite_user(company, "new@nordbygg.se", "New Person", "orderer", make_user(company, role="admin"), "en")
    send_requests(company, orderer, ct, split_email_list("asa@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    db.session.commit()
    assert send_pending_emails()["sent"] == 2
    tokens = [re.search(pattern, body_text(msg)).group(1) for to, pattern in
              (("new@nordbygg.se", r"/invite/([\w-]{30,})"), ("asa@x.se", r"/r/([\w-]{30,})"))
              for msg in smtp_server.wait_for(to)]
    assert len(tokens) == 2
    stored = repr(snapshot())
    assert not [t for t in tokens if t in stored]
    # The operator's outbox still lists who got what, and when.
    rows = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert [(e.to, e.state, e.attempts) for e in rows] == [
        ("new@nordbygg.se", OutboxState.SENT.value, 1), ("asa@x.se", OutboxState.SENT.value, 1)]
    assert all(e.subject and e.sent_at and not e.body_text and not e.body_html for e in rows)
