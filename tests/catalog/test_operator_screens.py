"""The operator's screens: companies, card types with layouts, accessories, all users."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.catalog.models import CardType
from portal.ordering.models import Order, OrderLine
from portal.outbox.models import OutboxEmail
from portal.tenancy.models import Company, Membership
from tests.conftest import html_text


@pytest.fixture()
def operator(db, make_user):
    return make_user(email="op@cardwright.se", is_operator=True, name="Olivia")


def test_operator_creates_a_company_with_a_first_admin(client, db, operator):
    client.login(operator.email)
    resp = client.post("/admin/op_companies/new/", {
        "name": "Bygg & Co AB", "org_number": "556000-1111", "language": "sv", "onboarded_on": "2023-05-01",
        "active": "y", "first_admin": "boss@byggco.se",
    })
    assert resp.status_code == 302
    company = db.session.scalar(select(Company).where(Company.name == "Bygg & Co AB"))
    assert company.retention_months is None  # onboarded before 2024-08-12: keep until chosen
    m = db.session.scalar(select(Membership).where(Membership.company_id == company.id))
    assert m.role == "admin" and m.user.email == "boss@byggco.se"
    assert db.session.scalar(select(OutboxEmail.to)) == "boss@byggco.se"
    assert "Bygg &amp; Co AB" in client.get("/admin/op_companies/").get_data(as_text=True)


def test_new_company_onboarded_now_defaults_to_36_months(client, db, operator):
    client.login(operator.email)
    client.post("/admin/op_companies/new/", {"name": "Ny AB", "language": "sv",
                                             "onboarded_on": date.today().isoformat(), "active": "y"})
    assert db.session.scalar(select(Company.retention_months).where(Company.name == "Ny AB")) == 36


def _card_type_form(**fields):
    data = {"name": "Visitor card", "kind": "card", "price": "35.00", "photo_width": "413", "photo_height": "531",
            "active": "y", "description": ""}
    for i, (key, label, kind, extra) in enumerate(fields.get("rows", [])):
        data.update({f"fields-{i}-key": key, f"fields-{i}-label_en": label,
                     f"fields-{i}-kind": kind, f"fields-{i}-required": "y", f"fields-{i}-position": str(i),
                     f"fields-{i}-max_length": "100", f"fields-{i}-options": extra})
    return data


def test_card_type_with_layout_fields_in_order(client, db, operator):
    client.login(operator.email)
    resp = client.post("/admin/op_card_types/new/", _card_type_form(rows=[
        ("first_name", "First name", "text", ""), ("host", "Host", "choice", "Reception\nSecurity"),
        ("photo", "Photo", "photo", "")]))
    assert resp.status_code == 302, html_text(resp)[:500]
    ct = db.session.scalar(select(CardType).where(CardType.name == "Visitor card"))
    assert [f.key for f in ct.fields] == ["first_name", "host", "photo"]
    assert ct.fields[1].option_list == ["Reception", "Security"]


def test_operator_sets_a_card_fee_and_a_company_vat_rate(client, db, operator, make_company):
    client.login(operator.email)
    resp = client.post("/admin/op_card_types/new/", {**_card_type_form(), "fee": "12.50", "fee_period": "year"})
    assert resp.status_code == 302, html_text(resp)[:500]
    ct = db.session.scalar(select(CardType).where(CardType.name == "Visitor card"))
    assert (ct.fee, ct.fee_period) == (Decimal("12.50"), "year")
    assert "12.50" in html_text(client.get("/admin/op_card_types/"))
    company = make_company("Rakennus Oy", country="FI")
    resp = client.post(f"/admin/op_companies/edit/?id={company.id}", {
        "name": "Rakennus Oy", "language": "fi", "country": "FI", "vat_rate": "24", "onboarded_on": "2025-01-01",
        "active": "y"})
    assert resp.status_code == 302, html_text(resp)[:500]
    db.session.expire_all()
    assert db.session.get(Company, company.id).vat_rate == Decimal("24.00")


@pytest.mark.parametrize("rows,message", [
    ([("name", "Name", "text", ""), ("name", "Name again", "text", "")], "Two fields have the key name"),
    ([("host", "Host", "choice", "")], "needs its choices"),
    ([("Bad Key", "X", "text", "")], "lower-case letters"),
])
def test_bad_layouts_are_refused_with_a_clear_message(client, db, operator, rows, message):
    client.login(operator.email)
    resp = client.post("/admin/op_card_types/new/", _card_type_form(rows=rows))
    assert message in html_text(resp)
    assert db.session.scalar(select(CardType).where(CardType.name == "Visitor card")) is None


def test_ordered_card_type_is_deactivated_instead_of_deleted(client, db, operator, make_company, make_card_type):
    ct = make_card_type("Badge")
    company = make_company()
    order = Order(company_id=company.id, number="CW-X-1")
    order.lines = [OrderLine(kind="card", card_type_id=ct.id, description="Badge")]
    db.session.add(order)
    db.session.commit()
    client.login(operator.email)
    client.post("/admin/op_card_types/delete/", {"id": ct.id, "url": "/admin/op_card_types/"})
    db.session.expire_all()
    assert db.session.get(CardType, ct.id).active is False


def test_company_admin_gets_403_on_every_operator_screen(client, db, make_company, make_user, make_card_type):
    company = make_company()
    make_user(company, role="admin", email="admin@x.se")
    ct = make_card_type()
    client.login("admin@x.se")
    for base in ("op_companies", "op_card_types", "op_accessories", "op_users"):
        assert client.get(f"/admin/{base}/").status_code == 403
        assert client.get(f"/admin/{base}/new/").status_code == 403
    assert client.get(f"/admin/op_card_types/edit/?id={ct.id}").status_code == 403


def test_password_hashes_never_show_in_the_users_screen(client, db, operator, make_company, make_user):
    make_user(make_company("Alfa AB"), role="orderer", email="o@alfa.se")
    client.login(operator.email)
    pages = [client.get("/admin/op_users/"), client.get("/admin/op_users/export/csv/"),
             client.get(f"/admin/op_users/details/?id={operator.id}"), client.get(f"/admin/op_users/edit/?id={operator.id}")]
    for page in pages:
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and "scrypt:" not in body and "password" not in body.lower()
    assert "Alfa AB (Orderer)" in html_text(pages[0])
