"""Issue 12.24: addresses with letters outside ASCII are sent (SMTPUTF8 where the server offers it, IDNA
for the domain), through the outbox to a real aiosmtpd server; where they cannot go, Pending says so."""
import re

import pytest
from sqlalchemy import select

from portal.collection.email_list import split_email_list
from portal.collection.operations import open_request, send_requests
from portal.outbox.models import OutboxEmail, OutboxState
from portal.outbox.tasks import send_pending_emails
from tests.conftest import html_text
from tests.fixtures.servers import Inbox, body_text, free_port

ADDRESSES = "östen.nyström@x.se, åsa@x.se, bo@bücher.se"


def _server(app, smtputf8: bool):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=smtputf8)
    inbox.port, inbox.controller = port, controller
    controller.start()
    old = app.config["MAIL_PORT"], app.extensions["mail"].port
    app.config["MAIL_PORT"] = app.extensions["mail"].port = port
    yield inbox
    controller.stop()
    app.config["MAIL_PORT"], app.extensions["mail"].port = old


@pytest.fixture()
def smtputf8_server(app):
    """A real aiosmtpd server that announces SMTPUTF8."""
    yield from _server(app, True)


@pytest.fixture()
def ascii_only_server(app):
    """A real aiosmtpd server that does not (it refuses non-ASCII addresses)."""
    yield from _server(app, False)


def test_non_ascii_addresses_are_delivered_over_smtputf8(db, collect, smtputf8_server):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list(ADDRESSES).valid)
    db.session.commit()  # the request commits; operations only flush
    assert send_pending_emails() == {"sent": 3, "failed": 0}
    östen = smtputf8_server.wait_for("östen.nyström@x.se")[0]
    assert östen["To"] is not None and östen["Subject"] is not None
    token = re.search(r"/r/([A-Za-z0-9_-]{30,})", body_text(östen)).group(1)
    assert open_request(token).email == "östen.nyström@x.se"  # the link in the email works
    assert smtputf8_server.wait_for("åsa@x.se")
    # A non-ASCII domain goes out in its IDNA form.
    assert smtputf8_server.wait_for("bo@xn--bcher-kva.se")
    assert {e.state for e in db.session.scalars(select(OutboxEmail))} == {OutboxState.SENT.value}


def test_without_smtputf8_they_are_never_shown_as_sent(client, db, collect, ascii_only_server):
    smtp_server = ascii_only_server
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list(ADDRESSES + ", plain@x.se").valid)
    db.session.commit()  # the request commits; operations only flush
    assert send_pending_emails() == {"sent": 2, "failed": 2}
    assert smtp_server.wait_for("plain@x.se") and smtp_server.wait_for("bo@xn--bcher-kva.se")
    failed = {e.to: e for e in db.session.scalars(select(OutboxEmail).where(OutboxEmail.state == "failed"))}
    assert set(failed) == {"östen.nyström@x.se", "åsa@x.se"}
    assert all("does not offer SMTPUTF8" in e.last_error and e.attempts == 1 for e in failed.values())
    client.login(orderer.email)
    page = client.get("/admin/collection/pending").get_data(as_text=True)
    rows = {m.group(1): html_text_of(m.group(0)) for m in re.finditer(r"<tr>\s*<td>([^<\s]+)(.*?)</tr>", page, re.S)}
    assert "Not delivered" in rows["östen.nyström@x.se"] and "Not delivered" in rows["åsa@x.se"]
    assert "Not delivered" not in rows["plain@x.se"] and "Not delivered" not in rows["bo@bücher.se"]


def html_text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def test_waiting_emails_are_not_shown_as_sent(client, db, collect):
    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("åsa@x.se").valid)
    db.session.commit()  # the request commits; operations only flush
    client.login(orderer.email)
    assert "Waiting to be sent" in html_text(client.get("/admin/collection/pending"))
