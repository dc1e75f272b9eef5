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
    _order_history_and_pending(db, client)


def _order_history_and_pending(db, client) -> None:
    """Order history and Data collection > Pending of the big company: the first page and a search per kind
    of thing a person types (issue 16: p50 < 25 ms for the first page, < 50 ms for any search)."""
    from sqlalchemy import func, select

    from portal.collection.models import CollectionRequest
    from portal.ordering.models import Order, OrderLine

    orders = db.session.scalar(select(func.count()).select_from(Order))
    requests = db.session.scalar(select(func.count()).select_from(CollectionRequest))
    number, holder = db.session.execute(
        select(Order.number, OrderLine.holder_name).join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.company_id == 1).order_by(Order.id).offset(1000).limit(1)).one() or ("B0001", "Anna Berg")
    email, name = db.session.execute(
        select(CollectionRequest.email, CollectionRequest.name).where(
            CollectionRequest.company_id == 1, CollectionRequest.status == "pending")
        .order_by(CollectionRequest.id).offset(500).limit(1)).one()
    surname = holder.split(" ")[-1]
    bare = timed(lambda: db.session.execute(select(Order.id).where(Order.company_id == 1).order_by(
        Order.placed_at.desc()).limit(20)).all())[0]
    pages = (
        (f"Order history ({orders:,} orders), first page", "/admin/orders/", 0.025),
        ("Order history search: order number exact", f"/admin/orders/?search={number}", 0.05),
        ("Order history search: order number prefix", f"/admin/orders/?search={number[:5]}", 0.05),
        ("Order history search: orderer name part 'anna'", "/admin/orders/?search=anna", 0.05),
        ("Order history search: holder name part", f"/admin/orders/?search={surname[1:6]}", 0.05),
        ("Order history search: very common term 'son'", "/admin/orders/?search=son", 0.05),
        ("Order history search: orderer email", "/admin/orders/?search=anna.", 0.05),
        ("Order history search: rare term (no order)", "/admin/orders/?search=zzqx", 0.05),
        (f"Data collection: pending ({requests:,} requests), first page", "/admin/collection/pending", 0.025),
        ("Data collection: pending search: whole email", f"/admin/collection/pending?q={email}", 0.05),
        ("Data collection: pending search: email prefix", f"/admin/collection/pending?q={email[:6]}", 0.05),
        ("Data collection: pending search: name part", f"/admin/collection/pending?q={name.split()[-1][1:6]}",
         0.05),
        ("Data collection: pending search: common term 'ander'", "/admin/collection/pending?q=ander", 0.05),
        ("Data collection: pending search: rare term", "/admin/collection/pending?q=zzqx", 0.05),
        ("Data collection: in review", "/admin/collection/review", 0.05),
    )
    for label, url, limit in pages:
        figures = timed(lambda url=url: get_ok(client, url), 7)
        report(f"{label}, server time", figures, "bare 20-row index read", bare,
               target=f"p50 < {limit * 1000:.0f} ms", met=figures[0] < limit)
