"""Webhook deliveries to a real receiver on 127.0.0.1: signed per Standard Webhooks (checked with the
`standardwebhooks` package), once each, retried with back-off, never to private addresses unless
allowed, never following redirects, one endpoint's hang delaying nobody else's, rotation, giving up."""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from portal.cards.models import Card
from portal.cards.operations import block_card, unblock_card
from portal.infra.db_types import utcnow
from portal.outbox.models import OutboxEmail
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks.operations import rotate_secret, set_enabled
from portal.webhooks.tasks import deliver_webhooks


def verified(secret: str, request: dict) -> dict:
    """The payload, if the request's signature verifies under the secret (raises otherwise)."""
    return Webhook(secret).verify(request["body"], request["headers"])


def deliveries(db) -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


@pytest.fixture()
def company(make_company, make_user):
    c = make_company("Nordbygg AB")
    c.admin = make_user(c, role="admin", email="anna@nordbygg.se", name="Anna")
    return c


def test_blocking_a_card_delivers_card_blocked_once_signed(db, company, make_receiver, make_endpoint,
                                                           make_active_card):
    receiver = make_receiver()
    _endpoint, secret = make_endpoint(company, receiver.url)
    _orders_only, _ = make_endpoint(company, make_receiver("orders").url, events=["order.placed"])
    card = make_active_card(company)

    block_card(company, company.admin, card, "Lost on site")
    db.session.commit()
    assert deliver_webhooks() == {"delivered": 1, "failed": 0, "disabled": 0}
    deliver_webhooks()  # nothing is due any more: nothing is sent twice

    assert len(receiver.received) == 1
    event = verified(secret, receiver.received[0])
    assert event["type"] == "card.blocked"
    assert event["data"]["id"] == card.id and event["data"]["status"] == "blocked"
    assert event["data"]["holder_name"] == "Åsa Öberg" and event["data"]["status_reason"] == "Lost on site"
    assert event["timestamp"].endswith("Z")
    headers = receiver.received[0]["headers"]
    assert headers["webhook-id"].startswith("msg_") and headers["content-type"] == "application/json"
    [row] = deliveries(db)  # the endpoint that wants only orders got nothing
    assert (row.state, row.attempts, row.response_code) == ("delivered", 1, 204)


def test_a_rolled_back_change_sends_nothing(db, company, make_receiver, make_endpoint, make_active_card):
    receiver = make_receiver()
    make_endpoint(company, receiver.url)
    card = make_active_card(company)
    block_card(company, company.admin, card, "Lost")
    db.session.rollback()  # the request failed after the operation
    assert deliveries(db) == []
    deliver_webhooks()
    assert receiver.received == []


def test_a_receiver_down_for_an_hour_gets_every_event_once_back(db, company, make_receiver, make_endpoint,
                                                               make_active_card):
    receiver = make_receiver()
    _endpoint, secret = make_endpoint(company, receiver.url)
    receiver.stop()
    cards = [make_active_card(company, name) for name in ("Åsa Öberg", "Bo Ek", "Cia Lind")]
    for card in cards:
        block_card(company, company.admin, card, "Lost")
    unblock_card(company, company.admin, cards[0])
    db.session.commit()
    start = utcnow()
    for minute in range(0, 60, 5):  # down for an hour: the job runs and fails
        deliver_webhooks(now=start + timedelta(minutes=minute, seconds=1))
    assert receiver.received == []
    assert all(d.state == "pending" for d in deliveries(db))
    assert any(d.attempts >= 2 for d in deliveries(db)) and all("Connection" in d.last_error or not d.attempts
                                                                for d in deliveries(db))

    receiver.start()
    for step in range(0, 24):  # back: the job keeps running every half hour for twelve hours
        deliver_webhooks(now=start + timedelta(hours=1, minutes=30 * step))
    ids = [r["headers"]["webhook-id"] for r in receiver.received]
    assert len(ids) == 4 and len(set(ids)) == 4  # every event, none twice
    assert sorted(verified(secret, r)["type"] for r in receiver.received) == [
        "card.blocked", "card.blocked", "card.blocked", "card.unblocked"]
    assert {d.state for d in deliveries(db)} == {"delivered"}


