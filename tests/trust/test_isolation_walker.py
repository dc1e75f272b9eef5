"""Tenant isolation, generated from the URL map: company A's admin attacks every route with company B's ids.

Every rule in `app.url_map` is attacked. Flask-Admin model screens are recognised by their standard
endpoints (list, details, edit, delete, create, export, actions, ajax lookup and update) and
operator-only screens by their declared `operator_only`; every other route must be classified in
ROUTES below, or this test fails and says how. After every attempt the whole database is compared
with its state before: nothing may change.
"""
from __future__ import annotations

import pytest
from flask_admin.model import BaseModelView

from portal.cards.models import Card, CardChange
from portal.catalog.models import CardType
from portal.collection.models import CollectionRequest
from portal.customers.models import CustomerRequest, PortalAccount, ResourceFile, ResourceFolder
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.ordering.models import Address, CartItem, Invoice, Order
from portal.printing.models import Printer, PrintJob
from portal.reports.models import SavedReport
from portal.security.api_keys import create_api_key
from portal.security.models import ApiKey
from portal.tenancy.models import Company, Membership
from portal.tenancy.ownership import is_company_owned
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.trust.helpers import changed_tables, snapshot, uncovered_tables

MARK_B = "BetaAB"  # every row of company B carries it (tests/fixtures/world.py)
MODEL_VIEW_METHODS = {"index_view", "details_view", "edit_view", "delete_view", "create_view", "export",
                      "action_view", "ajax_lookup", "ajax_update"}

