"""The outbox sends over a pool of SMTP connections, and still sends every email exactly once: two job
runs at the same moment, each with its pool, against a real aiosmtpd server that counts what it gets."""
from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from portal.infra.extensions import db as _db
from portal.outbox.mail import queue_email, queue_rows
from portal.outbox.models import OutboxEmail, OutboxState
from portal.outbox.tasks import send_pending_emails
from tests.fixtures.servers import body_text


class Counting:
    """An SMTP handler that counts messages per recipient and the connections they came over."""

    def __init__(self):
        self.per_recipient: Counter = Counter()
        self.connections: set = set()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for to in envelope.rcpt_tos:
                self.per_recipient[to] += 1
            self.connections.add(session.peer)
        return "250 OK"


def _counting_server(smtp_server):
    from aiosmtpd.controller import Controller

    smtp_server.stop()
    handler = Counting()
    smtp_server.controller = Controller(handler, hostname="127.0.0.1", port=smtp_server.port)
    smtp_server.controller.start()
    return handler


def _queue_bulk(company, count: int, domain: str) -> list[str]:
    recipients = [f"p{n}@{domain}" for n in range(count)]
    queue_rows([{"to": to, "subject": "Your card details", "body_text": f"Hello {to}", "body_html": "",
                 "kind": "collection_request", "company_id": company.id} for to in recipients])
    return recipients


def test_two_runs_at_once_send_every_email_exactly_once_over_several_connections(
        app, db, make_company, smtp_server, monkeypatch):
    handler = _counting_server(smtp_server)
    a, b = make_company("Alpha AB"), make_company("Beta AB")
    recipients = _queue_bulk(a, 500, "alpha.se") + _queue_bulk(b, 300, "beta.se")
    db.session.commit()
    monkeypatch.setitem(app.config, "OUTBOX_SMTP_CONNECTIONS", 4)
    start, totals, errors = threading.Barrier(2), [], []

    def job():
        with app.app_context():
            try:
                start.wait(10)
                while True:
                    result = send_pending_emails(limit=150)
                    totals.append(result)
                    if not result["sent"] and not result["failed"]:
                        break
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                _db.session.remove()

    runs = [threading.Thread(target=job) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(120)
    assert errors == []
    assert sum(t["sent"] for t in totals) == 800 and sum(t["failed"] for t in totals) == 0
    assert handler.per_recipient == Counter({to: 1 for to in recipients})  # every one, once
    assert len(handler.connections) > 2  # more than one connection per run
    db.session.expire_all()
    states = dict(db.session.execute(select(OutboxEmail.state, func.count()).group_by(OutboxEmail.state)).all())
    assert states == {OutboxState.SENT.value: 800}
    assert db.session.scalar(select(func.count()).where(OutboxEmail.body_text != "")) == 0


def test_a_pooled_message_arrives_whole_in_the_recipients_language(
        app, db, make_company, make_user, smtp_server, monkeypatch):
    company = make_company("Nordbygg AB")
    user = make_user(company)
    monkeypatch.setitem(app.config, "OUTBOX_SMTP_CONNECTIONS", 3)
    queue_email("åsa@bücher.se", "user_invitation", "sv", company_id=company.id, company=company, user=user,
                invited_by=user, token="tok-1")
    queue_email("plain@nordbygg.se", "user_invitation", "sv", company_id=company.id, company=company, user=user,
                invited_by=user, token="tok-2")
    db.session.commit()
    assert send_pending_emails() == {"sent": 2, "failed": 0}
    [international] = smtp_server.wait_for("xn--bcher-kva.se")
    [plain] = smtp_server.wait_for("plain@nordbygg.se")
    assert "/invite/tok-1" in body_text(international) and "/invite/tok-2" in body_text(plain)
    assert "Nordbygg AB" in str(plain["Subject"]) or "Nordbygg" in body_text(plain)
    assert plain["Message-ID"] and plain["Date"] and "no-reply@" in plain["From"]
