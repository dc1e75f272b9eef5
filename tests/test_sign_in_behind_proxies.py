"""Sign-in behind the README's load balancer: throttles key on the real client (TRUSTED_PROXY_HOPS),
never on a forwarded header the app was not told to trust, and an account locked by others' guesses
still lets its owner in, by a one-time link emailed to the account's address."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.infra.config import ConfigError, load_config
from portal.infra.web import init_proxies
from portal.outbox.models import OutboxEmail
from portal.outbox.tasks import send_pending_emails
from tests.conftest import PASSWORD, FormClient, html_text
from tests.fixtures.servers import body_text

BALANCER = "10.0.0.1"
SIGN_IN_LINK = re.compile(r"(/login/link/[A-Za-z0-9_.-]{20,})")


@pytest.fixture()
def behind_balancer(app, monkeypatch):
    """The app as assembled with TRUSTED_PROXY_HOPS=1; returns a client factory for a given real address."""
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_HOPS", 1)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)
    init_proxies(app)
    assert isinstance(app.wsgi_app, ProxyFix)

    def client_at(address: str, forged: str | None = None) -> FormClient:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = BALANCER  # every request reaches the app from the balancer
        # The balancer appends the address it saw; whatever the client sent itself stays to the left.
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"{forged}, {address}" if forged else address
        return FormClient(client)

    return client_at


def _wrong(client, email):
    return client.post("/login", {"email": email, "password": "wrong guess here"})


def test_ten_bad_guesses_from_one_client_do_not_lock_anyone_else(behind_balancer, make_user):
    make_user(email="anna@x.se")
    make_user(email="bo@x.se")
    for n in range(10):  # one client, many accounts, forging a new "client address" each time
        assert _wrong(behind_balancer("203.0.113.9", forged=f"198.51.100.{n}"), f"user{n}@x.se").status_code == 200
    guesser = behind_balancer("203.0.113.9", forged="192.0.2.77")
    assert guesser.post("/login", {"email": "anna@x.se", "password": PASSWORD}).status_code == 429
    # Everyone else, arriving through the same balancer, signs in as usual.
    assert behind_balancer("198.51.100.20").post("/login", {"email": "anna@x.se", "password": PASSWORD}).status_code == 302
    assert behind_balancer("198.51.100.21").post("/login", {"email": "bo@x.se", "password": PASSWORD}).status_code == 302


def test_without_trusted_proxies_a_forwarded_address_is_not_believed(app, make_user):
    make_user(email="anna@x.se")
    for n in range(10):  # one machine claiming to be ten
        client = FormClient(app.test_client())
        client.environ_base.update(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        _wrong(client, f"user{n}@x.se")
    client = FormClient(app.test_client())
    client.environ_base.update(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client.post("/login", {"email": "anna@x.se", "password": PASSWORD}).status_code == 429


def test_the_owner_of_an_account_locked_by_guessers_gets_in_by_an_emailed_link(app, db, behind_balancer,
                                                                                make_user, smtp_server):
    make_user(email="anna@x.se")
    for n in range(10):  # guesses at Anna's account from ten addresses lock the account
        _wrong(behind_balancer(f"203.0.113.{n}"), "anna@x.se")
    attacker = _wrong(behind_balancer("203.0.113.99"), "anna@x.se")
    owner_browser = behind_balancer("198.51.100.7")  # Anna, from an address never seen before
    owner = owner_browser.post("/login", {"email": "anna@x.se", "password": PASSWORD})
    # The same answer for a wrong and a right password: the lock tells a guesser nothing.
    assert attacker.status_code == owner.status_code == 200
    assert "we have sent a one-time sign-in link" in html_text(owner)
    assert html_text(attacker) == html_text(owner)
    assert owner_browser.get("/admin/").status_code == 302  # not signed in by the password alone
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 1  # only the right password

    send_pending_emails()
    [message] = smtp_server.wait_for("anna@x.se")
    assert message["Subject"] == "Your sign-in link for Cardwright"
    path = SIGN_IN_LINK.search(body_text(message)).group(1)
    assert "Sign in to Cardwright as anna@x.se" in html_text(owner_browser.get(path))  # opening does not sign in
    assert owner_browser.get("/admin/").status_code == 302
    assert owner_browser.post(path).status_code == 302
    assert owner_browser.get("/admin/").status_code == 200  # signed in
    assert behind_balancer("198.51.100.8").post(path).status_code == 404  # once only


def test_a_forged_or_altered_sign_in_link_does_not_work(client, make_user):
    make_user(email="anna@x.se")
    assert client.get("/login/link/eyJ1IjoxLCJmIjoiYWJjIn0.ZZZZZZ.forgedsignature0000").status_code == 404


def test_trusted_proxy_hops_is_read_from_the_environment_and_checked(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "2")
    assert load_config({"ENV_NAME": "testing"})["TRUSTED_PROXY_HOPS"] == 2
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "yes")
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_HOPS"):
        load_config({"ENV_NAME": "testing"})
    monkeypatch.delenv("TRUSTED_PROXY_HOPS")
    assert load_config({"ENV_NAME": "testing"})["TRUSTED_PROXY_HOPS"] == 0  # trust nothing unless told


def test_the_sign_in_link_still_asks_for_the_second_step_when_it_is_on(client, db, make_user):
    import pyotp

    from portal.security.models import TwoFactor

    anna = make_user(email="anna@x.se")
    db.session.add(TwoFactor(user_id=anna.id, secret=pyotp.random_base32()))
    db.session.commit()
    for n in range(10):
        _wrong(_at(client, f"203.0.113.{n}"), "anna@x.se")
    _at(client, "198.51.100.7").post("/login", {"email": "anna@x.se", "password": PASSWORD})
    path = SIGN_IN_LINK.search(db.session.scalar(select(OutboxEmail.body_text))).group(1)
    resp = client.post(path)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/code")
    assert client.get("/admin/").status_code == 302  # the code is still needed


def test_a_sign_in_link_stops_working_when_the_password_changes(client, db, make_user):
    from portal.security.passwords import set_password
    from portal.security.sign_in_link import send_sign_in_link

    anna = make_user(email="anna@x.se")
    send_sign_in_link(anna)
    db.session.commit()
    path = SIGN_IN_LINK.search(db.session.scalar(select(OutboxEmail.body_text))).group(1)
    set_password(anna, "mint fox lamp river")
    db.session.commit()
    assert client.post(path).status_code == 404


def _at(client, address: str) -> FormClient:
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    return FormClient(other)
