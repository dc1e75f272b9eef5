"""Flask-Login wiring: a back-office session is valid while its user is active, its version matches
and its server-side session row is live (so signing out anywhere ends it everywhere)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in, user_logged_out

from portal.infra.extensions import db, login_manager
from portal.security import sessions
from portal.tenancy.models import User


def load_user(user_id: str):
    try:
        uid, version = (int(x) for x in user_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    if not sessions.is_live("user", uid):  # signed out in this browser, or a stale copy of the cookie
        return None
    return user


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)

    # Named exception to "the request commits once": the session row must exist before the response
    # that carries its cookie (see ARCHITECTURE.md, Transactions).
    @user_logged_in.connect_via(app)
    def _session_started(_app, user, **_kw):
        sessions.start("user", user.id)
        db.session.commit()

    @user_logged_out.connect_via(app)
    def _session_ended(_app, user, **_kw):
        sessions.end("user")
        db.session.commit()
