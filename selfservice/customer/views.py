"""The customer portal: sign-in, overview, jobs, invoices, resources, requests, password."""
from __future__ import annotations

from functools import wraps

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.cards.models import Card, CardStatus
from portal.customers.models import CustomerRequest, PortalAccount, ResourceFile
from portal.customers.operations import (
    PortalError,
    account_for_token,
    authenticate,
    file_visible_to,
    forgot_password,
    human_size,
    may_see,
    new_customer_request,
    portal_settings,
    set_account_language,
    set_account_password,
    visible_files,
)
from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.i18n import choose_language, use_page_language
from portal.infra.web import field_limits
from portal.ordering.models import Invoice, InvoiceLine, Order, OrderStatus
from portal.security import sessions
from portal.security.link_guard import link_throttled, note_bad_link
from portal.security.passwords import verify_password
from portal.security.throttle import (
    Attempt,
    note_failures,
    retry_at,
    too_many_attempts,
)
from portal.tenancy.operations import is_throttled
from selfservice.customer.blueprint import bp

KEY = "portal_account"
OPEN = [OrderStatus.AWAITING_APPROVAL.value, OrderStatus.PLACED.value, OrderStatus.IN_PRODUCTION.value,
        OrderStatus.READY.value, OrderStatus.SHIPPED.value]


@bp.before_request
def _portal_on():
    g.portal = portal_settings()
    if not g.portal.enabled:
        abort(404)
    g.account = _current_account()
    if g.account is not None:
        use_page_language(g.account.reads)  # its own choice, else its company's language


def _current_account() -> PortalAccount | None:
    raw = session.get(KEY, "")
    try:
        account_id, version = (int(x) for x in raw.split(":"))
    except ValueError:
        return None
    account = db.session.get(PortalAccount, account_id)
    if account is None or not account.active or account.session_version != version:
        return None
    if not sessions.is_live("portal", account.id):  # signed out in this browser, or a stale cookie copy
        return None
    return account


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.account is None:
            return redirect(url_for("customer.login", next=request.path))
        return view(*args, **kwargs)
    return wrapper


def section(name: str):
    def deco(view):
        @wraps(view)
        @signed_in
        def wrapper(*args, **kwargs):
            if not may_see(g.account, name, g.portal):
                abort(404)
            return view(*args, **kwargs)
        return wrapper
    return deco


@bp.app_context_processor
def _menu():
    def can(name: str) -> bool:
        account = g.get("account")
        return bool(account) and may_see(account, name, g.get("portal"))
    from portal.customers.models import CustomerRequestStatus
    from portal.ordering.models import InvoiceStatus, OrderStatus

    return {"portal_can": can, "OrderStatus": OrderStatus, "InvoiceStatus": InvoiceStatus,
            "CustomerRequestStatus": CustomerRequestStatus, "human_size": human_size}


@bp.route("/login", methods=["GET", "POST"])
@field_limits(username=80, password=200)
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()[:80]
        attempt = Attempt((f"portal:ip:{request.remote_addr}", f"portal:user:{username}"))
        if attempt.opens_at is not None:
            return _throttled("customer/login.html", attempt.opens_at)
        account = authenticate(username, request.form.get("password", ""))
        if account is None or account.access_right is None:
            attempt.failed()
            flash(_("Wrong username or password."), "error")
            return render_template("customer/login.html"), 200
        attempt.succeeded()
        language = session.get("language")
        session.clear()  # a new session at sign-in
        if language:
            session["language"] = language
        session[KEY] = f"{account.id}:{account.session_version}"
        sessions.start("portal", account.id)
        db.session.commit()
        return redirect(_home(account))
    return render_template("customer/login.html")


def _throttled(template: str, opens, **context):
    return too_many_attempts(opens, lambda: render_template(template, **context))


HOME_ORDER = [("overview", "customer.overview"), ("jobs", "customer.jobs"), ("invoices", "customer.invoices"),
              ("resources", "customer.resources"), ("requests", "customer.requests_")]


def _home(account: PortalAccount) -> str:
    """The first section this account may see (the overview may be switched off), else the password page."""
    for name, endpoint in HOME_ORDER:
        if may_see(account, name, g.portal):
            return url_for(endpoint)
    return url_for("customer.password")


@bp.route("/language", methods=["POST"])
@field_limits(language=10, next=500)
def set_language():
    """The language menu: this browser's choice, and the signed-in account's from now on (its emails too)."""
    language = request.form.get("language", "")
    if choose_language(language) and g.account is not None:
        set_account_language(g.account, language)
        db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/portal") and "//" not in target else url_for("customer.login"))


@bp.route("/logout", methods=["POST"])
def logout():
    sessions.end("portal")
    db.session.commit()
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    flash(_("You are signed out."), "info")
    return redirect(url_for("customer.login"))


