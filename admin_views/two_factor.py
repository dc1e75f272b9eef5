"""Two-step sign-in screens: the code after the password, and turning it on or off on one's own account."""
from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from admin_views.auth import PENDING_TWO_FACTOR, finish_sign_in, throttled_page
from portal.infra.extensions import db
from portal.infra.web import mark, page_mark, public_page
from portal.security import two_factor as tf
from portal.security.throttle import Attempt, note_failures, retry_at
from portal.tenancy.models import Membership, Role, User

bp = Blueprint("two_factor", __name__)
SETUP_KEY = "two_factor_setup"
PENDING_SECONDS = 300


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("6 digits from your authenticator app, or one of your recovery codes."))


def _pending_user() -> User | None:
    pending = session.get(PENDING_TWO_FACTOR) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.active or user.session_version != pending.get("v"):
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@public_page
def sign_in_code():
    user = _pending_user()
    if user is None:
        session.pop(PENDING_TWO_FACTOR, None)
        flash(_("Sign in again: the code step waits at most 5 minutes."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        attempt = Attempt((f"login:ip:{request.remote_addr}", f"two-factor:user:{user.id}"))
        if attempt.opens_at is not None:
            return throttled_page("auth/two_factor_login.html", attempt.opens_at, form=form)
        if tf.verify(user, form.code.data):
            attempt.succeeded()
            return finish_sign_in(user, session[PENDING_TWO_FACTOR].get("next") or url_for("admin.index"))
        db.session.rollback()
        attempt.failed()
        form.code.errors.append(_("That code is not right. Type the 6 digits your app shows now."))
    return render_template("auth/two_factor_login.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user._get_current_object()
    factor = tf.two_factor_of(user)
    form = CodeForm()
    if factor is not None:
        return render_template("auth/two_factor.html", factor=factor, form=form,
                               codes_left=tf.unused_recovery_codes(user))
    secret = session.get(SETUP_KEY) or tf.new_secret()
    session[SETUP_KEY] = secret
    if form.validate_on_submit():
        opens = _code_throttle(user)
        if opens is not None:
            return throttled_page("auth/two_factor.html", opens, factor=None, form=form, secret=secret,
                                  qr=tf.qr_code_svg(secret, user.email))
        try:
            codes = tf.enable(user, secret, form.code.data)
        except tf.TwoFactorError as exc:
            note_failures((f"two-factor:user:{user.id}",))
            form.code.errors.append(str(exc))
        else:
            user.session_version += 1  # sessions opened with the password alone end here
            db.session.commit()
            login_user(user)
            session.pop(SETUP_KEY, None)
            flash(_("Two-step sign-in is on. Signing in now asks for a code from your app."), "success")
            return render_template("auth/two_factor_codes.html", codes=codes)
    return render_template("auth/two_factor.html", factor=None, form=form, secret=secret,
                           qr=tf.qr_code_svg(secret, user.email))


@bp.route("/account/two-factor/disable", methods=["POST"], defaults={"action": "disable"})
@bp.route("/account/two-factor/recovery-codes", methods=["POST"], defaults={"action": "recovery-codes"})
@login_required
def change(action: str):
    """Turning it off or making new recovery codes asks for a current code first."""
    user = current_user._get_current_object()
    form = CodeForm()
    if tf.two_factor_of(user) is None or not form.validate_on_submit():
        return redirect(url_for(".settings"))
    opens = _code_throttle(user)
    if opens is not None:
        return throttled_page("auth/two_factor.html", opens, factor=tf.two_factor_of(user), form=form,
                              codes_left=tf.unused_recovery_codes(user))
    if not tf.verify(user, form.code.data):
        db.session.rollback()
        note_failures((f"two-factor:user:{user.id}",))
        flash(_("That code is not right. Type a code from your app or a recovery code."), "error")
        return redirect(url_for(".settings"))
    if action == "disable":
        tf.disable_verified(user)
        db.session.commit()
        flash(_("Two-step sign-in is off. Signing in asks only for your password."), "info")
        return redirect(url_for("auth.account"))
    codes = tf.new_recovery_codes(user)
    db.session.commit()
    return render_template("auth/two_factor_codes.html", codes=codes)


# What a user who must still turn on two-step sign-in can reach: pages marked open_before_two_factor
# (this blueprint, signing out, the language switch, the employee and customer pages), static files
# and app-level routes outside any blueprint.
mark("open_before_two_factor")(bp)


@bp.before_app_request
def _require_two_factor():
    """With REQUIRE_TWO_FACTOR set, operators (and company admins) turn it on before anything else."""
    required = current_app.config.get("REQUIRE_TWO_FACTOR", "none")
    if (required not in ("operators", "admins") or request.blueprint is None
            or (request.endpoint or "").endswith("static") or page_mark("open_before_two_factor", False)):
        return None
    if not current_user.is_authenticated or not isinstance(current_user._get_current_object(), User):
        return None
    user = current_user._get_current_object()
    must = user.is_operator or (required == "admins" and is_admin_anywhere(user))
    if must and tf.two_factor_of(user) is None:
        flash(_("Your organisation requires two-step sign-in for your role. Turn it on to continue."), "info")
        return redirect(url_for("two_factor.settings"))
    return None


def is_admin_anywhere(user: User) -> bool:
    return db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.role == Role.ADMIN.value, Membership.active.is_(True)).limit(1)) \
        is not None


def _code_throttle(user: User):
    return retry_at((f"two-factor:user:{user.id}",))
