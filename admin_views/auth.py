"""Signing in and out, switching company and language, accepting an invitation, own account."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from portal import storage
from portal.audit.operations import record
from portal.extensions import db
from portal.link_guard import link_throttled, note_bad_link
from portal.tenancy.context import current_company
from portal.tenancy.context import switch_company as make_current
from portal.tenancy.forms import AccountForm, LoginForm, SetPasswordForm
from portal.tenancy.models import Company
from portal.tenancy.operations import (
    PasswordError,
    authenticate,
    companies_for,
    is_throttled,
    note_failure,
    role_in,
    set_password,
    user_for_invite,
)

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths: never redirect to another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.app_context_processor
def _switcher():
    return {"switchable_companies": lambda: companies_for(current_user) if current_user.is_authenticated else []}


@bp.route("/")
def home():
    return redirect(url_for("admin.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        keys = (f"login:ip:{request.remote_addr}", f"login:email:{email}")
        if any(is_throttled(k) for k in keys):
            flash(_("Too many failed attempts. Wait 15 minutes and try again."), "error")
            return render_template("auth/login.html", form=form), 429
        user = authenticate(email, form.password.data)
        if user is None:
            for k in keys:
                note_failure(k)
            flash(_("Wrong email or password."), "error")
            return render_template("auth/login.html", form=form), 200
        session.clear()  # a fresh session at sign-in (no fixation)
        login_user(user)
        db.session.commit()
        return redirect(safe_next(request.args.get("next"), url_for("admin.index")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/switch-company", methods=["POST"])
@login_required
def switch_company():
    try:
        company_id = int(request.form.get("company_id", ""))
    except ValueError:
        abort(400)
    if not make_current(company_id):
        abort(404)
    company = current_company()
    flash(_("You are now working in %(company)s.", company=company.name), "info")
    return redirect(safe_next(request.form.get("next"), url_for("admin.index")))



@bp.route("/language", methods=["POST"])
def set_language():
    lang = request.form.get("language", "")
    from flask import current_app

    if lang in current_app.config["LANGUAGES"]:
        session["language"] = lang
        if current_user.is_authenticated and hasattr(current_user, "memberships"):
            current_user.language = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("auth.login")))


@bp.before_app_request
def _session_language():
    if "language" in session and not g.get("locale"):
        g.locale = session["language"]


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    if link_throttled(token):
        abort(429)
    user = user_for_invite(token)
    if user is None:
        note_bad_link(token)
        return render_template(
            "error.html", title=_("This link no longer works"),
            message=_("The invitation has expired or has already been used. Ask your administrator for a new one."),
        ), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data)
        except PasswordError as exc:
            form.password.errors.append(str(exc))
        else:
            record("user.activated", company_id=None, obj=user, user_id=user.id, summary=user.email)
            db.session.commit()
            session.clear()
            login_user(user)
            flash(_("Welcome! Your password is set."), "success")
            return redirect(url_for("admin.index"))
    return render_template(
        "auth/set_password.html", form=form, title=_("Choose your password"),
        intro=_("You have been invited to Cardwright as %(email)s.", email=user.email),
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if request.method == "GET":
        form.language.data = current_user.language or ""
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.language = form.language.data or None
        if form.new_password.data:
            if not current_user.password_hash or not check_password_hash(
                current_user.password_hash, form.current_password.data or ""
            ):
                form.current_password.errors.append(_("The current password is not right."))
                return render_template("auth/set_password.html", form=form, title=_("My account")), 200
            try:
                set_password(current_user, form.new_password.data)
            except PasswordError as exc:
                form.new_password.errors.append(str(exc))
                return render_template("auth/set_password.html", form=form, title=_("My account")), 200
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session; others are signed out
            flash(_("Your password is changed. Other sessions are signed out."), "success")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
        session.pop("language", None)
        return redirect(url_for("auth.account"))
    return render_template("auth/set_password.html", form=form, title=_("My account"))


@bp.route("/company-logo/<int:company_id>.png")
@login_required
def company_logo(company_id: int):
    company = db.session.get(Company, company_id)
    if company is None or not company.logo_key or not role_in(current_user, company):
        abort(404)
    return send_file(storage.path_for(company.logo_key), mimetype="image/png", max_age=300)