def test_a_private_address_is_refused_unless_allowed(db, app, company, make_receiver, make_endpoint,
                                                     make_active_card, monkeypatch):
    receiver = make_receiver()
    make_endpoint(company, receiver.url)
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", False)
    block_card(company, company.admin, make_active_card(company), "Lost")
    db.session.commit()
    deliver_webhooks()
    assert receiver.received == []
    [row] = deliveries(db)
    assert row.state == "pending" and row.attempts == 1
    assert "private or local address (127.0.0.1)" in row.last_error


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "::1", "fe80::1",
                                     "fc00::1", "::ffff:127.0.0.1", "ff02::1"])
def test_private_local_and_reserved_addresses_are_not_public(address):
    from portal.webhooks.transport import is_public

    assert not is_public(address)


def test_public_addresses_are_public():
    from portal.webhooks.transport import is_public

    assert is_public("93.184.216.34") and is_public("2606:2800:220:1:248:1893:25c8:1946")


def test_redirects_are_not_followed(db, company, make_receiver, make_endpoint, make_active_card):
    redirecting, elsewhere = make_receiver("redirecting"), make_receiver("elsewhere")
    redirecting.mode, redirecting.location = "redirect", elsewhere.url
    make_endpoint(company, redirecting.url)
    block_card(company, company.admin, make_active_card(company), "Lost")
    db.session.commit()
    assert deliver_webhooks()["failed"] == 1
    assert len(redirecting.received) == 1 and elsewhere.received == []
    [row] = deliveries(db)
    assert row.state == "pending" and row.response_code == 302
    assert row.last_error == f"Redirect to {elsewhere.url} not followed"


def test_a_hanging_endpoint_does_not_delay_another_companys_deliveries(db, company, make_company, make_user,
                                                                        make_receiver, make_endpoint,
                                                                        make_active_card):
    other = make_company("Fjällbygg AB")
    other_admin = make_user(other, role="admin")
    hanging, quick = make_receiver("hanging"), make_receiver("quick")
    hanging.mode = "hang"
    make_endpoint(company, hanging.url)
    make_endpoint(other, quick.url)
    for name in ("Åsa Öberg", "Bo Ek"):  # the hanging company's events are the oldest
        block_card(company, company.admin, make_active_card(company, name), "Lost")
    block_card(other, other_admin, make_active_card(other, "Cia Lind"), "Lost")
    db.session.commit()
    released = {}

    def release_once_the_other_arrived():
        quick.arrived.wait(20)
        hanging.arrived.wait(20)
        released["at"] = time.monotonic()
        hanging.release.set()

    helper = threading.Thread(target=release_once_the_other_arrived)
    helper.start()
    counts = deliver_webhooks()
    helper.join()
    # The other company's event arrived while the first endpoint was still hanging: the hanging one is
    # released only after that arrival. Handled one after the other (the hanging company's events are
    # the oldest, so first), the job would have waited on the hang, and the other event would have
    # come only after the release.
    assert len(quick.received) == 1
    assert quick.received[0]["at"] < released["at"] and hanging.received[0]["at"] < released["at"]
    assert counts["delivered"] >= 2
    assert len(hanging.received) == 2 or counts["delivered"] == 2


def test_after_rotation_both_secrets_verify_for_a_day(db, company, make_receiver, make_endpoint, make_active_card):
    receiver = make_receiver()
    endpoint, old = make_endpoint(company, receiver.url)
    new = rotate_secret(company, company.admin, endpoint)
    db.session.commit()
    assert new != old and new.startswith("whsec_")
    block_card(company, company.admin, make_active_card(company), "Lost")
    db.session.commit()
    deliver_webhooks()
    first = receiver.received[0]
    assert len(first["headers"]["webhook-signature"].split(" ")) == 2
    assert verified(old, first)["type"] == verified(new, first)["type"] == "card.blocked"

    unblock_card(company, company.admin, db.session.get(Card, first_card_id(first)))
    db.session.commit()
    deliver_webhooks(now=utcnow() + timedelta(hours=25))  # the overlap is over: only the new secret signs
    second = receiver.received[1]
    assert len(second["headers"]["webhook-signature"].split(" ")) == 1
    assert verified(new, second)["type"] == "card.unblocked"
    with pytest.raises(WebhookVerificationError):
        verified(old, second)


def first_card_id(request: dict) -> int:
    return json.loads(request["body"])["data"]["id"]


