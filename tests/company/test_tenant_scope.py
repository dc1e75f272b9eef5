"""Tenant scope by construction: the tenant base views scope what a screen offers, not each view by hand."""
from __future__ import annotations

import pytest
from flask_login import login_user

from admin_views.base import TenantModelView
from portal.cards.models import Card
from portal.infra.extensions import db as _db
from portal.printing.models import Printer, PrintJob


class _PrintJobForm(TenantModelView):
    """A company screen with two relationship fields: a dropdown (printer) and an ajax lookup (card)."""

    capability = "print"
    form_columns = ["printer", "card"]
    form_ajax_refs = {"card": {"fields": ["holder_name"]}}


@pytest.fixture()
def two_worlds(make_company, make_world):
    a, b = make_company("Alfa AB"), make_company("Beta AB")
    return make_world(a), make_world(b)


def test_a_company_screens_dropdown_and_lookup_list_only_the_current_companys_rows(app, two_worlds):
    world_a, world_b = two_worlds
    view = _PrintJobForm(PrintJob, _db, endpoint="scope_probe", url="/scope-probe")
    with app.test_request_context("/scope-probe/new/"):
        login_user(world_a["user"])
        printers = [p.name for _pk, p in view.create_form().printer._get_object_list()]
        assert "Printer AlfaAB" in printers
        assert "Printer BetaAB" not in printers
        lookup = view._form_ajax_refs["card"]
        assert [c.id for c in lookup.get_list("Holder")] == [world_a[Card].id]
        # Choosing company B's card by its id finds nothing, as for a missing one.
        assert lookup.get_one(world_b[Card].id) is None
        assert lookup.get_one(world_a[Card].id) is not None


def test_the_same_screen_shows_company_b_only_its_own_rows(app, two_worlds):
    world_a, world_b = two_worlds
    view = _PrintJobForm(PrintJob, _db, endpoint="scope_probe2", url="/scope-probe2")
    with app.test_request_context("/scope-probe2/new/"):
        login_user(world_b["user"])
        printers = [p.name for _pk, p in view.create_form().printer._get_object_list()]
        assert printers == ["Printer BetaAB"]
        assert view.get_query().filter(PrintJob.printer_id == world_a[Printer].id).count() == 0


def test_company_screens_offer_only_the_companys_people_card_types_and_addresses(client, two_worlds):
    world_a, _world_b = two_worlds
    client.login(world_a["user"].email)
    for url in ("/admin/reports/", "/admin/order-cards/", "/admin/cards/", "/admin/collection/"):
        page = client.get(url).get_data(as_text=True)
        assert "Own badge AlfaAB" in page, url
        assert "Own badge BetaAB" not in page and "Admin of Beta AB" not in page and "Office BetaAB" not in page, url
    reports = client.get("/admin/reports/").get_data(as_text=True)
    assert "Admin of Alfa AB" in reports  # the orderer filter lists the company's own people


def test_every_company_screen_derives_from_the_tenant_base(app):
    """A new company screen cannot forget the scope: it must be a TenantView or TenantModelView
    (admin_views/base.py), or declare itself operator-only. The dashboard shows only counts of the
    current company (dashboard_figures)."""
    from admin_views.base import TenantMixin

    admin = app.extensions["admin"][0]
    wrong = [f"{v.endpoint} ({type(v).__name__}): derive it from TenantView or TenantModelView in admin_views/base.py"
             for v in admin._views
             if v is not admin.index_view and not getattr(v, "operator_only", False) and not isinstance(v, TenantMixin)]
    assert not wrong, "\n".join(wrong)
