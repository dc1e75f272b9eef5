"""The init_* steps that `create_app` runs, in order. Each binds one concern to the app."""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from flask import Flask, g, request
from flask_babel import format_currency, format_date, format_datetime, get_locale
from flask_login import current_user
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from portal.config import BASE_DIR, load_config
from portal.extensions import babel, csrf, db, login_manager, mail, migrate


def init_config(app: Flask, overrides: dict | None) -> None:
    app.config.update(load_config(overrides))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["STORAGE_DIR"]).mkdir(parents=True, exist_ok=True)


def init_extensions(app: Flask) -> None:
    import portal.models  # noqa: F401  (registers every table)
    import portal.sqlite_setup  # noqa: F401  (connection settings for SQLite)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True)
    mail.init_app(app)
    csrf.init_app(app)


def select_locale() -> str:
    """Explicit page choice, then the user's language, then the company's, then the browser's."""
    from flask import has_request_context

    languages = list(current_app_languages())
    explicit = g.get("locale")
    if explicit in languages:
        return explicit
    if not has_request_context():
        return "en"  # jobs and CLI: emails choose their language explicitly with force_locale
    try:
        if current_user and current_user.is_authenticated and getattr(current_user, "language", None):
            if current_user.language in languages:
                return current_user.language
        from portal.tenancy.context import current_company

        company = current_company()
        if company is not None and company.language in languages:
            return company.language
    except RuntimeError:
        pass
    return request.accept_languages.best_match(languages) or "en"


def current_app_languages():
    from flask import current_app

    return current_app.config["LANGUAGES"].keys()


def init_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(BASE_DIR / "translations"),
    )


def money(value, currency: str | None = None) -> str:
    from flask import current_app

    if value is None:
        return ""
    currency = currency or current_app.config["CURRENCY"]
    if str(get_locale() or "en").startswith("en"):
        # English CLDR writes "SEK107.00"; Nordic readers expect the amount first.
        return format_currency(Decimal(value), currency, format="#,##0.00\u00a0¤")
    return format_currency(Decimal(value), currency)


def when(value) -> str:
    """A date and time as people read it in their language, unambiguous and 24-hour:
    "25 nov. 2026 04:41" in Swedish, "Nov 25, 2026 04:41" in English (not "11/25/26, 4:41 AM")."""
    if not value:
        return ""
    from babel.dates import format_skeleton
    from flask_babel import to_user_timezone

    local, locale = to_user_timezone(value), get_locale() or "en"
    return f"{format_skeleton('yMMMd', local, locale=locale)} {format_skeleton('Hm', local, locale=locale)}"


def badge(label, colour: str = "secondary") -> Markup:
    return Markup('<span class="badge badge-{}">{}</span>').format(escape(colour), escape(str(label)))


def external_link(endpoint: str, **values) -> str:
    """An absolute link for emails, always on the configured BASE_URL (never the request's host)."""
    from flask import current_app, url_for

    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(BASE_DIR / "admin_views" / "templates")),
        FileSystemLoader(str(BASE_DIR / "portal" / "templates")),
    ])
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["datetime"] = lambda v, fmt=None: (format_datetime(v, fmt) if fmt else when(v)) if v else ""
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""
    app.jinja_env.globals["badge"] = badge
    app.jinja_env.globals["link"] = external_link
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions

    @app.context_processor
    def _inject():
        from portal.tenancy.context import current_company, user_can

        return {
            "current_company": current_company,
            "user_can": user_can,
            "current_locale": lambda: str(get_locale() or "en"),
            "languages": app.config["LANGUAGES"],
        }


def init_login(app: Flask) -> None:
    from flask_login import user_logged_in, user_logged_out

    from portal.security import sessions
    from portal.tenancy.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
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

    @user_logged_in.connect_via(app)
    def _session_started(_app, user, **_kw):
        sessions.start("user", user.id)
        db.session.commit()

    @user_logged_out.connect_via(app)
    def _session_ended(_app, user, **_kw):
        sessions.end("user")
        db.session.commit()