def test_an_endpoint_failing_for_three_days_is_switched_off_and_the_admins_told(db, company, make_user, make_receiver,
                                                                               make_endpoint, make_active_card):
    second_admin = make_user(company, role="admin", email="bo@nordbygg.se", name="Bo", language="sv")
    make_user(company, role="orderer", email="orderer@nordbygg.se")
    receiver = make_receiver()
    receiver.mode = "error"
    endpoint, _secret = make_endpoint(company, receiver.url)
    block_card(company, company.admin, make_active_card(company), "Lost")
    db.session.commit()
    start = utcnow()
    deliver_webhooks(now=start)
    for _ in range(20):  # the job runs whenever the delivery is due again
        [row] = deliveries(db)
        if not db.session.get(WebhookEndpoint, endpoint.id).enabled:
            break
        deliver_webhooks(now=row.next_attempt_at)
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert not endpoint.enabled and endpoint.disabled_reason == "failing"
    [row] = deliveries(db)
    assert row.state == "pending" and row.response_code == 500 and row.last_error == "receiver broke"
    assert row.last_attempt_at - start >= timedelta(days=3)
    mails = {m.to: m for m in db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "webhook_disabled"))}
    assert set(mails) == {"anna@nordbygg.se", second_admin.email}  # the admins, not the orderer
    assert receiver.url in mails["anna@nordbygg.se"].body_text
    assert "switched off" in mails["anna@nordbygg.se"].subject
    assert mails[second_admin.email].subject == "En webhook-mottagare hos Nordbygg AB har stängts av"
    tries = row.attempts
    deliver_webhooks(now=row.next_attempt_at + timedelta(hours=1))  # off: nothing more is tried
    assert deliveries(db)[0].attempts == tries

    receiver.mode = "ok"  # fixed; the admin switches it on again: what waited is sent
    set_enabled(company, endpoint, True)
    db.session.commit()
    deliver_webhooks()
    assert deliveries(db)[0].state == "delivered"
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.kind == "webhook_disabled")) == 2


def test_a_busy_endpoint_is_served_in_bulk_over_kept_alive_connections(db, company, make_receiver, make_endpoint):
    from portal.webhooks.events import emit

    receiver = make_receiver(keep_alive=True)
    make_endpoint(company, receiver.url)
    for n in range(120):
        emit(company.id, "card.blocked", {"id": n})
    db.session.commit()
    assert deliver_webhooks()["delivered"] == 120  # one run claims again while there is work
    assert [json.loads(r["body"])["data"]["id"] for r in receiver.received] == list(range(120))  # oldest first
    assert len({r["peer"] for r in receiver.received}) <= 3  # a connection per claim of 50, not per event


def test_a_run_starts_no_new_request_once_its_time_is_up(db, app, company, make_receiver, make_endpoint,
                                                         monkeypatch):
    from portal.webhooks.events import emit

    receiver = make_receiver()
    make_endpoint(company, receiver.url)
    for n in range(3):
        emit(company.id, "card.blocked", {"id": n})
    db.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOKS_RUN_SECONDS", 0)
    assert deliver_webhooks()["delivered"] == 1
    assert [(d.state, d.attempts) for d in deliveries(db)] == [("delivered", 1), ("pending", 0), ("pending", 0)]
    monkeypatch.setitem(app.config, "WEBHOOKS_RUN_SECONDS", 10)
    assert deliver_webhooks()["delivered"] == 2


def test_finished_deliveries_leave_the_log_after_30_days(db, company, make_receiver, make_endpoint):
    from portal.webhooks.events import emit

    receiver = make_receiver()
    receiver.mode = "error"
    make_endpoint(company, receiver.url)
    emit(company.id, "card.blocked", {"id": 1, "holder_name": "Åsa Öberg"})
    db.session.commit()
    deliver_webhooks()  # fails: waits for its next try
    receiver.mode = "ok"
    emit(company.id, "card.blocked", {"id": 2})
    db.session.commit()
    start = utcnow()
    deliver_webhooks(now=start + timedelta(minutes=1))
    assert [d.state for d in deliveries(db)] == ["delivered", "delivered"]
    deliver_webhooks(now=start + timedelta(days=29))
    assert len(deliveries(db)) == 2
    deliver_webhooks(now=start + timedelta(days=31))
    assert deliveries(db) == []
