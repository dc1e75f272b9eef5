"""Cardwright: the entry point. `flask --app app run`, or `gunicorn 'app:create_app()'`."""
from __future__ import annotations

from flask import Flask

from portal.app_setup import (
    init_admin,
    init_blueprints,
    init_cli,
    init_config,
    init_error_pages,
    init_extensions,
    init_form_limits,
    init_i18n,
    init_login,
    init_scheduler,
    init_security_headers,
    init_templates,
)


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application; `overrides` replaces configuration values (tests)."""
    app = Flask(__name__, template_folder="portal/templates", static_folder="static", instance_relative_config=True)
    init_config(app, overrides)
    init_extensions(app)
    init_i18n(app)
    init_templates(app)
    init_login(app)
    init_blueprints(app)
    init_admin(app)
    init_security_headers(app)
    init_form_limits(app)
    init_error_pages(app)
    init_cli(app)
    init_scheduler(app)
    return app