# How company A's admin attacks each route that is not a standard model-screen route.
#   ("ids", {url parameter: model})   company B's row in the URL: GET (and POST) answer 403 or 404
#   ("form", {form field: model})     company B's row in the POST body: answers 403 or 404
#   ("list", None)                    a page of company A's own data: company B's rows never appear on it
#   ("own", why)                      acts on the user's own session or cart and names no row: not attackable by id
#   ("public", why)                   shows no company data
#   ("portal", None) / ("link", None) attacked by the customer-portal and personal-link tests below
#   ("api", {url parameter: Model})   the integration API, attacked with company A's API key (every scope):
#                                     company B's row answers 404, lists never show company B's rows
ROUTES: dict[str, tuple] = {
    "static": ("public", "the product's own CSS and JS"),
    "company_api_keys.index": ("list", None),
    "company_api_keys.revoke": ("ids", {"key_id": ApiKey}),
    "api-docs.openapi_json": ("public", "the API's description, the same for everyone"),
    "api_docs.docs": ("public", "the API's documentation page"),
    "api_docs.assets": ("public", "the documentation page's bundled JS and CSS"),
    "api_card_types.list_card_types": ("api", {}),
    "api_accessories.list_accessories": ("api", {}),
    "api_cards.list_cards": ("api", {}),
    "api_cards.get_card": ("api", {"card_id": Card}),
    "api_cards.get_card_photo": ("api", {"card_id": Card}),
    "api_cards.block": ("api", {"card_id": Card}),
    "api_cards.unblock": ("api", {"card_id": Card}),
    "api_cards.terminate": ("api", {"card_id": Card}),
    "api_cards.request_change": ("api", {"card_id": Card}),
    "api_orders.list_orders": ("api", {}),
    "api_orders.create_order": ("api", {}),
    "api_orders.get_order": ("api", {"order_id": Order}),
    "api_collection.list_requests": ("api", {}),
    "api_collection.invite": ("api", {}),
    "api_collection.get_request": ("api", {"request_id": CollectionRequest}),
    "api_collection.remind": ("api", {"request_id": CollectionRequest}),
    "api_collection.remove": ("api", {"request_id": CollectionRequest}),
    "api_addresses.list_addresses": ("api", {}),
    "api_addresses.create_address": ("api", {}),
    "api_addresses.get_address": ("api", {"address_id": Address}),
    "api_addresses.update_address": ("api", {"address_id": Address}),
    "api_addresses.delete_address": ("api", {"address_id": Address}),
    "api_print_jobs.list_print_jobs": ("api", {}),
    "api_print_jobs.get_print_job": ("api", {"job_id": PrintJob}),
    "api_audit.list_audit_events": ("api", {}),
    "admin.static": ("public", "Flask-Admin's bundled CSS and JS"),
    "theme_css": ("public", "the palette of the colour in its URL: CSS variables, no company data"),
    "auth.home": ("public", "redirects to the sign-in page or the dashboard"),
    "auth.login": ("public", "the sign-in form"),
    "auth.accessibility": ("public", "the accessibility statement"),
    "auth.logout": ("own", "signs the current user out"),
    "auth.set_language": ("own", "stores the user's own language"),
    "auth.find_company": ("own", "searches only the companies the user has a role in (tenancy.operations.find_companies)"),
    "auth.sign_out_everywhere": ("own", "ends the current user's other sessions"),
    "password_reset.forgot": ("public", "asks for a reset email; answers the same whether the address exists or not"),
    "password_reset.reset": ("link", None),
    "two_factor.sign_in_code": ("public", "second sign-in step of the user who just gave a password"),
    "two_factor.settings": ("own", "the current user's own two-step sign-in"),
    "two_factor.change": ("own", "new recovery codes or turning off the current user's own two-step sign-in"),
    "auth.account": ("list", None),
    "auth.accept_invite": ("link", None),
    "auth.answer_invitation": ("ids", {"membership_id": Membership}),
    "auth.sign_in_link": ("public", "a signed one-time link to the user's own sign-in; shows only that user's email"),
    "auth.switch_company": ("form", {"company_id": Company}),
    "auth.company_logo": ("ids", {"company_id": Company}),
    "admin.index": ("list", None),
    "order_cards.index": ("list", None),
    "order_cards.accessories": ("list", None),
    "cart.index": ("list", None),
    "cart.checkout": ("form", {"address_id": Address}),
    "cart.clear": ("own", "empties the user's own cart"),
    "cart.edit": ("ids", {"item_id": CartItem}),
    "cart.quantity": ("ids", {"item_id": CartItem}),
    "cart.remove": ("ids", {"item_id": CartItem}),
    "cart.photo": ("ids", {"item_id": CartItem}),
    "cart.proof": ("ids", {"item_id": CartItem}),
    "order_cards.proof": ("form", {"card_type": CardType}),
    "cart.replace": ("ids", {"item_id": CartItem}),  # another company's card_id: tests/ordering/test_same_person.py
    "orders.cancel": ("form", {"id": Order}),
    "orders.confirmation_pdf": ("ids", {"order_id": Order}),
    "company_card_fees.index": ("list", None),
    "company_card_fees.invoice": ("ids", {"invoice_id": Invoice}),
    "approvals.index": ("list", None),
    "approvals.decide": ("form", {"id": Order}),
    "cards.index": ("list", None),
    "cards.details": ("ids", {"card_id": Card}),
    "cards.change": ("ids", {"card_id": Card}),
    "cards.photo": ("ids", {"card_id": Card}),
    "cards.production": ("ids", {"card_id": Card}),
    "cards.status": ("ids", {"card_id": Card}),
    "cards.bulk": ("form", {"card_id": Card}),
    "cards.export": ("list", None),
    "cards.replace": ("ids", {"card_id": Card}),
    "cards.print_card": ("ids", {"card_id": Card}),
    "cards.change_photo": ("ids", {"card_id": Card, "change_id": CardChange}),
    "printers.test_page": ("ids", {"printer_id": Printer}),
    "printers.toggle": ("ids", {"printer_id": Printer}),
    "print_queue.reprint": ("ids", {"job_id": PrintJob}),
    "collection.index": ("list", None),
    "collection.parse_emails": ("own", "only parses the pasted text; stores nothing"),
    "collection.pending": ("list", None),
    "collection.remove": ("ids", {"request_id": CollectionRequest}),
    "collection.resend": ("ids", {"request_id": CollectionRequest}),
    "collection.remind_all": ("own", "reminds the current company's pending requests"),
    "collection.photo": ("ids", {"request_id": CollectionRequest}),
    "collection.proof": ("ids", {"request_id": CollectionRequest}),
    "collection.review": ("list", None),
    "collection.approve": ("ids", {"request_id": CollectionRequest}),
    "collection.edit": ("ids", {"request_id": CollectionRequest}),
    "collection.print_now": ("ids", {"request_id": CollectionRequest}),
    "collection.reject": ("ids", {"request_id": CollectionRequest}),
    "collection.remove_card": ("ids", {"request_id": CollectionRequest}),
    "collection.approve_all": ("own", "approves the current company's requests in review"),
    "collection.send": ("form", {"address_id": Address}),
    "collection.template": ("list", None),
    "collection.upload": ("form", {"address_id": Address}),
    "reports.index": ("list", None),
    "reports.save": ("own", "saves a report of the current company; recipients outside it are dropped (tests/reports)"),
    "reports.open_saved": ("ids", {"report_id": SavedReport}),
    "reports.delete_saved": ("ids", {"report_id": SavedReport}),
    "reports.saved_excel": ("ids", {"report_id": SavedReport}),
    "orders.ship": ("form", {"id": Order}),
    "auth.notifications": ("own", "the current user's own email choices"),
    "company_settings.index": ("list", None),
    "company_settings.retention_preview": ("list", None),
    "company_users.index": ("list", None),
    "company_users.change": ("ids", {"membership_id": Membership}),
    "print_queue.create_view": ("form", {"card": Card, "printer": Printer}),
    "company_webhooks.index": ("list", None),
    "company_privacy.index": ("list", None),
    "company_privacy.records": ("list", None),
    "company_privacy.find": ("list", None),  # the POSTed search: tests/privacy/test_privacy_screens.py
    "company_privacy.person": ("ids", {"kind": ("literal", "card"), "row_id": Card}),
    "company_privacy.export": ("ids", {"kind": ("literal", "card"), "row_id": Card}),
    "company_privacy.erase": ("ids", {"kind": ("literal", "card"), "row_id": Card}),
    "company_webhooks.details": ("ids", {"endpoint_id": WebhookEndpoint}),
    "company_webhooks.change": ("ids", {"endpoint_id": WebhookEndpoint}),
    "company_webhooks.again": ("ids", {"endpoint_id": WebhookEndpoint, "delivery_id": WebhookDelivery}),
}
# What a POST carries besides the victim's ids: values that would make each screen change something.
HOSTILE_BODY = {"what": "deactivate", "role": "viewer", "decision": "approve", "status": "blocked",
                "action": "terminate", "name": "Hacked", "first_name": "Hacked", "reason": "x", "chip_uid": "X"}