def init_blueprints(app: Flask) -> None:
    from admin_views.auth import bp as auth_bp
    from admin_views.password_reset import bp as password_reset_bp
    from admin_views.two_factor import bp as two_factor_bp
    from selfservice.customer import bp as customer_bp
    from selfservice.employee import bp as employee_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(two_factor_bp)
    app.register_blueprint(password_reset_bp)
    app.register_blueprint(employee_bp)
    app.register_blueprint(customer_bp)


def init_admin(app: Flask) -> None:
    from admin_views import init_admin as _init_admin

    _init_admin(app)


_PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Flask-Admin's own templates use inline handlers; everything is still served from here only.
_ADMIN_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# Pages on the public layout (no inline script or style) outside the employee and customer blueprints.
_PUBLIC_ENDPOINTS = {"auth.login", "auth.accept_invite", "two_factor.sign_in_code"}


def init_security_headers(app: Flask) -> None:
    from portal.link_guard import install_log_redaction

    install_log_redaction()

    @app.after_request
    def _headers(response):
        # Error pages under /r/ and /portal/ and unknown addresses (no endpoint) are public pages too.
        public = (request.blueprint in {"employee", "customer"} or request.endpoint in _PUBLIC_ENDPOINTS
                  or request.endpoint is None or request.path.startswith(("/r/", "/portal/")))
        response.headers.setdefault("Content-Security-Policy", _PUBLIC_CSP if public else _ADMIN_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # same-origin, not no-referrer: Flask-WTF's HTTPS CSRF check needs our own Referer.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and not request.endpoint.endswith("static"):
            # Pages carry personal data: never keep them in shared or browser caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def use_page_language() -> None:
    """For errors raised before the pages' own language choice has run (?lang=, the employee's or
    the portal's session): apply that choice so the error page speaks the page's language."""
    from flask import current_app, session
    from flask_babel import refresh

    chosen = request.args.get("lang") or session.get("employee_lang") or session.get("language")
    if chosen in current_app.config["LANGUAGES"] and not g.get("locale"):
        g.locale = chosen
        refresh()


def init_error_pages(app: Flask) -> None:
    """Plain, translated pages for the errors a person can meet (no stack traces, no English-only text)."""
    from flask import current_app, render_template
    from flask_babel import gettext as _

    def page(status: int, title: str, message: str):
        return render_template("error.html", title=title, message=message), status

    @app.errorhandler(403)
    def _forbidden(_e):
        return page(403, _("No access"), _("Your role does not give access to this page. Ask a company admin."))

    @app.errorhandler(404)
    def _not_found(_e):
        return page(404, _("Not found"), _("This page or record does not exist, or it belongs to another company."))

    @app.errorhandler(413)
    def _too_large(_e):
        # The size check fires while the CSRF check reads the form, before the pages' own language
        # choice (?lang=, the employee's or portal session) has run: apply it here.
        use_page_language()
        mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return page(413, _("The file is too large"),
                    _("The largest file you can upload is %(mb)d MB. Choose a smaller file or take a new photo.", mb=mb))

    @app.errorhandler(429)
    def _too_many(_e):
        return page(429, _("Too many attempts"), _("Wait 15 minutes and try again."))

    @app.errorhandler(SQLAlchemyError)
    def _database_error(exc):
        # Each request is one transaction: roll it back so nothing is half-written, and say so.
        db.session.rollback()
        app.logger.error("database error in %s", request.path, exc_info=exc)
        return page(503, _("Nothing was saved"),
                    _("The database could not complete this change, so nothing was saved. Try again in a moment."))


def init_form_limits(app: Flask) -> None:
    from portal.form_limits import init_form_limits as _init

    _init(app)


def init_cli(app: Flask) -> None:
    from portal.cli import register

    register(app)


def init_scheduler(app: Flask) -> None:
    """Start the in-process scheduler only where asked (the `serve` command or SCHEDULER_ENABLED)."""
    if app.config.get("SCHEDULER_ENABLED") and os.environ.get("CARDWRIGHT_NO_SCHEDULER") != "1":
        from portal.jobs import start_background_scheduler

        start_background_scheduler(app)
