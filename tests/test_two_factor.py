"""Two-step sign-in (TOTP): turning it on with a scanned QR code, signing in with a code or a recovery
code, and the attacks: no code, wrong codes, replayed codes, used recovery codes, a stale password step."""
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from portal.security.models import RecoveryCode, TwoFactor
from tests.conftest import PASSWORD, FormClient, html_text


def _secret_on_page(resp) -> str:
    return re.search(r'data-testid="totp-secret">([A-Z2-7]{32})<', resp.get_data(as_text=True)).group(1)


def _enable(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor")
    secret = _secret_on_page(page)
    resp = client.post("/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 200 and "shown only this once" in html_text(resp)
    codes = re.findall(r"<code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>", resp.get_data(as_text=True))
    return secret, codes


def _next_code(secret: str) -> str:
    """A code the server has not seen yet: the next 30-second step (accepted for clock drift)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


@pytest.fixture()
def anna(client, make_user):
    user = make_user(email="anna@x.se", name="Anna")
    client.login("anna@x.se")
    return user


def _password_step(app) -> FormClient:
    fresh = FormClient(app.test_client())
    resp = fresh.post("/login?next=/admin/", {"email": "anna@x.se", "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/code")
    return fresh


def test_setup_page_shows_a_locally_drawn_qr_code(client, anna):
    page = client.get("/account/two-factor")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in body and "Scan this QR code" in html_text(page)
    # Drawn here: no image from a QR service, and the secret stays out of any URL.
    assert not re.search(r'<img[^>]+src="https?://', body) and "otpauth://" not in body
    assert _secret_on_page(client.get("/account/two-factor")) == _secret_on_page(page)  # same until confirmed


def test_enabling_needs_a_right_code(client, db, anna):
    client.get("/account/two-factor")
    resp = client.post("/account/two-factor", {"code": "000000"})
    assert "That code is not right" in html_text(resp)
    assert db.session.scalar(select(TwoFactor)) is None


def test_enable_then_sign_in_asks_for_the_code(app, client, db, anna):
    secret, codes = _enable(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in "".join(stored) for c in codes)  # hashes only
    assert "Manage two-step sign-in" in html_text(client.get("/account"))

    fresh = _password_step(app)
    assert fresh.get("/admin/").status_code == 302  # the password alone does not sign in
    wrong = fresh.post("/login/code", {"code": "123456"})
    assert "That code is not right" in html_text(wrong)
    resp = fresh.post("/login/code", {"code": _next_code(secret)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/")
    assert fresh.get("/admin/").status_code == 200


def test_a_code_cannot_be_used_twice(app, client, anna):
    secret, _codes = _enable(client)
    code = _next_code(secret)
    first = _password_step(app)
    assert first.post("/login/code", {"code": code}).status_code == 302
    replay = _password_step(app)
    assert "That code is not right" in html_text(replay.post("/login/code", {"code": code}))
    assert replay.get("/admin/").status_code == 302


def test_recovery_code_signs_in_once(app, client, db, anna):
    _secret, codes = _enable(client)
    first = _password_step(app)
    assert first.post("/login/code", {"code": codes[0].lower().replace("-", " ")}).status_code == 302
    second = _password_step(app)
    assert "That code is not right" in html_text(second.post("/login/code", {"code": codes[0]}))
    assert db.session.scalar(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))) is not None


def test_code_guessing_is_throttled(app, client, anna):
    secret, _codes = _enable(client)
    attacker = _password_step(app)
    for n in range(10):
        attacker.post("/login/code", {"code": f"{n:06d}"})
    resp = attacker.post("/login/code", {"code": _next_code(secret)})
    assert resp.status_code == 429 and "Try again at" in html_text(resp)
    assert attacker.get("/admin/").status_code == 302


def test_password_step_expires_after_five_minutes(app, client, anna, monkeypatch):
    secret, _codes = _enable(client)
    fresh = _password_step(app)
    later = time.time() + 301
    monkeypatch.setattr("admin_views.two_factor.time.time", lambda: later)
    resp = fresh.post("/login/code", {"code": _next_code(secret)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert fresh.get("/admin/").status_code == 302


def test_code_page_without_password_step_goes_back_to_sign_in(client, db):
    assert client.get("/login/code").headers["Location"].endswith("/login")


def test_turning_off_asks_for_a_code(app, client, db, anna):
    secret, codes = _enable(client)
    client.post("/account/two-factor/disable", {"code": "000000"})
    assert db.session.scalar(select(TwoFactor)) is not None
    resp = client.post("/account/two-factor/disable", {"code": _next_code(secret)}, follow_redirects=True)
    assert "Two-step sign-in is off" in html_text(resp)
    assert db.session.scalar(select(TwoFactor)) is None and db.session.scalar(select(RecoveryCode)) is None
    signed_in = FormClient(app.test_client())
    signed_in.login("anna@x.se")  # the password alone is enough again


def test_new_recovery_codes_replace_the_old_ones(app, client, anna):
    secret, old = _enable(client)
    resp = client.post("/account/two-factor/recovery-codes", {"code": _next_code(secret)})
    new = re.findall(r"<code>([A-Z2-9-]{19})</code>", resp.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    stale = _password_step(app)
    assert "That code is not right" in html_text(stale.post("/login/code", {"code": old[1]}))


def test_operator_can_reset_a_lost_second_factor_from_the_command_line(app, client, db, anna):
    _enable(client)
    result = app.test_cli_runner().invoke(args=["reset-two-factor", "anna@x.se"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(TwoFactor)) is None and db.session.scalar(select(RecoveryCode)) is None
    FormClient(app.test_client()).login("anna@x.se")  # password only again


def test_turning_on_signs_out_sessions_opened_with_the_password_alone(app, client, anna):
    elsewhere = FormClient(app.test_client())
    elsewhere.login("anna@x.se")
    _enable(client)
    assert elsewhere.get("/admin/").status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("setting, operator_must, admin_must", [
    ("operators", True, False), ("admins", True, True), ("none", False, False)])
def test_a_setting_can_require_two_step_sign_in_by_role(app, db, make_company, make_user, monkeypatch,
                                                        setting, operator_must, admin_must):
    monkeypatch.setitem(app.config, "REQUIRE_TWO_FACTOR", setting)
    company = make_company("Nordbygg AB")
    make_user(email="op@x.se", is_operator=True)
    make_user(company, role="admin", email="admin@x.se")
    make_user(company, role="orderer", email="orderer@x.se")
    for email, must in (("op@x.se", operator_must), ("admin@x.se", admin_must), ("orderer@x.se", False)):
        browser = FormClient(app.test_client())
        browser.login(email)
        resp = browser.get("/admin/")
        if must:
            assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/two-factor")
            page = browser.get("/account/two-factor", follow_redirects=True)
            assert "requires two-step sign-in" in html_text(page)
            _enable(browser)
            assert browser.get("/admin/").status_code == 200
        else:
            assert resp.status_code == 200, email
