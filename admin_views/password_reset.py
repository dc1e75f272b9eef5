"""'Forgot password?' for back-office users: ask for a link, then choose a new password with it."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from admin_views.auth import chose_password, throttled_page, user_behind_link
from portal.audit.operations import record
from portal.infra.extensions import db
from portal.infra.web import public_page
from portal.security.forms import SetPasswordForm
from portal.security.password_reset import send_password_reset
from portal.security.throttle import note_failures, retry_at
from portal.tenancy.operations import user_for_invite

bp = Blueprint("password_reset", __name__)
REQUESTS_PER_WINDOW = 5  # per address and per email: enough for a typo, too few to flood a mailbox


class ForgotForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


@bp.route("/forgot", methods=["GET", "POST"])
@public_page
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        keys = (f"reset:ip:{request.remote_addr}", f"reset:email:{email}")
        opens = retry_at(keys, limit=REQUESTS_PER_WINDOW)
        if opens is not None:
            return throttled_page("auth/forgot.html", opens, form=form)
        note_failures(keys)  # every request counts, found or not, so the answer never differs
        send_password_reset(email)
        db.session.commit()
        flash(_("If the address belongs to an account, we have emailed a link to choose a new password. "
                "It works for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public_page
def reset(token: str):
    user = user_behind_link(token, user_for_invite, _(
        "The link has expired or has already been used. Ask for a new one with \"Forgot password?\"."))
    form = SetPasswordForm()
    if form.validate_on_submit() and chose_password(user, form):
        record("user.password_reset", company_id=None, obj=user, user_id=user.id, summary=user.email)
        db.session.commit()
        # Not signed in here: the sign-in page asks for the password and, if on, the two-step code.
        flash(_("Your new password is set. Sign in with it."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, title=_("Choose a new password"),
                           intro=user.email)