PORTAL_ROUTES = {"customer.job": {"order_id": Order}, "customer.invoice": {"invoice_id": "Invoice"},
                 "customer.download": {"file_id": ResourceFile}}
HOW_TO_CLASSIFY = (
    "Route {rule} (endpoint {endpoint!r}) is not classified for the tenant-isolation walker. Add it to "
    "ROUTES in tests/trust/test_isolation_walker.py: ('ids', {{url parameter: Model}}) if it names a row "
    "in its URL, ('form', {{field: Model}}) if it takes row ids in its POST body, ('list', None) for a "
    "page of the company's own data, ('own', why) or ('public', why) otherwise."
)


# Link tables (company <-> row) are covered by the world's row of the model they link.
# Link tables, and rows no route names (an API key's remembered answers are read only by that key's own
# requests), covered through the model they belong to.
# Bodies of API writes that name company B's rows (a valid body otherwise, so only the row can refuse it).
API_BODIES = {"api_collection.invite": lambda victim: {"card_type_id": victim(CardType).id, "address_id": victim(Address).id,
                                                        "people": [{"email": "hacked@example.com"}]},
              "api_addresses.update_address": lambda victim: {"name": "Hacked"},
              "api_cards.request_change": lambda victim: {"values": {"first_name": "Hacked"}},
              "api_addresses.create_address": lambda victim: {"name": "x", "street": "x"},
              "api_orders.create_order": lambda victim: {
                  "lines": [{"card_type_id": victim(CardType).id, "replaces_card_id": victim(Card).id,
                             "fields": {"first_name": "Hacked", "last_name": "Hacked"}}],
                  "address_id": victim(Address).id}}

