"""Company > Webhooks: add an endpoint (its secret shown once), refused addresses, test event, the
delivery log with Send again, and another company's admin getting 404 for everything."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks.tasks import deliver_webhooks
from tests.conftest import html_text

URL = "/admin/company/webhooks/"


@pytest.fixture()
def admin(db, make_company, make_user, hooks_allowed):
    company = make_company("Nordbygg AB")
    user = make_user(company, role="admin", email="anna@nordbygg.se", name="Anna")
    return company, user


def add(client, url, events=("card.blocked", "order.placed"), description="Access control"):
    return client.post(URL, {"url": url, "description": description, "events": list(events)})


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(client, db, admin, make_receiver):
    company, user = admin
    client.login(user.email)
    page = client.get(URL)
    assert "No endpoints yet" in html_text(page)
    receiver = make_receiver()
    resp = add(client, receiver.url)
    assert resp.status_code == 200
    shown = re.search(r'value="(whsec_[A-Za-z0-9+/=]+)"', resp.get_data(as_text=True)).group(1)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.secret == shown and endpoint.company_id == company.id
    assert endpoint.events == ["order.placed", "card.blocked"] and endpoint.description == "Access control"
    assert "it is not shown again" in html_text(resp)
    assert resp.headers["Cache-Control"] == "no-store"
    for later in (client.get(URL), client.get(f"{URL}{endpoint.id}/")):
        assert shown not in later.get_data(as_text=True)  # never again
    assert receiver.url in html_text(client.get(URL))
    [audit] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "webhook_endpoint.created"))
    assert audit.company_id == company.id and receiver.url in str(audit.changes)
    assert "whsec_" not in str(audit.changes) and "secret" not in str(audit.changes)  # secrets never recorded


def test_an_address_that_cannot_be_used_is_refused_with_a_reason(client, db, app, admin, monkeypatch):
    _company, user = admin
    client.login(user.email)
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP", False)
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", False)
    assert "must start with https://" in html_text(add(client, "http://hooks.example.com/in"))
    assert "private or local address (127.0.0.1)" in html_text(add(client, "https://127.0.0.1/in"))
    assert "private or local address" in html_text(add(client, "https://localhost:8443/in"))
    assert "must not contain a user name or password" in html_text(add(client, "https://me:pw@hooks.example.com/"))
    assert "Choose at least one event" in html_text(add(client, "https://127.0.0.1/in", events=()))
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_test_event_log_and_send_again(client, db, admin, make_receiver, make_endpoint):
    company, user = admin
    receiver = make_receiver()
    endpoint, _ = make_endpoint(company, receiver.url, events=["card.blocked"])
    client.login(user.email)
    page = f"{URL}{endpoint.id}/"
    assert "Nothing sent yet" in html_text(client.get(page))
    client.post(f"{page}change", {"what": "test"})
    deliver_webhooks()
    assert receiver.types() == ["webhook.test"]
    text = html_text(client.get(page))
    assert "webhook.test" in text and "Delivered" in text and "204" in text
    first = db.session.scalar(select(WebhookDelivery))
    resp = client.post(f"{page}deliveries/{first.id}/again")
    assert resp.status_code == 302
    deliver_webhooks()
    assert receiver.types() == ["webhook.test", "webhook.test"]
    ids = [r["headers"]["webhook-id"] for r in receiver.received]
    assert ids[0] == ids[1]  # the same message: the receiver can tell it is a repeat


def test_switch_off_and_on_rotate_and_delete(client, db, admin, make_endpoint, make_receiver):
    company, user = admin
    endpoint, old = make_endpoint(company, make_receiver().url)
    client.login(user.email)
    page = f"{URL}{endpoint.id}/"
    client.post(f"{page}change", {"what": "disable"})
    db.session.expire_all()
    assert not db.session.get(WebhookEndpoint, endpoint.id).enabled
    assert "Switch on" in html_text(client.get(page))
    client.post(f"{page}change", {"what": "enable"})
    resp = client.post(f"{page}change", {"what": "rotate"})
    new = re.search(r'value="(whsec_[^"]+)"', resp.get_data(as_text=True)).group(1)
    db.session.expire_all()
    row = db.session.get(WebhookEndpoint, endpoint.id)
    assert row.enabled and row.secret == new and row.previous_secret == old
    assert "signed with both the new and the previous secret" in html_text(client.get(page))
    client.post(f"{page}change", {"what": "delete"})
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_the_log_is_paged_newest_first(client, db, admin, make_endpoint, make_receiver):
    from portal.webhooks.operations import send_test_event

    company, user = admin
    endpoint, _ = make_endpoint(company, make_receiver().url)
    for _ in range(30):
        send_test_event(company, user, endpoint)
    db.session.commit()
    client.login(user.email)
    first = client.get(f"{URL}{endpoint.id}/")
    newest = max(d.id for d in db.session.scalars(select(WebhookDelivery)))
    body = first.get_data(as_text=True)
    assert body.count("/again") == 25 and f"/deliveries/{newest}/again" in body
    assert "Page 1 of 2" in html_text(first)
    assert client.get(f"{URL}{endpoint.id}/?page=1").get_data(as_text=True).count("/again") == 5


def test_another_companys_admin_gets_404_for_everything(client, db, admin, make_company, make_user, make_endpoint,
                                                        make_receiver):
    company, _user = admin
    endpoint, _ = make_endpoint(company, make_receiver().url)
    from portal.webhooks.operations import send_test_event

    delivery = send_test_event(company, None, endpoint)
    db.session.commit()
    other = make_company("Fjällbygg AB")
    intruder = make_user(other, role="admin", email="eve@fjallbygg.se")
    client.login(intruder.email)
    page = f"{URL}{endpoint.id}/"
    assert endpoint.url not in client.get(URL).get_data(as_text=True)
    assert client.get(page).status_code == 404
    assert client.post(page, {"url": "https://evil.example.com/", "events": ["card.blocked"]}).status_code == 404
    for what in ("delete", "disable", "rotate", "test"):
        assert client.post(f"{page}change", {"what": what}).status_code == 404
    assert client.post(f"{page}deliveries/{delivery.id}/again").status_code == 404
    db.session.expire_all()
    row = db.session.get(WebhookEndpoint, endpoint.id)
    assert row.enabled and row.url == endpoint.url
    assert db.session.scalar(select(WebhookDelivery.id).where(WebhookDelivery.id != delivery.id)) is None


def test_only_company_admins_manage_webhooks(client, db, admin, make_user):
    company, _user = admin
    orderer = make_user(company, role="orderer", email="olle@nordbygg.se")
    client.login(orderer.email)
    assert client.get(URL).status_code == 403
