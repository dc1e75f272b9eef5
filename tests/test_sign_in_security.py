"""Attacks on the back-office sign-in: guessing, throttling across workers, session fixation, cookies,
weak passwords on every path that sets one, and signing out everywhere."""
import re

from sqlalchemy import func, select

from portal.tenancy.models import LoginAttempt, User
from tests.conftest import PASSWORD, FormClient, html_text


def _from(app, ip: str) -> FormClient:
    """A client whose requests come from another address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return FormClient(client)


def _fail(client, email, times=10):
    for _ in range(times):
        assert client.post("/login", {"email": email, "password": "wrong guess here"}).status_code == 200


def test_throttled_sign_in_says_when_to_try_again(client, make_user):
    make_user(email="anna@x.se")
    _fail(client, "anna@x.se")
    resp = client.post("/login", {"email": "anna@x.se", "password": PASSWORD})
    assert resp.status_code == 429
    text = html_text(resp)
    assert re.search(r"Try again at \d{1,2}:\d\d\s?(AM|PM)? \(in (14|15) minutes\)", text), text
    assert 14 * 60 <= int(resp.headers["Retry-After"]) <= 15 * 60 + 1
    assert client.get("/admin/").status_code == 302  # the right password did not get in


def test_guessing_one_account_from_many_addresses_is_throttled_per_account(app, client, make_user):
    """The account is locked against passwords alone: even the right one no longer signs in directly
    (the softer way in, by an emailed link, is in test_sign_in_behind_proxies.py)."""
    make_user(email="anna@x.se")
    for n in range(10):
        _fail(_from(app, f"203.0.113.{n}"), "anna@x.se", times=1)
    owner = _from(app, "198.51.100.7")
    resp = owner.post("/login", {"email": "anna@x.se", "password": PASSWORD})
    assert resp.status_code == 200 and "sign-in link" in html_text(resp)
    assert owner.get("/admin/").status_code == 302  # not signed in
    # Another account from a fresh address is not affected.
    make_user(email="bo@x.se")
    assert _from(app, "198.51.100.8").post("/login", {"email": "bo@x.se", "password": PASSWORD}).status_code == 302


def test_one_address_trying_many_accounts_is_throttled_per_address(app, make_user):
    make_user(email="anna@x.se")
    attacker = _from(app, "203.0.113.50")
    for n in range(10):
        _fail(attacker, f"user{n}@x.se", times=1)
    assert attacker.post("/login", {"email": "anna@x.se", "password": PASSWORD}).status_code == 429
    assert _from(app, "203.0.113.51").post("/login", {"email": "anna@x.se", "password": PASSWORD}).status_code == 302


def test_throttling_is_shared_by_every_worker_through_the_database(app, db, make_user):
    """A second application instance (another gunicorn worker) sees the first one's failures."""
    from app import create_app

    make_user(email="anna@x.se")
    _fail(FormClient(app.test_client()), "anna@x.se")
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 20  # per address + per account
    other_worker = create_app({k: app.config[k] for k in (
        "ENV_NAME", "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "STORAGE_DIR", "BASE_URL")})

    @other_worker.route("/_test/csrf")
    def _csrf():
        from flask_wtf.csrf import generate_csrf
        return generate_csrf()

    resp = FormClient(other_worker.test_client()).post("/login", {"email": "anna@x.se", "password": PASSWORD})
    assert resp.status_code == 429
    with other_worker.app_context():
        from portal.infra.extensions import db as other_db
        other_db.engine.dispose()


def test_a_session_planted_before_sign_in_is_not_the_signed_in_session(app, client, make_user):
    make_user(email="anna@x.se")
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted_by_attacker"] = "yes"
    planted_cookie = client.get_cookie("session").value
    client.login("anna@x.se")
    with client.session_transaction() as sess:
        assert "planted_by_attacker" not in sess and "_user_id" in sess
    assert client.get_cookie("session").value != planted_cookie
    attacker = FormClient(app.test_client())
    attacker.set_cookie("session", planted_cookie)
    assert attacker.get("/admin/").status_code == 302  # the attacker's copy is still signed out


def test_cookies_are_secure_httponly_and_samesite_lax_in_production(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.setenv("CARDWRIGHT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.setenv("BASE_URL", "https://cards.example.com")
    prod = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db", "STORAGE_DIR": str(tmp_path)})
    for name in ("SESSION", "REMEMBER"):
        assert prod.config[f"{name}_COOKIE_SECURE"] is True
        assert prod.config[f"{name}_COOKIE_HTTPONLY"] is True
        assert prod.config[f"{name}_COOKIE_SAMESITE"] == "Lax"
    cookie = prod.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with prod.app_context():
        from portal.infra.extensions import db as prod_db
        prod_db.engine.dispose()


def test_development_cookies_work_over_plain_http_but_stay_httponly(app):
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_sign_out_everywhere_ends_every_other_session(app, client, db, make_user):
    user = make_user(email="anna@x.se", name="Anna")
    laptop, phone = FormClient(app.test_client()), FormClient(app.test_client())
    laptop.login("anna@x.se")
    phone.login("anna@x.se")
    stolen_cookie = phone.get_cookie("session").value
    resp = laptop.post("/account/sign-out-everywhere", follow_redirects=True)
    assert "signed out on every other browser" in html_text(resp)
    assert laptop.get("/admin/").status_code == 200
    assert phone.get("/admin/").status_code == 302
    thief = FormClient(app.test_client())
    thief.set_cookie("session", stolen_cookie)
    assert thief.get("/admin/").status_code == 302
    db.session.refresh(user)
    assert user.session_version == 2


def test_common_passwords_are_refused_when_changing_password(client, db, make_user):
    user = make_user(email="anna.berg@x.se", name="Anna Berg")
    client.login("anna.berg@x.se")
    for weak, reason in (("password1234", "most common passwords"), ("annaberg2024", "your name, email address")):
        resp = client.post("/account", {"name": "Anna Berg", "language": "", "current_password": PASSWORD,
                                        "new_password": weak})
        assert resp.status_code == 200 and reason in html_text(resp)
    db.session.refresh(user)
    assert user.session_version == 1  # nothing changed, nobody signed out


def test_wrong_current_password_is_throttled_on_the_account_page(client, make_user):
    make_user(email="anna@x.se", name="Anna")
    client.login("anna@x.se")
    for _ in range(10):
        resp = client.post("/account", {"name": "Anna", "language": "", "current_password": "guess guess",
                                        "new_password": "a brand new sentence"})
        assert "current password is not right" in html_text(resp)
    resp = client.post("/account", {"name": "Anna", "language": "", "current_password": PASSWORD,
                                    "new_password": "a brand new sentence"})
    assert resp.status_code == 429 and "Try again at" in html_text(resp)


def test_invitation_link_refuses_a_common_password(client, db, make_company, make_user):
    from portal.infra.tokens import hash_token
    from portal.tenancy.invitations import invite_user

    company = make_company("Nordbygg AB")
    invite_user(company, "new@x.se", "New Person", "orderer", make_user(company, role="admin"), "en")
    db.session.commit()
    user = db.session.scalar(select(User).where(User.email == "new@x.se"))
    token = "t" * 43
    user.invite_token_hash = hash_token(token)
    db.session.commit()
    resp = client.post(f"/invite/{token}", {"password": "qwertyuiop1", "confirm": "qwertyuiop1"})
    assert resp.status_code == 200 and "Try a short sentence" in html_text(resp)
    assert client.post(f"/invite/{token}", {"password": "mint fox lamp river",
                                            "confirm": "mint fox lamp river"}).status_code == 302


def test_create_operator_refuses_a_common_password(app, db):
    result = app.test_cli_runner().invoke(args=["create-operator", "op@x.se", "--password", "password123"])
    assert result.exit_code != 0 and "most common passwords" in result.output
    assert db.session.scalar(select(User).where(User.email == "op@x.se")) is None


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_is_useless(app, client, db, make_user):
    from portal.security.models import SignedInSession

    make_user(email="anna@x.se")
    client.login("anna@x.se")
    copied = client.get_cookie("session").value
    assert db.session.scalar(select(func.count()).select_from(SignedInSession)) == 1
    client.post("/logout")
    assert db.session.scalar(select(func.count()).select_from(SignedInSession)) == 0
    thief = FormClient(app.test_client())
    thief.set_cookie("session", copied)
    assert thief.get("/admin/").status_code == 302


def test_only_the_session_key_hash_is_stored(client, db, make_user):
    from portal.security.models import SignedInSession

    make_user(email="anna@x.se")
    client.login("anna@x.se")
    with client.session_transaction() as sess:
        key = sess["sid"]
    stored = db.session.scalar(select(SignedInSession.key_hash))
    assert len(key) >= 43 and key not in stored and len(stored) == 64


def test_an_attempt_is_counted_before_the_password_is_checked(app, client, db, make_user, monkeypatch):
    """Parallel guesses (several workers, each busy in scrypt) see each other and cannot slip past the limit."""
    import admin_views.auth as auth_views
    from portal.security.passwords import authenticate

    make_user(email="anna@x.se")
    seen = []

    def authenticate_while_counting(email, password):
        seen.append(db.session.scalar(select(func.count()).select_from(LoginAttempt)
                                      .where(LoginAttempt.key == "login:email:anna@x.se")))
        return authenticate(email, password)

    monkeypatch.setattr(auth_views, "authenticate", authenticate_while_counting)
    _fail(client, "anna@x.se", times=3)
    assert seen == [1, 2, 3]
    client.login("anna@x.se")  # a success removes its own attempt; the three failures stay counted
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)
                             .where(LoginAttempt.key == "login:email:anna@x.se")) == 3
