"""Every company-owned admin screen, walked generically: company A's admin tries company B's ids.

The views come from the registered Flask-Admin instance, so a new screen is attacked without
anyone remembering to add it here.
"""
import pytest
from flask import url_for

from admin_views.base import TenantModelView
from portal.infra.extensions import db as _db


def tenant_views(app):
    admin = app.extensions["admin"][0]
    return [v for v in admin._views if isinstance(v, TenantModelView)]


def test_every_company_owned_screen_is_tenant_scoped(app):
    """Company-owned models must be shown through the scoped base view, never a plain ModelView."""
    from flask_admin.contrib.sqla import ModelView

    admin = app.extensions["admin"][0]
    for view in admin._views:
        if isinstance(view, ModelView) and hasattr(view.model, "company_id"):
            assert isinstance(view, TenantModelView) or getattr(view, "operator_only", False), view


@pytest.fixture()
def two_companies(client, make_company, make_world):
    a, b = make_company("Alfa AB"), make_company("Beta AB")
    world_a, world_b = make_world(a), make_world(b)
    client.login(world_a["user"].email)
    return world_a, world_b


def test_company_a_cannot_reach_company_b_rows_by_id(app, client, db, two_companies):
    _, world_b = two_companies
    walked = 0
    for view in tenant_views(app):
        victim = world_b.get(view.model)
        if victim is None:
            continue
        walked += 1
        with app.test_request_context():
            base = url_for(f"{view.endpoint}.index_view")
        listing = client.get(base)
        assert listing.status_code in (200, 403), (view.endpoint, listing.status_code)
        assert "BetaAB" not in listing.get_data(as_text=True), view.endpoint
        for path in ("details/", "edit/"):
            resp = client.get(f"{base}{path}?id={victim.id}")
            assert resp.status_code in (403, 404), (view.endpoint, path, resp.status_code)
        resp = client.post(f"{base}delete/", {"id": victim.id, "url": base})
        assert resp.status_code in (403, 404), (view.endpoint, "delete", resp.status_code)
        resp = client.post(f"{base}action/", {"action": "delete", "rowid": victim.id, "url": base})
        assert resp.status_code in (403, 404), (view.endpoint, "action", resp.status_code)
        if view.can_export:
            export = client.get(f"{base}export/csv/")
            assert "BetaAB" not in export.get_data(as_text=True), view.endpoint
        db.session.expire_all()
        assert _db.session.get(view.model, victim.id) is not None, f"{view.endpoint} deleted another company's row"
    # Guards against a silently empty walk (e.g. a fixture that stopped making rows).
    assert walked >= 3
