"""Attacks on the customer-portal sign-in and its password paths: throttling per account and per
address, session rotation, weak passwords (customer, reset link, operator), signing out everywhere."""
import re

import pytest
from sqlalchemy import select

from portal.customers.models import PortalAccount
from portal.infra.tokens import hash_token
from portal.security.passwords import hash_password
from portal.tenancy.models import User
from tests.conftest import FormClient, html_text
from tests.customers.conftest import PASSWORD
from tests.customers.test_portal import _login


def _from(app, ip: str) -> FormClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return FormClient(client)


def test_throttled_portal_sign_in_says_when_to_try_again(client, portal):
    for _ in range(10):
        _login(client, password="wrong wrong")
    resp = _login(client)
    assert resp.status_code == 429
    assert re.search(r"Try again at .+ \(in (14|15) minutes\)", html_text(resp))
    assert int(resp.headers["Retry-After"]) > 60
    assert client.get("/portal/").status_code == 302


def test_portal_throttles_per_account_across_addresses_and_per_address_across_accounts(app, portal):
    for n in range(10):
        _login(_from(app, f"203.0.113.{n}"), password="wrong wrong")
    assert _login(_from(app, "198.51.100.1")).status_code == 429  # the account is locked for now
    attacker = _from(app, "203.0.113.99")
    for n in range(10):
        _login(attacker, username=f"guess{n}", password="wrong wrong")
    assert _login(attacker, username="someone-else").status_code == 429


def test_portal_session_is_new_after_sign_in(app, client, portal):
    client.get("/portal/login")
    with client.session_transaction() as sess:
        sess["planted_by_attacker"] = "yes"
    planted = client.get_cookie("session").value
    assert _login(client).status_code == 302
    with client.session_transaction() as sess:
        assert "planted_by_attacker" not in sess
    attacker = FormClient(app.test_client())
    attacker.set_cookie("session", planted)
    assert attacker.get("/portal/").status_code == 302


def test_portal_sign_out_everywhere_ends_other_sessions(app, client, portal):
    other = FormClient(app.test_client())
    assert _login(client).status_code == 302 and _login(other).status_code == 302
    resp = client.post("/portal/sign-out-everywhere", follow_redirects=True)
    assert "signed out on every other browser" in html_text(resp)
    assert client.get("/portal/").status_code == 200
    assert other.get("/portal/").status_code == 302


def test_portal_sign_out_forgets_the_account(client, portal):
    assert _login(client).status_code == 302
    client.post("/portal/logout")
    with client.session_transaction() as sess:
        assert "portal_account" not in sess
    assert client.get("/portal/").status_code == 302


def test_customer_cannot_choose_a_common_or_personal_password(client, db, portal):
    _login(client)
    for weak, reason in (("password123", "most common passwords"), ("nordbygg2024", "your name, email address")):
        resp = client.post("/portal/password", {"current": PASSWORD, "password": weak, "confirm": weak})
        assert resp.status_code == 200 and reason in html_text(resp)
    assert _login(FormClient(client.application.test_client())).status_code == 302  # old password still works


def test_reset_link_refuses_a_common_password(client, db, portal):
    settings, company, right, account = portal
    from portal.customers.operations import email_login_details

    email_login_details(account)
    token = "r" * 43
    account.set_password_token_hash = hash_token(token)
    db.session.commit()
    resp = client.post(f"/portal/set-password/{token}", {"password": "iloveyou1", "confirm": "iloveyou1"})
    assert resp.status_code == 200 and "most common passwords" in html_text(resp)
    assert client.post(f"/portal/set-password/{token}", {"password": "mint fox lamp",
                                                         "confirm": "mint fox lamp"}).status_code == 302


def test_operator_cannot_give_a_customer_a_common_password(client, db, portal):
    settings, company, right, account = portal
    db.session.add(User(email="op@x.se", name="Op", is_operator=True, password_hash=hash_password(PASSWORD)))
    db.session.commit()
    client.login("op@x.se", PASSWORD)
    resp = client.post("/admin/portal/accounts/save", {"company_id": company.id, "username": "site-manager",
                                                      "access_right_id": right.id, "password": "123456789"},
                       follow_redirects=True)
    assert "most common passwords" in html_text(resp)
    assert db.session.scalar(select(PortalAccount).where(PortalAccount.username == "site-manager")) is None


def test_wrong_current_password_is_throttled_in_the_portal(client, portal):
    _login(client)
    for _ in range(10):
        client.post("/portal/password", {"current": "guess", "password": "mint fox lamp", "confirm": "mint fox lamp"})
    resp = client.post("/portal/password", {"current": PASSWORD, "password": "mint fox lamp",
                                            "confirm": "mint fox lamp"})
    assert resp.status_code == 429 and "Try again at" in html_text(resp)


def test_unknown_username_costs_one_password_check_like_a_known_one(db, portal, monkeypatch):
    """Timing must not reveal which usernames exist: both paths run exactly one scrypt check, no hashing."""
    import portal.customers.operations as ops
    import portal.security.passwords as pw
    from portal.customers.operations import authenticate

    pw._dummy_hash()  # made once per process, not per attempt
    checks = []
    real_check = pw.check_password_hash
    monkeypatch.setattr(pw, "check_password_hash", lambda h, p: checks.append(h) or real_check(h, p))
    monkeypatch.setattr(ops, "hash_password", lambda *_: pytest.fail("hashing on the sign-in path"))
    assert authenticate("nobody-here", "whatever pw") is None
    assert authenticate("nordbygg", "whatever pw") is None
    assert len(checks) == 2 and all(h.startswith("scrypt:") for h in checks)


def test_throttle_message_in_swedish(client, portal):
    for _ in range(10):
        _login(client, password="wrong wrong")
    client.get("/portal/login?lang=sv")
    resp = client.post("/portal/login", {"username": "nordbygg", "password": PASSWORD})
    assert resp.status_code == 429
    assert re.search(r"Försök igen kl\. \d{1,2}:\d\d \(om (14|15) minuter\)", html_text(resp))


def test_forgot_password_cannot_flood_a_customers_mailbox_from_many_addresses(app, db, portal):
    from sqlalchemy import func

    from portal.outbox.models import OutboxEmail

    for n in range(8):
        resp = _from(app, f"203.0.113.{n}").post("/portal/forgot", {"name": "nordbygg"}, follow_redirects=True)
        assert "If the account exists" in html_text(resp)  # the same answer every time
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 5


def test_portal_sign_out_makes_a_copied_cookie_useless(app, client, portal):
    assert _login(client).status_code == 302
    copied = client.get_cookie("session").value
    client.post("/portal/logout")
    thief = FormClient(app.test_client())
    thief.set_cookie("session", copied)
    assert thief.get("/portal/").status_code == 302
