"""Every form field has a maximum length that the server enforces.

The forms are found by rendering every page (admin, operator, customer portal, employee link) and
reading its POST forms. Each text field must declare its limit (`maxlength`, which the server's limit
matches); posting one character more (or far more where nothing is declared) must be refused with
a message, and nothing may be stored.
"""
from __future__ import annotations

import re

import pytest

from portal.cards.models import Card
from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import send_requests
from portal.customers.models import PortalAccount, PortalSettings
from portal.infra.extensions import db as _db
from portal.ordering.models import Address, CartItem, Invoice, Order
from portal.outbox.models import OutboxEmail
from portal.security.passwords import hash_password
from portal.tenancy.models import Membership
from tests.conftest import html_text
from tests.trust.forms import post_forms
from tests.trust.helpers import changed_tables, snapshot

UNDECLARED = 20_001
# Fields that legitimately have no per-field maxlength in the page, with the limit the server applies.
LONG_FIELDS = {
    "emails": "a pasted list of up to 5,000 addresses; the server stops at that count",
    "text": "the same pasted list, checked before sending",
}
IGNORED_FORMS = {
    "/login": "the sign-in form: wrong input only fails the sign-in (h5 tests its limits)",
    "/portal/login": "the sign-in form: wrong input only fails the sign-in",
}
# The signed-in user's own rows change while the walker signs in and out.
OWN_TABLES = {"user_account", "portal_account"}


def _id_for(world, arg):
    table = {"card_id": Card, "item_id": CartItem, "request_id": CollectionRequest, "membership_id": Membership,
             "account_id": PortalAccount, "order_id": Order, "invoice_id": Invoice, "company_id": "company"}
    model = table.get(arg)
    if model == "company":
        return world[Card].company_id
    return world[model].id if model in world else None


def _pages(app, world, prefix_ok):
    admin = app.extensions["admin"][0]
    views = {v.endpoint: v for v in admin._views}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not prefix_ok(rule.rule) or "static" in rule.endpoint:
            continue
        method = rule.endpoint.split(".", 1)[-1]
        view = views.get(rule.endpoint.split(".", 1)[0])
        if view is not None and hasattr(view, "model") and method in ("details_view", "export", "ajax_lookup"):
            continue
        values = {arg: _id_for(world, arg) for arg in rule.arguments}
        if None in values.values() or "token" in rule.arguments:
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m, v=values: str(v[m.group(1)]), rule.rule)
        if method == "edit_view":
            row = world.get(view.model)
            if row is None:
                continue
            url += f"?id={row.id}"
        yield url


def _overlong(field) -> str:
    return "x" * ((field.maxlength + 1) if field.maxlength else UNDECLARED)


def _attack(client, page_url, problems, seen):
    resp = client.get(page_url)
    if resp.status_code != 200 or resp.mimetype != "text/html":
        return
    for form in post_forms(resp.get_data(as_text=True), page_url):
        action = form.action.split("#")[0]
        if action in IGNORED_FORMS:
            continue
        for field in form.fields:
            if not field.is_text or field.name == "csrf_token" or (action, field.name) in seen:
                continue
            seen.add((action, field.name))
            if field.maxlength is None and field.name not in LONG_FIELDS:
                problems.append(f"{page_url} -> {action} field {field.name!r}: no maxlength declared")
            body = form.data() | {field.name: _overlong(field)}
            before = snapshot()
            answer = client.post(action, body, follow_redirects=True)
            if answer.status_code == 405:
                continue  # the page's script sets this form's action (e.g. the reject dialog); walked there
            changed = [t for t in changed_tables(before, snapshot()) if t not in OWN_TABLES]
            if answer.status_code >= 500:
                problems.append(f"{action} field {field.name!r}: server error {answer.status_code}")
            elif changed:
                problems.append(f"{action} field {field.name!r}: stored an overlong value ({changed})")
            elif not re.search(r"(?i)too long|at most|högst|för lång|characters|tecken|not a valid|invalid",
                               html_text(answer)):
                problems.append(f"{action} field {field.name!r}: refused without saying why ({answer.status_code})")


