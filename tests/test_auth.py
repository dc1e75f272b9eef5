"""Signing in, throttling, switching company, invitations and account settings."""
from sqlalchemy import select

from portal.outbox.tasks import send_pending_emails
from portal.tenancy.models import User
from tests.conftest import html_text
from tests.fixtures.servers import body_text


def test_sign_in_with_right_password_opens_dashboard(client, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, email="anna@nordbygg.se")
    client.login("anna@nordbygg.se")
    page = client.get("/admin/", follow_redirects=True)
    assert page.status_code == 200
    assert "Nordbygg AB" in html_text(page)


def test_wrong_password_is_refused_with_a_message(client, make_user):
    make_user(email="anna@x.se")
    resp = client.post("/login", {"email": "anna@x.se", "password": "wrong password"})
    assert resp.status_code == 200
    assert "Wrong email or password" in html_text(resp)
    assert client.get("/admin/").status_code == 302  # still signed out


def test_password_is_stored_only_as_a_hash(db, make_user):
    user = make_user(password="correct horse battery")
    assert "correct horse" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")


def test_repeated_failures_are_throttled(client, make_user):
    make_user(email="anna@x.se")
    for _ in range(10):
        client.post("/login", {"email": "anna@x.se", "password": "nope nope nope"})
    resp = client.post("/login", {"email": "anna@x.se", "password": "correct horse battery"})
    assert resp.status_code == 429
    assert "Too many failed attempts" in html_text(resp)


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user(email="anna@x.se")
    resp = client.post("/login", {"email": "anna@x.se", "password": "correct horse battery"}, csrf=False)
    assert resp.status_code == 400


def test_user_switches_between_own_companies_only(client, make_company, make_user):
    a, b, other = make_company("Alfa AB"), make_company("Beta AB"), make_company("Gamma AB")
    user = make_user(a, role="admin", email="anna@x.se")
    from portal.infra.extensions import db
    from portal.tenancy.models import Membership

    db.session.add(Membership(user_id=user.id, company_id=b.id, role="orderer"))
    db.session.commit()
    client.login("anna@x.se")
    resp = client.post("/switch-company", {"company_id": b.id, "next": "/admin/"}, follow_redirects=True)
    assert "You are now working in Beta AB" in html_text(resp)
    assert client.post("/switch-company", {"company_id": other.id}).status_code == 404


def test_redirect_after_login_never_leaves_the_site(client, make_user):
    make_user(email="anna@x.se")
    resp = client.post("/login?next=https://evil.example/x", {"email": "anna@x.se", "password": "correct horse battery"})
    assert resp.headers["Location"].endswith("/admin/")


def test_invited_user_gets_email_and_sets_password(client, db, make_company, make_user, smtp_server):
    from portal.tenancy.invitations import invite_user

    company = make_company("Nordbygg AB")
    admin = make_user(company, role="admin")
    invite_user(company, "New.Person@Example.com", "New Person", "orderer", admin, "en")
    db.session.commit()
    assert send_pending_emails()["sent"] == 1
    [msg] = smtp_server.wait_for("new.person@example.com")
    assert "Nordbygg AB" in msg["Subject"]
    link = next(w for w in body_text(msg).split() if "/invite/" in w)
    path = link.split("127.0.0.1:5000", 1)[1]
    page = client.get(path)
    assert "Choose your password" in html_text(page)
    resp = client.post(path, {"password": "a good long password", "confirm": "a good long password"})
    assert resp.status_code == 302
    # The link is used up.
    assert client.get(path).status_code == 404
    user = db.session.scalar(select(User).where(User.email == "new.person@example.com"))
    assert user.password_hash and user.invite_token_hash is None


def test_password_change_signs_out_other_sessions(app, client, make_user):
    make_user(email="anna@x.se", name="Anna")
    other = type(client)(app.test_client())
    other.login("anna@x.se")
    client.login("anna@x.se")
    resp = client.post("/account", {"name": "Anna", "language": "", "current_password": "correct horse battery",
                                    "new_password": "another long password"})
    assert resp.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert other.get("/admin/").status_code == 302


def test_production_without_secret_key_fails_at_start(monkeypatch):
    import pytest

    from app import create_app
    from portal.infra.config import ConfigError

    monkeypatch.setenv("CARDWRIGHT_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
