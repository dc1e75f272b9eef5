"""The audit log is written by a session listener (issue 11.7, 12.9): no view can skip it, secrets never
enter a diff, and what the operator does to rows without a company goes to the operator's own log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.listener import audited_fields
from portal.audit.models import AuditEvent
from portal.catalog.models import CardType
from portal.infra.extensions import db as _db
from portal.tenancy.models import Company, User
from tests.conftest import html_text
from tests.trust.forms import post_forms


@pytest.fixture()
def operator(db, make_user):
    return make_user(email="op@cardwright.se", is_operator=True, name="Olivia")


def _edit(client, url: str, **changes) -> int:
    """Send back the edit form of a model screen as the browser would, with `changes` typed in."""
    page = client.get(url)
    assert page.status_code == 200
    form = next(f for f in post_forms(page.get_data(as_text=True), url) if "/edit/" in f.action)
    # A browser drops the newline that follows <textarea>; the parser keeps it.
    data = {f.name: f.value.removeprefix("\r\n").removeprefix("\n") if f.kind == "textarea" else f.value
            for f in form.fields if f.name != "csrf_token"}
    data.update(changes)
    return client.post(url, data).status_code


def test_card_type_price_change_on_the_operator_screen_is_audited_with_before_and_after(
        client, db, operator, make_card_type):
    # CardTypeView overrides on_model_change without calling super(): the view-based audit lost the diff.
    ct = make_card_type("Visitor badge", price="18.00")
    client.login(operator.email)
    fields = {f"fields-{i}-kind": f.kind for i, f in enumerate(ct.fields)}
    assert _edit(client, f"/admin/op_card_types/edit/?id={ct.id}", price="25", kind="card", **fields) == 302
    db.session.expire_all()
    assert db.session.get(CardType, ct.id).price == 25
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "card_type.updated"))
    assert event is not None and event.changes == {"price": ["18.00", "25.00"]}
    assert event.user_id == operator.id and event.company_id is None and event.object_id == str(ct.id)
    log = html_text(client.get("/admin/op_audit/"))
    assert "Card type changed" in log and "Price : 18.00 → 25.00" in log and "Olivia" in log


def test_a_change_made_outside_any_screen_is_audited_too(db, make_card_type):
    ct = make_card_type("Visitor badge", price="18.00")
    ct.price = 25
    ct.description = "For guests"
    _db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "card_type.updated"))
    assert event.changes == {"price": ["18.00", "25.00"], "description": ["", "For guests"]}


def test_password_and_token_hashes_never_enter_the_audit(db, make_user):
    user = make_user(email="eva@x.se", name="Eva")
    user.name = "Eva Berg"
    user.password_hash = "scrypt:new-hash"
    user.invite_token_hash = "a" * 64
    _db.session.commit()
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "User")))
    assert [e.action for e in events] == ["user.created", "user.updated"]
    assert events[1].changes == {"name": ["Eva", "Eva Berg"]}
    for e in events:
        assert not any("hash" in key or "password" in key for key in e.changes)
        assert "scrypt" not in str(e.changes)

    class Careless:
        __audited__ = frozenset({"name", "password_hash", "invite_token_hash", "api_secret"})

    assert audited_fields(Careless) == {"name"}


def test_operator_actions_on_other_companies_and_users_stay_out_of_the_open_company_log(
        client, db, operator, make_company, make_user):
    alfa = make_company("Alfa AB", language="en")
    alfa_admin = make_user(alfa, role="admin", email="admin@alfa.se", name="Alma")
    beta = make_company("Beta AB", language="en")
    beta_user = make_user(beta, role="orderer", email="bo@beta.se", name="Bo Beta")
    client.login(operator.email)
    assert client.post("/switch-company", {"company_id": alfa.id}).status_code in (302, 303)  # Alfa is open
    assert client.post("/admin/op_companies/new/", {
        "name": "Gamma Bygg AB", "language": "sv", "onboarded_on": "2025-01-02", "active": "y"}).status_code == 302
    assert _edit(client, f"/admin/op_users/edit/?id={beta_user.id}", name="Bo Renamed") == 302
    db.session.expire_all()
    assert db.session.get(User, beta_user.id).name == "Bo Renamed"
    gamma = db.session.scalar(select(Company).where(Company.name == "Gamma Bygg AB"))

    # Nothing of it was filed under the company the operator had open.
    in_alfa = list(db.session.scalars(select(AuditEvent.summary).where(AuditEvent.company_id == alfa.id)))
    assert not any("Gamma" in s or "Bo" in s for s in in_alfa)
    renamed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.updated"))
    assert renamed.company_id is None and renamed.changes == {"name": ["Bo Beta", "Bo Renamed"]}
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "company.created",
                                                         AuditEvent.object_id == str(gamma.id)))
    assert created.company_id == gamma.id and created.user_id == operator.id

    # Alfa's admin reads Alfa's log: neither the new company nor Beta's renamed user is there.
    client.post("/logout")
    client.login(alfa_admin.email)
    log = html_text(client.get("/admin/audit/"))
    assert "Gamma" not in log and "Bo Renamed" not in log and "Bo Beta" not in log

    # The operator reads both in Operator > Audit log; a company admin cannot open it.
    assert client.get("/admin/op_audit/").status_code == 403
    client.post("/logout")
    client.login(operator.email)
    op_log = html_text(client.get("/admin/op_audit/"))
    assert "Gamma Bygg AB" in op_log and "Company created" in op_log
    assert "Name : Bo Beta → Bo Renamed" in op_log
