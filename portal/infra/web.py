"""Web plumbing every page shares: configuration, extensions, templates, security headers, error
pages and field limits. Pages declare what they are (`public_page`, `field_limits`) next to their
own code; the hooks here read those marks, so no list of endpoint names lives far from the views.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, render_template, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy.exc import SQLAlchemyError

from portal.infra.config import BASE_DIR, load_config
from portal.infra.extensions import csrf, db, mail, migrate
from portal.infra.formatting import as_lines, badge, external_link, money, month, number, when
from portal.infra.i18n import use_page_language
from portal.infra.photo_assistant import photo_warning


def mark(name: str, value=True):
    """Decorator (or call on a blueprint) that declares a property of a page where the page lives."""
    def apply(target):
        setattr(target, name, value)
        return target
    return apply


# A page on the public layout: strict script policy, no inline script or style. On a blueprint,
# every page of it and every error under its URL prefix.
public_page = mark("public_page")


def field_limits(**limits: int):
    """Maximum lengths of fields a view reads from `request.form` directly (WTForms forms carry
    their own `Length` validators)."""
    return mark("field_limits", limits)


def page_mark(name: str, default=None):
    """The mark `name` of the page answering this request: its view's, else its blueprint's."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is not None and hasattr(view, name):
        return getattr(view, name)
    if request.blueprint:
        bp = current_app.blueprints.get(request.blueprint.split(".")[0])
        if bp is not None and hasattr(bp, name):
            return getattr(bp, name)
    elif request.endpoint is None:  # no route matched: the blueprint whose URL prefix it is under
        for bp in current_app.blueprints.values():
            if bp.url_prefix and request.path.startswith(bp.url_prefix.rstrip("/") + "/") and hasattr(bp, name):
                return getattr(bp, name)
    return default


MAX_PAGE = 1_000_000


def page_number(value) -> int:
    """A list's `?page=` as a page index from 0: negative, malformed or absurd values (a negative or
    64-bit-overflowing OFFSET fails in the database) give the nearest page that can be asked for."""
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return 0
    return min(max(0, number), MAX_PAGE)


def init_config(app: Flask, overrides: dict | None) -> None:
    app.config.update(load_config(overrides))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["STORAGE_DIR"]).mkdir(parents=True, exist_ok=True)


def init_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_HOPS reverse proxies, take the client's address and scheme from
    the headers those proxies add, counting from the right: a client cannot forge its way past them.

    Without the setting nothing forwarded is trusted, so `remote_addr` is the TCP peer. Set it to the
    number of proxies in front of the app: every throttle keys on `remote_addr`, and behind a load
    balancer without it every visitor would share the balancer's address (one guesser locks out all).
    """
    hops = app.config.get("TRUSTED_PROXY_HOPS") or 0
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Not X-Forwarded-Host: emailed links are built from BASE_URL, never from a header.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def init_extensions(app: Flask) -> None:
    import portal.infra.sqlite_setup  # noqa: F401  (connection settings for SQLite)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True)
    mail.init_app(app)
    csrf.init_app(app)


def init_templates(app: Flask, *template_dirs: Path) -> None:
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs])
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = format_decimal  # 1,234 / 1 234 by the page language
    app.jinja_env.filters["lines"] = as_lines
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["month"] = month
    app.jinja_env.filters["datetime"] = lambda v, fmt=None: (format_datetime(v, fmt) if fmt else when(v)) if v else ""
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""
    app.jinja_env.globals["badge"] = badge
    app.jinja_env.globals["photo_warning"] = photo_warning  # findings sent with a photo (portal.infra.photo_assistant)
    app.jinja_env.globals["link"] = external_link
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions

    @app.context_processor
    def _language():
        return {"current_locale": lambda: str(get_locale() or "en"), "languages": app.config["LANGUAGES"]}


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


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        # Unknown addresses (no endpoint, no blueprint) get the public policy too.
        public = page_mark("public_page", request.endpoint is None)
        response.headers.setdefault("Content-Security-Policy", _PUBLIC_CSP if public else _ADMIN_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # same-origin, not no-referrer: Flask-WTF's HTTPS CSRF check needs our own Referer.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and not request.endpoint.endswith("static"):
            # Pages carry personal data: never keep them in shared or browser caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def error_page(status: int, title: str, message: str):
    return render_template("error.html", title=title, message=message), status


def init_error_pages(app: Flask) -> None:
    """Plain, translated pages for the errors a person can meet (no stack traces, no English-only text)."""

    @app.errorhandler(CSRFError)
    def _expired_form(_e):
        return error_page(400, _("The page had expired"), _(
            "For your safety a form works only for a while after it was opened. Go back, reload the page and "
            "send it again."))

    @app.errorhandler(400)
    def _bad_request(_e):
        return error_page(400, _("The request could not be read"), _(
            "Something in what was sent was missing or not understood. Go back and try again."))

    @app.errorhandler(405)
    def _wrong_method(_e):
        return error_page(405, _("Not found"),
                          _("This page or record does not exist, or it belongs to another company."))

    @app.errorhandler(500)
    def _server_error(_e):
        return error_page(500, _("Something went wrong"), _(
            "The error has been logged. Try again in a moment; if it happens again, tell your administrator."))

    @app.errorhandler(403)
    def _forbidden(_e):
        return error_page(403, _("No access"), _("Your role does not give access to this page. Ask a company admin."))

    @app.errorhandler(404)
    def _not_found(_e):
        return error_page(404, _("Not found"),
                          _("This page or record does not exist, or it belongs to another company."))

    @app.errorhandler(413)
    def _too_large(_e):
        mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return error_page(413, _("The file is too large"), _(
            "The largest file you can upload is %(mb)d MB. Choose a smaller file or take a new photo.", mb=mb))

    @app.errorhandler(429)
    def _too_many(_e):
        return error_page(429, _("Too many attempts"), _("Wait 15 minutes and try again."))

    @app.errorhandler(SQLAlchemyError)
    def _database_error(exc):
        # Each request is one transaction: roll it back so nothing is half-written, and say so.
        db.session.rollback()
        app.logger.error("database error in %s", request.path, exc_info=exc)
        return error_page(503, _("Nothing was saved"), _(
            "The database could not complete this change, so nothing was saved. Try again in a moment."))


__all__ = ["field_limits", "init_config", "init_error_pages", "init_extensions", "init_proxies", "init_security_headers",
           "init_templates", "mark", "page_mark", "page_number", "public_page", "use_page_language"]
