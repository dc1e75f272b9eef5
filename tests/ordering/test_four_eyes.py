"""Four-eyes approval (issue 12.8): when the company requires approval, the orderer of an order never
approves it (a company admin neither), the settings page says so and warns when nobody else may approve,
and approvers are emailed when an order waits."""
from __future__ import annotations

from email import message_from_string, policy

import pytest
from sqlalchemy import select

from portal.ordering.checkout import approve_order, place_order
from portal.ordering.models import Order
from portal.ordering.operations import OrderingError, add_accessory_to_cart
from portal.outbox.models import OutboxEmail
from portal.outbox.tasks import send_pending_emails
from portal.tenancy.models import Membership
from tests.conftest import html_text
from tests.fixtures.servers import body_text


@pytest.fixture()
def approving(shop, make_user, db):
    """Nordbygg requires approval; Anna is company admin (and orders too), Bo is an approver."""
    company, orderer, ct, acc, addr = shop
    company.requires_order_approval = True
    db.session.commit()
    anna = make_user(company, role="admin", email="anna@nordbygg.se", name="Anna", language="sv")
    bo = make_user(company, role="approver", email="bo@nordbygg.se", name="Bo", language="en")
    return company, orderer, anna, bo, acc, addr


def _subject(msg) -> str:
    return str(message_from_string(msg.as_string(), policy=policy.default)["Subject"])


def _order_by(user, company, acc, addr, db) -> Order:
    add_accessory_to_cart(company, user, acc.id, 1)
    order = place_order(company, user, address_id=addr.id)
    db.session.commit()
    return order


def test_company_admin_cannot_approve_their_own_order_another_approver_can(client, db, approving):
    company, orderer, anna, bo, acc, addr = approving
    order = _order_by(anna, company, acc, addr, db)
    assert order.status == "awaiting_approval"

    client.login(anna.email)
    own = client.get("/admin/approvals/").get_data(as_text=True)
    assert 'data-testid="own-order"' in own and 'value="approve"' not in own  # no Approve button on her own order
    resp = client.post("/admin/approvals/decide", {"id": order.id, "decision": "approve"})
    assert resp.status_code == 302
    page = html_text(client.get("/admin/approvals/"))  # Anna reads Swedish
    assert "Du lade själv den här beställningen, så någon annan måste godkänna den" in page
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "awaiting_approval"

    client.post("/logout")
    client.login(bo.email)
    assert client.post("/admin/approvals/decide", {"id": order.id, "decision": "approve"}).status_code == 302
    db.session.expire_all()
    approved = db.session.get(Order, order.id)
    assert approved.status == "placed" and approved.approved_by_id == bo.id


def test_the_orderer_never_approves_their_own_order(db, approving):
    company, orderer, anna, bo, acc, addr = approving
    mine = _order_by(anna, company, acc, addr, db)
    with pytest.raises(OrderingError, match="someone else must approve"):
        approve_order(company, anna, mine)
    theirs = _order_by(orderer, company, acc, addr, db)
    approve_order(company, anna, theirs)  # an admin approves someone else's order
    db.session.commit()
    assert theirs.status == "placed"


def test_approvers_are_emailed_when_an_order_waits(db, approving, make_user, smtp_server):
    company, orderer, anna, bo, acc, addr = approving
    gone = make_user(company, role="approver", email="gone@nordbygg.se", name="Gone")
    db.session.execute(Membership.__table__.update().where(Membership.user_id == gone.id).values(active=False))
    make_user(company, role="viewer", email="viewer@nordbygg.se")
    order = _order_by(orderer, company, acc, addr, db)
    waiting = list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "order_awaiting_approval")))
    assert sorted(e.to for e in waiting) == ["anna@nordbygg.se", "bo@nordbygg.se"]

    send_pending_emails()
    [to_anna] = smtp_server.wait_for("anna@nordbygg.se")
    [to_bo] = smtp_server.wait_for("bo@nordbygg.se")
    assert _subject(to_bo) == f"Order {order.number} waits for your approval"
    assert "Oskar placed order" in body_text(to_bo) and "/admin/approvals/" in body_text(to_bo)
    assert _subject(to_anna) == f"Beställning {order.number} väntar på ditt godkännande"
    assert "Oskar har lagt beställning" in body_text(to_anna)


def test_the_admins_own_order_is_announced_to_the_other_approvers_only(db, approving):
    company, orderer, anna, bo, acc, addr = approving
    _order_by(anna, company, acc, addr, db)
    to = list(db.session.scalars(select(OutboxEmail.to).where(OutboxEmail.kind == "order_awaiting_approval")))
    assert to == ["bo@nordbygg.se"]


def test_settings_page_explains_four_eyes_and_warns_without_a_second_approver(client, db, shop, make_user):
    company, orderer, ct, acc, addr = shop
    anna = make_user(company, role="admin", email="anna@nordbygg.se", name="Anna")
    client.login(anna.email)
    page = html_text(client.get("/admin/company/settings/?lang=en"))
    assert "the person who placed an order cannot approve it, not even a company admin" in page
    assert "Only one person in this company may approve orders" in page

    make_user(company, role="approver", email="bo@nordbygg.se", name="Bo")
    page = html_text(client.get("/admin/company/settings/?lang=en"))
    assert "Only one person in this company may approve orders" not in page
