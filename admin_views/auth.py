"""Signing in and out, switching company and language, accepting an invitation, own account."""
from __future__ import annotations

import time
from datetime import date
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from portal.audit.operations import record
from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.i18n import choose_language
from portal.infra.web import mark, public_page
from portal.notifications.operations import KINDS, set_wanted_kinds, wanted_kinds
from portal.security.forms import AccountForm, LoginForm, SetPasswordForm
from portal.security.link_guard import link_throttled, note_bad_link
from portal.security.passwords import PasswordError, authenticate, set_password, verify_password
from portal.security.sign_in_link import send_sign_in_link, use_sign_in_link, user_for_sign_in_link
from portal.security.throttle import (
    Attempt,
    note_failures,
    retry_at,
    too_many_attempts,
)
from portal.security.two_factor import two_factor_of
from portal.tenancy.context import current_company
from portal.tenancy.context import switch_company as make_current
from portal.tenancy.invitations import answer_invitation as answer
from portal.tenancy.invitations import pending_invitations
from portal.tenancy.models import Company, Role
from portal.tenancy.operations import find_companies, role_in, user_for_invite

open_before_two_factor = mark("open_before_two_factor")

bp = Blueprint("auth", __name__)
PENDING_TWO_FACTOR = "two_factor_pending"


class ConfirmForm(FlaskForm):
    """A button and its CSRF token."""


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths: never redirect to another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target

# When the accessibility statement was last checked against the product (update it with each review:
# README, "Accessibility").
ACCESSIBILITY_REVIEWED = date(2026, 11, 30)


@bp.app_context_processor
def _switcher():
    # At most SWITCHER_SHOWN companies and whether there are more: the page does not grow with them.
    return {"switchable_companies": lambda: find_companies(current_user) if current_user.is_authenticated else ([], False)}


@bp.route("/")
def home():
    return redirect(url_for("admin.index"))


@bp.route("/accessibility")
@public_page
def accessibility():
    """The accessibility statement (WCAG 2.2 AA): public, linked from every page's footer."""
    return render_template("accessibility.html", contact=current_app.config.get("ACCESSIBILITY_CONTACT", ""),
                           reviewed_on=ACCESSIBILITY_REVIEWED)


@bp.route("/login", methods=["GET", "POST"])
@public_page
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        account_key = f"login:email:{email}"
        attempt = Attempt((f"login:ip:{request.remote_addr}", account_key), soft_keys=(account_key,))
        if attempt.opens_at is not None:  # this address has guessed too often: refused outright
            return throttled_page("auth/login.html", attempt.opens_at, form=form)
        user = authenticate(email, form.password.data)
        if attempt.soft_throttled:  # others have guessed at this account: the way in goes by email
            return locked_account_page(attempt, user, form)
        if user is None:
            attempt.failed()
            flash(_("Wrong email or password."), "error")
            return render_template("auth/login.html", form=form), 200
        attempt.succeeded()
        target = safe_next(request.args.get("next"), url_for("admin.index"))
        if two_factor_of(user) is not None:
            start_second_step(user, target)
            db.session.commit()
            return redirect(url_for("two_factor.sign_in_code"))
        return finish_sign_in(user, target)
    return render_template("auth/login.html", form=form)


def locked_account_page(attempt: Attempt, user, form):
    """The same answer for a right and a wrong password; only the right one emails a sign-in link."""
    if user is None:
        attempt.failed()
    else:
        attempt.succeeded()
        send_sign_in_link(user)
        db.session.commit()
    flash(_("Many wrong passwords have been tried for this account recently, so signing in continues by "
            "email: if the address and password were right, we have sent a one-time sign-in link to the "
            "address. It works for 15 minutes."), "info")
    return render_template("auth/login.html", form=LoginForm(formdata=None, email=form.email.data)), 200


def user_behind_link(token: str, lookup, dead_message: str):
    """The user a personal link in an email names. Guessing is throttled (429); a dead link gets a page
    that says so (404) and counts as a bad guess."""
    if link_throttled(token):
        abort(429)
    user = lookup(token)
    if user is None:
        note_bad_link(token)
        abort(make_response(render_template("error.html", title=_("This link no longer works"),
                                            message=dead_message), 404))
    return user


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@public_page
def sign_in_link(token: str):
    """The emailed one-time sign-in link. Opening it shows a button (mail scanners open links too);
    pressing it signs in, through the second step when it is on."""
    user = user_behind_link(token, user_for_sign_in_link, _(
        "The sign-in link has expired or has already been used. Sign in again with your password."))
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_in_link.html", form=form, email=user.email)
    use_sign_in_link(user)
    target = url_for("admin.index")
    if two_factor_of(user) is not None:
        start_second_step(user, target)
        db.session.commit()
        return redirect(url_for("two_factor.sign_in_code"))
    return finish_sign_in(user, target)


def throttled_page(template: str, opens, **context):
    """The page again with 429, saying when the next attempt is let through."""
    return too_many_attempts(opens, lambda: render_template(template, **context))


