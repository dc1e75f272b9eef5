"""Cardwright: the one place that assembles the application from the domain (`portal/`) and the
screens (`admin_views/`, `selfservice/`). `flask --app app run`, or `gunicorn 'app:create_app()'`.

Read `create_app` as the table of contents; ARCHITECTURE.md has the map.
"""
from __future__ import annotations

import importlib
import importlib.util

from flask import Flask

from portal.audit.listener import install as install_audit_listener
from portal.infra.config import BASE_DIR
from portal.infra.form_limits import init_form_limits
from portal.infra.i18n import init_i18n
from portal.infra.theme import init_theme
from portal.infra.web import (
    init_config,
    init_error_pages,
    init_extensions,
    init_proxies,
    init_security_headers,
    init_templates,
)
from portal.security.link_guard import install_log_redaction

# The feature packages of `portal/`, bottom layer first (the order import-linter checks). For each,
# its `models` module registers its tables, its `tasks` module its scheduled jobs and its `cli`
# module its commands, its `receivers` module connects it to the signals of the features below it.
# An import error in any of them stops the start.
FEATURES = ["infra", "outbox", "tenancy", "security", "audit", "catalog", "cards", "printing", "ordering", "collection",
            "webhooks", "customers", "reports", "retention", "renewal", "notifications", "privacy", "demo"]


def load_feature_modules(kind: str) -> list:
    modules = []
    for feature in FEATURES:
        name = f"portal.{feature}.{kind}"
        if importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application; `overrides` replaces configuration values (tests)."""
    app = Flask(__name__, template_folder="portal/templates", static_folder="static", instance_relative_config=True)
    init_config(app, overrides)
    init_proxies(app)
    load_feature_modules("models")
    load_feature_modules("receivers")
    init_extensions(app)
    install_audit_listener()  # every flush of an audited model writes its audit event
    init_i18n(app, *_language_sources())
    init_templates(app, BASE_DIR / "admin_views" / "templates", BASE_DIR / "portal" / "templates")
    init_theme(app)  # the company colour as CSS variables with computed contrast
    init_login(app)
    init_blueprints(app)
    init_admin(app)
    install_log_redaction()
    init_security_headers(app)
    init_form_limits(app)
    init_error_pages(app)
    init_api(app)  # after the error pages: the API's own answers wrap them for /api/ only
    init_cli(app)
    init_scheduler(app)
    return app


def _language_sources():
    from portal.tenancy.context import company_language, user_language

    return user_language, company_language


def init_login(app: Flask) -> None:
    from portal.security.login import init_login as _init
    from portal.tenancy.context import template_context

    _init(app)
    app.context_processor(template_context)


def init_blueprints(app: Flask) -> None:
    from admin_views.auth import bp as auth_bp
    from admin_views.password_reset import bp as password_reset_bp
    from admin_views.two_factor import bp as two_factor_bp
    from selfservice.customer import bp as customer_bp
    from selfservice.employee import bp as employee_bp

    for bp in (auth_bp, two_factor_bp, password_reset_bp, employee_bp, customer_bp):
        app.register_blueprint(bp)


def init_api(app: Flask) -> None:
    from api import init_api as _init

    _init(app)


def init_admin(app: Flask) -> None:
    from admin_views import init_admin as _init

    _init(app)


def init_cli(app: Flask) -> None:
    for module in load_feature_modules("cli"):
        for command in module.commands:
            app.cli.add_command(command)


def init_scheduler(app: Flask) -> None:
    """Register every feature's jobs; start the in-process scheduler only where asked (SCHEDULER_ENABLED)."""
    import os

    from portal.infra.jobs import job_intervals, start_background_scheduler

    load_feature_modules("tasks")
    job_intervals(app)  # refuses unknown JOB_INTERVALS names at start
    if app.config.get("SCHEDULER_ENABLED") and os.environ.get("CARDWRIGHT_NO_SCHEDULER") != "1":
        start_background_scheduler(app)