COVERED_THROUGH = {"resource_folder_company": ResourceFolder, "resource_file_company": ResourceFile,
                   "api_idempotency": ApiKey}


def test_the_world_holds_a_row_of_every_company_owned_table(db, make_company, make_world):
    world = make_world(make_company("Beta AB"))
    missing = uncovered_tables(db.metadata, world, COVERED_THROUGH)
    assert not missing, "\n".join(missing)


def test_a_new_company_owned_table_the_world_does_not_know_fails_with_a_message(db, make_company, make_world):
    from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

    metadata = MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table("gadget", metadata, Column("id", Integer, primary_key=True), Column("company_id", ForeignKey("company.id")))
    Table("gadget_part", metadata, Column("id", Integer, primary_key=True),
          Column("gadget_id", ForeignKey("gadget.id"), nullable=False))
    missing = uncovered_tables(metadata, make_world(make_company("Beta AB")), COVERED_THROUGH)
    assert len(missing) == 2, missing
    assert missing[0].startswith("Table gadget is company-owned (it has a company_id column)")
    assert missing[1].startswith("Table gadget_part is company-owned (it belongs to a row of gadget through gadget_id)")
    assert all("make_world in tests/fixtures/world.py" in m for m in missing)


def _view_of(app, endpoint: str):
    admin = app.extensions["admin"][0]
    prefix = endpoint.split(".", 1)[0]
    return next((v for v in admin._views if v.endpoint == prefix), None)


def classify(app, rule) -> tuple:
    if rule.endpoint in ROUTES:
        return ROUTES[rule.endpoint]
    view = _view_of(app, rule.endpoint)
    method = rule.endpoint.split(".", 1)[-1]
    if view is not None and getattr(view, "operator_only", False):
        return ("operator", None)
    if view is not None and isinstance(view, BaseModelView) and method in MODEL_VIEW_METHODS:
        return ("model", method)
    if rule.endpoint.startswith("customer."):
        return ("portal", None)
    if rule.endpoint.startswith("employee."):
        return ("link", None)
    return None


def test_every_route_is_classified(app):
    missing = [HOW_TO_CLASSIFY.format(rule=r.rule, endpoint=r.endpoint) for r in app.url_map.iter_rules()
               if not r.rule.startswith("/_test") and classify(app, r) is None]
    assert not missing, "\n".join(missing)


def test_a_new_unclassified_route_fails_the_walker_with_a_message(tmp_path):
    from app import create_app

    other = create_app({"ENV_NAME": "testing", "TESTING": True, "SECRET_KEY": "x" * 48,
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/walker.db",
                        "STORAGE_DIR": str(tmp_path / "files"), "SCHEDULER_ENABLED": False})
    other.add_url_rule("/admin/new-screen/<int:thing_id>", "new_screen.show", lambda thing_id: "")
    unclassified = [r for r in other.url_map.iter_rules() if classify(other, r) is None]
    assert [r.endpoint for r in unclassified] == ["new_screen.show"]
    message = HOW_TO_CLASSIFY.format(rule=unclassified[0].rule, endpoint=unclassified[0].endpoint)
    assert "/admin/new-screen/<int:thing_id>" in message and "ROUTES in tests/trust/test_isolation_walker.py" in message


@pytest.fixture()
def attack(app, client, db, make_company, make_world, make_user):
    a, b = make_company("Alfa AB"), make_company("Beta AB")
    world_a, world_b = make_world(a), make_world(b)
    b.logo_key = storage.save(b"\x89PNG fake logo of BetaAB", "logo", "png")
    db.session.commit()
    world_b[Company] = b
    client.login(world_a["user"].email)

    def victim(model):
        if isinstance(model, str):
            model = next(m for m in world_b if getattr(m, "__name__", "") == model)
        return world_b[model]

    return client, victim, world_a, world_b


def _refused(resp) -> bool:
    return resp.status_code in (403, 404)


def _url(rule, values: dict) -> str:
    from werkzeug.routing import Map

    adapter = Map([rule.empty()]).bind("localhost")
    return adapter.build(rule.endpoint, values)