@pytest.fixture()
def world(db, make_company, make_world, make_user):
    company = make_company("Alfa AB", org_number="556000-0000")
    w = make_world(company)
    w[Address].for_collection = True
    settings = db.session.get(PortalSettings, 1) or PortalSettings(id=1)
    settings.enabled, settings.sections = True, ["overview", "jobs", "invoices", "resources", "requests"]
    db.session.add(settings)
    w[PortalAccount].password_hash = hash_password("portal password 123")
    w["operator"] = make_user(email="op@x.se", is_operator=True)
    db.session.commit()
    return w


def test_admin_and_operator_forms_enforce_their_maximum_lengths(app, client, db, world):
    problems, seen = [], set()
    for who in (world["user"].email, "op@x.se"):
        client.post("/logout")
        client.login(who)
        for url in _pages(app, world, lambda r: r.startswith(("/admin", "/account"))):
            _attack(client, url, problems, seen)
    assert len(seen) >= 20, seen
    assert not problems, "\n".join(problems)


def test_customer_portal_and_employee_forms_enforce_their_maximum_lengths(app, client, db, world):
    problems, seen = [], set()
    client.post("/portal/login", {"username": world[PortalAccount].username, "password": "portal password 123"})
    for url in _pages(app, world, lambda r: r.startswith("/portal")):
        _attack(client, url, problems, seen)
    company = db.session.get(type(world["user"].memberships[0].company), world[Card].company_id)
    send_requests(company, world["user"], world[Card].card_type, split_email_list("emp@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    from sqlalchemy import select

    body = db.session.scalars(select(OutboxEmail.body_text).order_by(OutboxEmail.id.desc())).first()
    link = re.search(r"(/r/[A-Za-z0-9_-]{30,})", body).group(1)
    for page in ("", "/address"):
        _attack(client, link + page, problems, seen)
    assert len(seen) >= 4, seen
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang,words", [("en", "more than 10000 characters"), ("sv", "fler än 10000 tecken")])
def test_an_overlong_field_gets_a_clear_page_in_the_page_language(client, db, world, lang, words):
    client.post("/portal/login", {"username": world[PortalAccount].username, "password": "portal password 123"})
    before = snapshot()
    resp = client.post(f"/portal/requests?lang={lang}", {"subject": "Hi", "notes": "x" * 10_001})
    assert resp.status_code == 400 and words in html_text(resp)
    assert [t for t in changed_tables(before, snapshot()) if t not in OWN_TABLES] == []


def _wtforms_classes():
    import importlib
    import pkgutil

    import wtforms

    from portal.infra.config import BASE_DIR

    for package in ("portal", "admin_views", "selfservice"):
        for info in pkgutil.walk_packages([str(BASE_DIR / package)], prefix=f"{package}."):
            if info.name.endswith(("seed", "cli")):
                continue
            module = importlib.import_module(info.name)
            for obj in vars(module).values():
                if isinstance(obj, type) and issubclass(obj, wtforms.Form) and obj.__module__ == module.__name__:
                    yield obj


def _unlimited(form_class) -> list[str]:
    from wtforms import StringField
    from wtforms.validators import EqualTo, Length

    missing = []
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        field_class = getattr(unbound, "field_class", None)
        if field_class and issubclass(field_class, StringField):
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            # EqualTo another field: bounded by that field's Length (a repeated password).
            if not any(isinstance(v, Length) and (v.max or -1) > 0 or isinstance(v, EqualTo) for v in validators):
                missing.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    return missing


def test_every_wtforms_string_field_has_a_length_validator(app):
    classes = list(_wtforms_classes())
    missing = [m for c in classes for m in _unlimited(c)]
    assert len(classes) >= 4, classes
    assert not missing, "String fields without Length(max=...):\n" + "\n".join(missing)


def test_every_model_screen_form_limits_its_text_fields(app, db, make_user):
    from flask_admin.model import BaseModelView

    missing = []
    with app.test_request_context():
        for view in app.extensions["admin"][0]._views:
            if isinstance(view, BaseModelView):
                missing += [f"{view.endpoint}: {m}" for m in _unlimited(view.get_form())]
    assert not missing, "\n".join(missing)
