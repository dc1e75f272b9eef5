"""`make run` seeds a usable demo once, and never touches a database that has users."""
from sqlalchemy import func, select

from portal.customers.models import PortalAccount
from portal.demo.seed import DEMO_PASSWORD, seed_demo
from portal.tenancy.models import Company, User
from tests.conftest import html_text


def test_demo_data_lets_every_demo_login_in(client, db):
    assert seed_demo() is True
    db.session.commit()  # the caller commits (flask seed, flask serve)
    assert seed_demo() is False  # not twice
    assert db.session.scalar(select(func.count()).select_from(Company)) == 2
    for email in ("operator@cardwright.example", "admin@nordbygg.example", "orderer@nordbygg.example"):
        assert db.session.scalar(select(User).where(User.email == email)) is not None
    client.login("admin@nordbygg.example", DEMO_PASSWORD)
    assert "Nordbygg AB" in html_text(client.get("/admin/"))
    assert db.session.scalar(select(PortalAccount.username)) == "nordbygg"
    resp = client.post("/portal/login", {"username": "nordbygg", "password": DEMO_PASSWORD})
    assert resp.status_code == 302
