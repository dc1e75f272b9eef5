"""List screens: SQL statements per page at two page sizes (constant means no N+1), and search speed."""
from __future__ import annotations

from flask import url_for
from werkzeug.routing import BuildError

from bench.clients import get_ok, signed_in_client
from bench.harness import count_statements, note, report, timed

# (screen, endpoint, query argument for the page size or None, the two sizes).
LIST_VIEWS = (
    ("Handle cards", "cards.index", "per_page", (25, 100)),
    ("Order history", "orders.index_view", "page_size", (10, 100)),
    ("Data collection: pending", "collection.pending", None, (25, 25)),
    ("Data collection: in review", "collection.review", None, (0, 0)),
    ("Approvals", "approvals.index", None, (0, 0)),
    ("Addresses", "addresses.index_view", "page_size", (10, 100)),
    ("Audit log", "audit.index_view", "page_size", (10, 100)),
    ("Printers", "printers.index_view", "page_size", (10, 100)),
    ("Print queue", "print_queue.index_view", "page_size", (10, 100)),
    ("Company users", "company_users.index", None, (0, 0)),
    ("Customer accounts", "portal_accounts.index", None, (0, 0)),
    ("Customer resources", "portal_resources.index", None, (0, 0)),
    ("Customer requests", "customer_requests.index_view", "page_size", (10, 100)),
    ("Access rights", "access_rights.index_view", "page_size", (10, 100)),
    ("Operator: companies", "op_companies.index_view", "page_size", (10, 100)),
    ("Operator: card types", "op_card_types.index_view", "page_size", (10, 100)),
    ("Operator: accessories", "op_accessories.index_view", "page_size", (10, 100)),
    ("Operator: all users", "op_users.index_view", "page_size", (10, 100)),
)


def _statements(app, db, client, url: str) -> int:
    with count_statements(db.engine) as n:
        get_ok(client, url)
    return n[0]


def run(app, db) -> None:
    client = signed_in_client(app, db)
    operator = signed_in_client(app, db, operator=True)
    for label, endpoint, size_arg, (small, big) in LIST_VIEWS:
        with app.test_request_context():
            try:
                urls = [url_for(endpoint, **({size_arg: size} if size_arg else {})) for size in (small, big)]
            except BuildError:
                note(f"statements per page: {label}", f"no screen {endpoint}")
                continue
        with app.app_context():
            who = operator if client.get(urls[0]).status_code == 403 else client
        a = _statements(app, db, who, urls[0])
        b = _statements(app, db, who, urls[1])
        sizes = f"page size {small}: {a:3d}, page size {big}: {b:3d}" if small != big else f"one page: {a:3d}"
        note(f"statements per page: {label}", sizes, target="constant", met=a == b,
             small=a, big=b)
    for label, url in (("Data collection: pending search", "/admin/collection/pending?q=ander"),
                       ("Data collection: pending, no search", "/admin/collection/pending"),
                       ("Data collection: in review", "/admin/collection/review"),
                       ("Order history, first page", "/admin/orders/"),
                       ("Order history search by number", "/admin/orders/?search=B0001"),
                       ("Order history search by holder/orderer", "/admin/orders/?search=anna")):
        figures = timed(lambda url=url: get_ok(client, url), 5)
        report(f"{label}, server time", figures, target="p50 < 50 ms", met=figures[0] < 0.05)
