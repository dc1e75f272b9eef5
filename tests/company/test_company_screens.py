"""The company admin's screens: settings with logo, users, addresses, audit log."""
import io
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.ordering.models import Address, CartItem
from portal.outbox.models import OutboxEmail
from portal.tenancy.models import Company, Membership
from portal.tenancy.settings import create_company
from tests.conftest import html_text


def _image(fmt: str, size=(600, 200), colour=(200, 20, 20)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture()
def admin(db, make_company, make_user):
    company = make_company("Nordbygg AB", language="en")
    user = make_user(company, role="admin", email="admin@nordbygg.se", name="Anna")
    return company, user


def _settings(**over):
    data = {"name": "Nordbygg AB", "org_number": "556677-8899", "language": "en", "primary_color": "#0b5394",
            "reminder_count": "2", "reminder_days": "10", "request_valid_days": "30", "retention": "36"}
    data.update(over)
    return data


def test_settings_change_is_audited_with_before_and_after(client, db, admin):
    company, user = admin
    client.login(user.email)
    resp = client.post("/admin/company/settings/", _settings(name="Nordbygg Sverige AB", retention="12",
                                                                  confirm_retention="12"))
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, company.id).retention_months == 12
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "company.updated"))
    assert event.changes["name"] == ["Nordbygg AB", "Nordbygg Sverige AB"]
    log = html_text(client.get("/admin/audit/"))
    assert "Settings changed" in log and "Anna" in log


@pytest.mark.parametrize("fmt,size,colour,is_colour", [
    ("PNG", (900, 100), (200, 20, 20), True),
    ("JPEG", (100, 400), (120, 120, 120), False),
])
def test_logo_is_fitted_to_354x118_and_colour_is_detected(client, db, admin, fmt, size, colour, is_colour):
    company, user = admin
    client.login(user.email)
    resp = client.post("/admin/company/settings/", {**_settings(), "logo": (io.BytesIO(_image(fmt, size, colour)), "l"),
                                                    "fit_logo": "y"},  # not 3:1: fitted when asked to
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    db.session.expire_all()
    company = db.session.get(Company, company.id)
    assert company.logo_is_colour is is_colour
    logo = client.get(f"/company-logo/{company.id}.png")
    with Image.open(io.BytesIO(logo.data)) as img:
        assert img.size == (354, 118)
    logo.close()
    page = html_text(client.get("/admin/company/settings/"))
    assert ("Colour logo" in page) is is_colour


def test_logo_in_an_unaccepted_format_is_refused_and_nothing_is_stored(client, db, admin):
    company, user = admin
    client.login(user.email)
    resp = client.post("/admin/company/settings/", {**_settings(), "logo": (io.BytesIO(_image("GIF")), "l.gif")},
                       content_type="multipart/form-data")
    assert resp.status_code == 200 and "PNG, JPEG or WebP" in html_text(resp)
    db.session.expire_all()
    assert db.session.get(Company, company.id).logo_key is None


def test_retention_default_depends_on_onboarding_date(db):
    assert create_company("Old AB", onboarded_on=date(2023, 1, 1)).retention_months is None
    assert create_company("New AB", onboarded_on=date(2025, 1, 1)).retention_months == 36


def test_admin_invites_a_user_who_gets_one_email(client, db, admin):
    company, user = admin
    client.login(user.email)
    resp = client.post("/admin/company/users/", {"email": "New@Nordbygg.se", "name": "Nils", "role": "orderer"})
    assert resp.status_code == 302
    m = db.session.scalar(select(Membership).join(Membership.user).where(Membership.company_id == company.id,
                                                                        Membership.role == "orderer"))
    assert m.user.email == "new@nordbygg.se"
    assert [e.to for e in db.session.scalars(select(OutboxEmail))] == ["new@nordbygg.se"]
    assert "Invitation sent" in html_text(client.get("/admin/company/users/"))


def test_last_admin_cannot_be_demoted_or_removed(client, db, admin):
    company, user = admin
    client.login(user.email)
    m = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    resp = client.post(f"/admin/company/users/{m.id}/change", {"what": "role", "role": "viewer"}, follow_redirects=True)
    assert "at least one active admin" in html_text(resp)
    client.post(f"/admin/company/users/{m.id}/change", {"what": "deactivate"})
    db.session.expire_all()
    m = db.session.get(Membership, m.id)
    assert m.role == "admin" and m.active


def test_address_used_in_a_cart_is_archived_not_deleted(client, db, admin, make_address, make_card_type):
    company, user = admin
    addr = make_address(company, "Site office", for_collection=True)
    ct = make_card_type()
    db.session.add(CartItem(company_id=company.id, user_id=user.id, card_type_id=ct.id, address_id=addr.id))
    db.session.commit()
    client.login(user.email)
    client.post("/admin/addresses/delete/", {"id": addr.id, "url": "/admin/addresses/"})
    db.session.expire_all()
    assert db.session.get(Address, addr.id).archived is True
    from portal.ordering.operations import active_addresses

    assert addr.id not in [a.id for a in active_addresses(company)]


def test_viewer_cannot_open_settings_or_users(client, db, admin, make_user):
    company, _ = admin
    viewer = make_user(company, role="viewer", email="v@nordbygg.se")
    client.login(viewer.email)
    assert client.get("/admin/company/settings/").status_code == 403
    assert client.get("/admin/company/users/").status_code == 403
    assert client.get("/admin/addresses/").status_code == 200


def test_membership_of_another_company_answers_404(client, db, admin, make_company, make_world):
    company, user = admin
    world_b = make_world(make_company("Beta AB"))
    client.login(user.email)
    their = world_b[Membership]
    assert client.post(f"/admin/company/users/{their.id}/change", {"what": "deactivate"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Membership, their.id).active
    assert "BetaAB" not in client.get("/admin/company/users/").get_data(as_text=True)
