"""The back office: one Flask-Admin instance per app, built from the feature modules below."""
from __future__ import annotations

import importlib

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from portal.infra.config import BASE_DIR

# Each module has `register(admin)`; the order here is the order of the menu.
SCREEN_MODULES = [
    "admin_views.ordering",     # Orders: Order cards, Cart, Order history, Approvals
    "admin_views.collection",   # Data collection
    "admin_views.cards",        # Cards: Handle cards, change requests, production
    "admin_views.printing",     # Cards: Printers, Print queue
    "admin_views.reports",      # Reports
    "admin_views.company",      # Company: Settings, Users, Addresses, Audit log
    "admin_views.catalog",      # Operator: Companies, Card types, Accessories, All users
    "admin_views.outbox",       # Operator: Email outbox
    "admin_views.customers",    # Customer portal (operator)
]


def _use_our_admin_catalogue() -> None:
    """Flask-Admin merges its bundled catalogue AFTER translations_path, so the bundled (older)
    Swedish wins. Point its domain at our maintained copy only."""
    import flask_admin.babel as admin_babel

    domain = getattr(admin_babel, "domain", None)
    if domain is not None:
        domain._translation_directories = [str(BASE_DIR / "translations")]
        domain.cache.clear()


def init_admin(app: Flask) -> Admin:
    from admin_views.dashboard import DashboardView

    _use_our_admin_catalogue()
    from flask_admin.form import BaseForm

    from portal.infra.form_messages import install as install_form_messages

    install_form_messages(BaseForm)  # WTForms' messages on Flask-Admin's forms from our catalogues too
    admin = Admin(
        name=_l("Cardwright"),
        index_view=DashboardView(name=_l("Dashboard"), url="/admin", endpoint="admin"),
        theme=Bootstrap4Theme(base_template="admin/cardwright_base.html", swatch="default", fluid=True),
        translations_path=str(BASE_DIR / "translations"),
    )
    for module in SCREEN_MODULES:
        importlib.import_module(module).register(admin)
    admin.init_app(app)
    return admin
