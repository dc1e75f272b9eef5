"""'Forgot password?' for back-office users, and the ways it could be abused: finding out which emails
exist, flooding a mailbox, reusing or outliving the link, choosing a weak password, skipping two-step sign-in."""
import re
from datetime import timedelta
from email.header import decode_header, make_header

import pyotp
from sqlalchemy import func, select

from portal.infra.db_types import utcnow
from portal.outbox.models import OutboxEmail
from portal.outbox.tasks import send_pending_emails
from tests.conftest import FormClient, html_text
from tests.fixtures.servers import body_text

NEW = "mint fox lamp river"


def _reset_path(smtp_server, email: str) -> str:
    send_pending_emails()
    [msg] = smtp_server.wait_for(email)
    return re.search(r"(/reset/[A-Za-z0-9_-]+)", body_text(msg)).group(1)


def test_forgotten_password_is_replaced_through_an_emailed_link(app, client, db, make_user, smtp_server):
    user = make_user(email="anna@x.se")
    other_session = FormClient(app.test_client())
    other_session.login("anna@x.se")
    assert "Forgot password?" in html_text(client.get("/login"))
    resp = client.post("/forgot", {"email": "Anna@X.se"}, follow_redirects=True)
    assert "If the address belongs to an account" in html_text(resp)
    path = _reset_path(smtp_server, "anna@x.se")
    assert "Choose a new password" in html_text(client.get(path))
    assert client.post(path, {"password": NEW, "confirm": NEW}).status_code == 302
    assert client.get(path).status_code == 404  # used up
    client.login("anna@x.se", NEW)
    assert other_session.get("/admin/").status_code == 302  # every old session is signed out
    db.session.refresh(user)
    assert user.invite_token_hash is None


def test_unknown_email_gets_the_same_answer_and_no_email(client, db):
    resp = client.post("/forgot", {"email": "nobody@x.se"}, follow_redirects=True)
    assert "If the address belongs to an account" in html_text(resp)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_reset_requests_are_throttled_so_a_mailbox_cannot_be_flooded(client, db, make_user):
    make_user(email="anna@x.se")
    for _ in range(5):
        client.post("/forgot", {"email": "anna@x.se"})
    resp = client.post("/forgot", {"email": "anna@x.se"})
    assert resp.status_code == 429 and "Try again at" in html_text(resp)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 5


def test_reset_link_expires_after_an_hour_and_refuses_weak_passwords(client, db, make_user, smtp_server):
    user = make_user(email="anna@x.se")
    client.post("/forgot", {"email": "anna@x.se"})
    db.session.commit()
    path = _reset_path(smtp_server, "anna@x.se")
    resp = client.post(path, {"password": "password1234", "confirm": "password1234"})
    assert resp.status_code == 200 and "most common passwords" in html_text(resp)
    db.session.refresh(user)
    user.invite_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post(path, {"password": NEW, "confirm": NEW}).status_code == 404


def test_a_new_link_replaces_the_previous_one(client, db, make_user, smtp_server):
    make_user(email="anna@x.se")
    client.post("/forgot", {"email": "anna@x.se"})
    first = _reset_path(smtp_server, "anna@x.se")
    client.post("/forgot", {"email": "anna@x.se"})
    send_pending_emails()
    second = re.search(r"(/reset/[A-Za-z0-9_-]+)", body_text(smtp_server.wait_for("anna@x.se", count=2)[1])).group(1)
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_reset_does_not_skip_two_step_sign_in(app, client, db, make_user, smtp_server):
    make_user(email="anna@x.se")
    client.login("anna@x.se")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]{32})<',
                       client.get("/account/two-factor").get_data(as_text=True)).group(1)
    client.post("/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    stranger = FormClient(app.test_client())
    stranger.post("/forgot", {"email": "anna@x.se"})
    path = _reset_path(smtp_server, "anna@x.se")
    resp = stranger.post(path, {"password": NEW, "confirm": NEW})
    assert resp.headers["Location"].endswith("/login") and stranger.get("/admin/").status_code == 302
    assert stranger.post("/login", {"email": "anna@x.se", "password": NEW}).headers["Location"].endswith("/login/code")


def test_reset_email_comes_in_the_users_language(client, db, make_user, smtp_server):
    make_user(email="oskar@x.se", language="sv")
    client.post("/forgot", {"email": "oskar@x.se"})
    send_pending_emails()
    [msg] = smtp_server.wait_for("oskar@x.se")
    assert str(make_header(decode_header(msg["Subject"]))) == "Välj ett nytt lösenord för Cardwright"
    assert "en timme" in body_text(msg)


def test_a_reset_link_opened_as_an_invitation_does_not_sign_in(client, db, make_user, smtp_server):
    make_user(email="anna@x.se")
    client.post("/forgot", {"email": "anna@x.se"})
    token = _reset_path(smtp_server, "anna@x.se").rsplit("/", 1)[1]
    resp = client.post(f"/invite/{token}", {"password": NEW, "confirm": NEW})
    assert resp.headers["Location"].endswith(f"/reset/{token}")
    assert client.get("/admin/").status_code == 302


def test_guessing_reset_links_is_throttled_like_every_other_link(client, db, make_user, smtp_server):
    make_user(email="anna@x.se")
    client.post("/forgot", {"email": "anna@x.se"})
    path = _reset_path(smtp_server, "anna@x.se")
    for n in range(10):
        assert client.get(f"/reset/{n}" + "g" * 42).status_code == 404
    assert client.get("/reset/" + "h" * 43).status_code == 429  # this address has guessed enough
    assert client.get(path).status_code == 429
    other = FormClient(client.application.test_client())
    other.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    assert "Choose a new password" in html_text(other.get(path))  # the real link, from elsewhere, still works