def _attack_model_route(client, app, rule, method, world_b, failures):
    view = _view_of(app, rule.endpoint)
    base = view.url.rstrip("/") + "/"
    row = world_b.get(view.model)
    body = lambda resp: resp.get_data(as_text=True)  # noqa: E731
    if method == "index_view":
        for query in ("", "?search=Beta"):
            resp = client.get(base + query)
            if MARK_B in body(resp):
                failures.append(f"{rule.endpoint}{query}: shows company B's rows")
        return
    if method == "export":
        for kind in view.export_types if view.can_export else ():
            resp = client.get(f"{base}export/{kind}/")
            if MARK_B.encode() in resp.get_data():
                failures.append(f"{rule.endpoint} {kind}: exports company B's rows")
        return
    if method == "create_view":
        resp = client.get(f"{base}new/")
        if MARK_B in body(resp):
            failures.append(f"{rule.endpoint}: the new-row form offers company B's rows")
        return
    if method == "ajax_lookup":
        for name in (getattr(view, "_form_ajax_refs", None) or {}):
            resp = client.get(f"{base}ajax/lookup/?name={name}&query=Beta")
            if MARK_B in body(resp):
                failures.append(f"{rule.endpoint} {name}: ajax lookup lists company B's rows")
        return
    if row is None:
        if is_company_owned(view.model):
            failures.append(f"{rule.endpoint}: the world has no {view.model.__name__} to attack; add one to make_world "
                            "in tests/fixtures/world.py")
        return
    attempts = {
        "details_view": lambda: client.get(f"{base}details/?id={row.id}"),
        "edit_view": lambda: [client.get(f"{base}edit/?id={row.id}"),
                              client.post(f"{base}edit/?id={row.id}", {"name": "Hacked"})],
        "delete_view": lambda: client.post(f"{base}delete/", {"id": row.id, "url": base}),
        "action_view": lambda: [client.post(f"{base}action/", {"action": name, "rowid": row.id, "url": base})
                                for name, _label in view._actions] or [client.post(f"{base}action/", {
                                    "action": "delete", "rowid": row.id, "url": base})],
        "ajax_update": lambda: client.post(f"{base}ajax/update/", {"pk": row.id, "list_form_pk": row.id,
                                                                    "name": "Hacked"}),
    }
    responses = attempts[method]()
    for resp in responses if isinstance(responses, list) else [responses]:
        if not _refused(resp):
            failures.append(f"{rule.endpoint} with company B's {view.model.__name__}: {resp.status_code}")