@bp.route("/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    """Every other browser signed in to this account has to sign in again; this one stays."""
    g.account.session_version = (g.account.session_version or 1) + 1
    db.session.commit()
    session[KEY] = f"{g.account.id}:{g.account.session_version}"
    flash(_("You are signed out on every other browser and device."), "success")
    return redirect(url_for("customer.password"))


@bp.route("/logo.png")
def logo():
    return storage.send(g.portal.logo_key, mimetype="image/png", max_age=3600)


@bp.route("/forgot", methods=["GET", "POST"])
@field_limits(name=254)
def forgot():
    if request.method == "POST":
        name = request.form.get("name", "").strip().lower()[:254]
        # Per address and per account: nobody can flood a customer's mailbox from many addresses.
        keys = (f"portal:forgot:{request.remote_addr}", f"portal:forgot-name:{name}")
        if not any(is_throttled(k, limit=5) for k in keys):
            note_failures(keys)
            forgot_password(name)
            db.session.commit()
        flash(_("If the account exists, we have emailed a link to set a new password."), "info")
        return redirect(url_for("customer.login"))
    return render_template("customer/forgot.html")


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@field_limits(password=200, confirm=200)
def set_password(token: str):
    if link_throttled(token):
        abort(429)
    account = account_for_token(token)
    if account is not None:
        use_page_language(account.reads)  # the language the email was written in
    if account is None:
        note_bad_link(token)
        return render_template("customer/message.html", title=_("This link no longer works"),
                               message=_("Ask for a new link with \"Forgot password?\".")), 404
    error = None
    if request.method == "POST":
        if request.form.get("password") != request.form.get("confirm"):
            error = _("The passwords do not match.")
        else:
            try:
                set_account_password(account, request.form.get("password", ""))
            except PortalError as exc:
                error = str(exc)
            else:
                db.session.commit()
                flash(_("Your password is set. Sign in with it."), "success")
                return redirect(url_for("customer.login"))
    return render_template("customer/set_password.html", account=account, error=error)


@bp.route("/")
@section("overview")
def overview():
    company_id = g.account.company_id
    jobs = invoices = []
    if may_see(g.account, "jobs", g.portal):
        jobs = _jobs(company_id, open_only=True)
    if may_see(g.account, "invoices", g.portal):
        invoices = db.session.scalars(select(Invoice).where(Invoice.company_id == company_id)
                                      .order_by(Invoice.issued_on.desc()).limit(10)).all()
    return render_template("customer/overview.html", jobs=jobs, invoices=invoices)


def _jobs(company_id: int, open_only: bool):
    stmt = (select(Order, func.count(Card.id)).outerjoin(Card, Card.order_id == Order.id)
            .where(Order.company_id == company_id).group_by(Order.id).order_by(Order.placed_at.desc()))
    if open_only:
        stmt = stmt.where(Order.status.in_(OPEN))
    return db.session.execute(stmt.limit(200)).all()


@bp.route("/jobs")
@section("jobs")
def jobs():
    return render_template("customer/jobs.html", jobs=_jobs(g.account.company_id, open_only=False))


@bp.route("/jobs/<int:order_id>")
@section("jobs")
def job(order_id: int):
    order = db.session.get(Order, order_id)
    if order is None or order.company_id != g.account.company_id:
        abort(404)
    cards = db.session.scalars(select(Card).where(Card.order_id == order.id, Card.company_id == order.company_id)
                               .order_by(Card.holder_name, Card.id)).all()
    return render_template("customer/job.html", order=order, cards=cards, card_status=card_status_label,
                           show_notes=may_see(g.account, "notes", g.portal))


def card_status_label(status: str) -> str:
    return str(CardStatus.label_of(status))


@bp.route("/invoices")
@section("invoices")
def invoices():
    rows = db.session.scalars(select(Invoice).where(Invoice.company_id == g.account.company_id)
                              .order_by(Invoice.issued_on.desc())).all()
    return render_template("customer/invoices.html", invoices=rows)


@bp.route("/invoices/<int:invoice_id>")
@section("invoices")
def invoice(invoice_id: int):
    inv = db.session.get(Invoice, invoice_id, options=[selectinload(Invoice.lines).joinedload(InvoiceLine.card_type)])
    if inv is None or inv.company_id != g.account.company_id:
        abort(404)
    return render_template("customer/invoice.html", invoice=inv)


@bp.route("/resources")
@section("resources")
def resources():
    folders, loose = visible_files(g.account.company)
    company = g.account.company
    files_of = {f.id: [x for x in f.files if file_visible_to(x, company)] for f in folders}
    return render_template("customer/resources.html", folders=folders, loose=loose, files_of=files_of)


@bp.route("/resources/<int:file_id>/download")
@section("resources")
def download(file_id: int):
    file = db.session.get(ResourceFile, file_id)
    if file is None or not file_visible_to(file, g.account.company) or not storage.exists(file.storage_key):
        abort(404)
    return storage.send(file.storage_key, mimetype=file.content_type, as_attachment=True,
                         download_name=file.name, max_age=0)


@bp.route("/requests", methods=["GET", "POST"])
@section("requests")
@field_limits(subject=200, notes=10_000)
def requests_():
    error = None
    if request.method == "POST":
        upload = request.files.get("attachment")
        try:
            new_customer_request(g.account, request.form.get("subject", ""), request.form.get("notes", ""),
                                 upload.read() if upload and upload.filename else None,
                                 upload.filename if upload else "")
        except PortalError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("Your request is sent. You see the answer here."), "success")
            return redirect(url_for("customer.requests_"))
    rows = db.session.scalars(select(CustomerRequest).where(CustomerRequest.company_id == g.account.company_id)
                              .order_by(CustomerRequest.created_at.desc())).all()
    return render_template("customer/requests.html", requests=rows, error=error)


@bp.route("/password", methods=["GET", "POST"])
@signed_in
@field_limits(current=200, password=200, confirm=200)
def password():
    error = None
    if request.method == "POST":
        keys = (f"portal:password-change:{g.account.id}",)
        opens = retry_at(keys)
        if opens is not None:
            return _throttled("customer/password.html", opens, error=None)
        if not verify_password(g.account.password_hash, request.form.get("current", "")):
            note_failures(keys)
            error = _("The current password is not right.")
        elif request.form.get("password") != request.form.get("confirm"):
            error = _("The passwords do not match.")
        else:
            try:
                set_account_password(g.account, request.form.get("password", ""))
            except PortalError as exc:
                error = str(exc)
            else:
                db.session.commit()
                session[KEY] = f"{g.account.id}:{g.account.session_version}"
                flash(_("Your password is changed."), "success")
                return redirect(_home(g.account))
    return render_template("customer/password.html", error=error)