def fresh_session() -> None:
    """Drop everything from before sign-in (no session fixation); only the chosen language stays."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


def start_second_step(user, target: str) -> None:
    """Password right and two-factor on: remember who, for 5 minutes, until the code is typed."""
    fresh_session()
    session[PENDING_TWO_FACTOR] = {"uid": user.id, "v": user.session_version, "at": int(time.time()), "next": target}


def finish_sign_in(user, target: str):
    fresh_session()
    login_user(user)
    if session.get("language"):  # chosen on the sign-in page: the user's language from now on (emails too)
        user.language = session["language"]
    db.session.commit()
    return redirect(target)


@bp.route("/logout", methods=["POST"])
@open_before_two_factor
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """Every other browser and device where this user is signed in is signed out; this one stays."""
    user = current_user._get_current_object()
    user.session_version += 1
    record("user.signed_out_everywhere", company_id=None, obj=user, user_id=user.id, summary=user.email)
    db.session.commit()
    login_user(user)
    flash(_("You are signed out on every other browser and device."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/switch-company", methods=["GET"])
@login_required
def find_company():
    """The switcher's search: companies whose name contains what was typed, each a button to switch."""
    search = request.args.get("q", "")[:200]
    companies, more = find_companies(current_user, search, limit=50)
    frame = current_app.extensions["admin"][0].index_view
    return frame.render("admin/find_company.html", companies=companies, more=more, search=search,
                        page_title=_("Switch company"))


@bp.route("/switch-company", methods=["POST"])
@login_required
def switch_company():
    try:
        company_id = int(request.form.get("company_id", ""))
    except ValueError:
        abort(400)
    if not make_current(company_id):
        abort(404)
    db.session.commit()  # remembers the choice for the next sign-in
    company = current_company()
    flash(_("You are now working in %(company)s.", company=company.name), "info")
    return redirect(safe_next(request.form.get("next"), url_for("admin.index")))



@bp.route("/language", methods=["POST"])
@open_before_two_factor
def set_language():
    lang = request.form.get("language", "")
    if choose_language(lang):
        if current_user.is_authenticated and hasattr(current_user, "memberships"):
            current_user.language = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("auth.login")))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public_page
def accept_invite(token: str):
    user = user_behind_link(token, user_for_invite, _(
        "The invitation has expired or has already been used. Ask your administrator for a new one."))
    if user.password_hash:
        # A password-reset link: it must never sign in by itself (two-step sign-in would be skipped).
        return redirect(url_for("password_reset.reset", token=token))
    form = SetPasswordForm()
    if form.validate_on_submit() and chose_password(user, form):
        record("user.activated", company_id=None, obj=user, user_id=user.id, summary=user.email)
        db.session.commit()
        fresh_session()
        login_user(user)
        flash(_("Welcome! Your password is set."), "success")
        return redirect(url_for("admin.index"))
    return render_template(
        "auth/set_password.html", form=form, title=_("Choose your password"),
        intro=_("You have been invited to Cardwright as %(email)s.", email=user.email),
    )


def chose_password(user, form) -> bool:
    """Set the password from a SetPasswordForm; False with the reason on the field when a rule says no."""
    try:
        set_password(user, form.password.data)  # also signs out every other session of the user
    except PasswordError as exc:
        db.session.rollback()
        form.password.errors.append(str(exc))
        return False
    return True


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if request.method == "GET":
        form.language.data = current_user.language or ""
    if not form.validate_on_submit():
        return _account_page(form)
    user = current_user._get_current_object()
    if form.new_password.data:
        keys = (f"password-change:user:{user.id}",)
        opens = retry_at(keys)
        if opens is not None:
            return too_many_attempts(opens, lambda: _account_page(form))
        if not verify_password(user.password_hash, form.current_password.data):
            note_failures(keys)
            form.current_password.errors.append(_("The current password is not right."))
            return _account_page(form)
        try:
            set_password(user, form.new_password.data)
        except PasswordError as exc:
            db.session.rollback()
            form.new_password.errors.append(str(exc))
            return _account_page(form)
        flash(_("Your password is changed. Other sessions are signed out."), "success")
    else:
        flash(_("Saved."), "success")
    user.name = form.name.data.strip()
    user.language = form.language.data or None
    db.session.commit()
    login_user(user)  # keeps this session valid when the password change signed out the others
    session.pop("language", None)
    return redirect(url_for("auth.account"))


def _account_page(form):
    """My account in the back office's frame (drawn by the admin's index view: menu, company, user menu)."""
    frame = current_app.extensions["admin"][0].index_view
    return frame.render("admin/account.html", form=form, page_title=_("My account"),
                        two_factor=two_factor_of(current_user), invitations=pending_invitations(current_user),
                        roles=Role, notification_kinds=KINDS, wanted=wanted_kinds(current_user))


@bp.route("/account/notifications", methods=["POST"])
@login_required
def notifications():
    """Which emails the user gets (My account > Emails I get)."""
    set_wanted_kinds(current_user._get_current_object(), request.form.getlist("kind"))
    db.session.commit()
    flash(_("Your email choices are saved."), "success")
    return redirect(url_for("auth.account") + "#notifications")


@bp.route("/account/invitations/<int:membership_id>", methods=["POST"])
@login_required
def answer_invitation(membership_id: int):
    """The signed-in account accepts or declines a company's invitation (its own invitations only)."""
    accept = request.form.get("decision") == "accept"
    try:
        company_name = answer(current_user._get_current_object(), membership_id, accept).name
    except LookupError:
        abort(404)
    db.session.commit()
    flash(_("You now also work for %(company)s: choose it in the company menu.", company=company_name) if accept
          else _("You declined the invitation from %(company)s.", company=company_name), "success")
    return redirect(url_for("auth.account"))


@bp.route("/company-logo/<int:company_id>.png")
@login_required
def company_logo(company_id: int):
    company = db.session.get(Company, company_id)
    if company is None or not company.logo_key or not role_in(current_user, company):
        abort(404)
    return storage.send(company.logo_key, mimetype="image/png", max_age=300)