def test_company_a_admin_cannot_reach_company_b_through_any_route(app, db, attack):
    client, victim, _world_a, world_b = attack
    failures: list[str] = []
    walked: dict[str, int] = {}
    key_a, secret = create_api_key(db.session.get(Company, _world_a[Membership].company_id), None, name="Walker",
                                   scopes=["read", "order", "collect", "cards"])
    key_a.last_used_at = utcnow()  # its last use is not written again during the walk (the snapshot stays equal)
    db.session.commit()
    api_headers = {"Authorization": f"Bearer {secret}"}
    before = snapshot()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/_test"):
            continue
        kind, detail = classify(app, rule) or (None, None)
        assert kind is not None, HOW_TO_CLASSIFY.format(rule=rule.rule, endpoint=rule.endpoint)
        walked[kind] = walked.get(kind, 0) + 1
        if kind == "model":
            _attack_model_route(client, app, rule, detail, world_b, failures)
        elif kind == "operator":
            values = {arg: "1" if arg != "kind" else "file" for arg in rule.arguments}
            url = _url(rule, values)
            for method in sorted(rule.methods & {"GET", "POST"}):
                resp = client.get(url) if method == "GET" else client.post(url, {})
                if not _refused(resp):
                    failures.append(f"{rule.endpoint} (operator only) answered {resp.status_code} to a company admin")
        elif kind == "ids":
            url = _url(rule, {arg: model[1] if isinstance(model, tuple) else victim(model).id
                              for arg, model in detail.items()})
            resp = client.get(url) if "GET" in rule.methods else client.post(url, HOSTILE_BODY)
            if not _refused(resp):
                failures.append(f"{rule.endpoint} {url}: answered {resp.status_code}")
            if "GET" in rule.methods and "POST" in rule.methods:
                resp = client.post(url, HOSTILE_BODY)
                if not _refused(resp):
                    failures.append(f"POST {rule.endpoint} {url}: answered {resp.status_code}")
        elif kind == "form":
            data = {field: victim(model).id for field, model in detail.items()}
            data.update(HOSTILE_BODY)
            resp = client.post(_url(rule, {}), data)
            if not _refused(resp):
                failures.append(f"POST {rule.endpoint} with company B's {sorted(detail)}: {resp.status_code}")
        elif kind == "api":
            url = _url(rule, {arg: victim(model).id for arg, model in detail.items()})
            for method in sorted(rule.methods & {"GET", "POST", "PATCH", "DELETE"}):
                body = API_BODIES[rule.endpoint](victim) if rule.endpoint in API_BODIES else {"reason": "Hacked"}
                resp = client.open(url, method=method, headers=api_headers,
                                   json=body if method in ("POST", "PATCH") else None)
                if rule.endpoint in API_BODIES and not detail and resp.status_code < 400:
                    failures.append(f"{method} {rule.endpoint} naming company B's rows: {resp.status_code}")
                if detail and resp.status_code != 404:
                    failures.append(f"{method} {rule.endpoint} {url} with company A's key: {resp.status_code}")
                if MARK_B in resp.get_data(as_text=True):
                    failures.append(f"{method} {rule.endpoint} with company A's key: shows company B's data")
        elif kind == "list" and "GET" in rule.methods:
            resp = client.get(_url(rule, {}))
            if MARK_B.encode() in resp.get_data():  # bytes: a list may be a file (a PDF)
                failures.append(f"{rule.endpoint}: shows company B's data")
        after = snapshot()
        if after != before:
            failures.append(f"{rule.endpoint}: changed {changed_tables(before, after)}")
            before = after
    assert not failures, "\n".join(failures)
    assert walked.get("model", 0) >= 40 and walked.get("ids", 0) >= 15 and walked.get("operator", 0) >= 30, walked


@pytest.fixture()
def portal_pair(db, attack, make_company):
    from portal.customers.models import PortalSettings
    from portal.security.passwords import hash_password

    client, victim, world_a, world_b = attack
    settings = db.session.get(PortalSettings, 1) or PortalSettings(id=1)
    settings.enabled = True
    settings.sections = ["overview", "jobs", "invoices", "resources", "requests"]
    db.session.add(settings)
    account = world_a[PortalAccount]
    account.password_hash = hash_password("portal password 123")
    account.access_right.can_view_invoices = account.access_right.can_view_resources = True
    db.session.commit()
    client.post("/logout")
    resp = client.post("/portal/login", {"username": account.username, "password": "portal password 123"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client, victim


def test_customer_portal_account_of_a_cannot_reach_company_b(app, db, portal_pair):
    client, victim = portal_pair
    failures = []
    before = snapshot()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("customer."):
            continue
        if rule.endpoint in PORTAL_ROUTES:
            url = _url(rule, {arg: victim(model).id for arg, model in PORTAL_ROUTES[rule.endpoint].items()})
            resp = client.get(url)
            if not _refused(resp):
                failures.append(f"{url}: {resp.status_code}")
        elif not rule.arguments and "GET" in rule.methods:
            resp = client.get(rule.rule)
            if MARK_B in resp.get_data(as_text=True):
                failures.append(f"{rule.rule}: shows company B's data")
        elif rule.arguments - {"token"}:
            failures.append(f"{rule.endpoint} takes {rule.arguments}: add it to PORTAL_ROUTES")
    resp = client.post("/portal/requests", {"subject": "x", "company_id": victim(Company).id,
                                            "account_id": victim(PortalAccount).id})
    assert not failures, "\n".join(failures)
    from sqlalchemy import select

    db.session.expire_all()
    new = db.session.scalars(select(CustomerRequest).where(CustomerRequest.subject == "x")).all()
    assert len(new) == 1 and new[0].company_id != victim(Company).id, "a request was filed under company B"
    after = snapshot()
    assert set(changed_tables(before, after)) <= {"customer_request", "audit_event"}, changed_tables(before, after)
