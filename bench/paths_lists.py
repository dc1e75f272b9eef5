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
    _in_review_at_size(app, db)
    _order_history_and_pending(db, client)


def _in_review_at_size(app, db) -> None:
    """Data collection > In review of a company with 10,000 and then 100,000 cards waiting (issue 16):
    the page's p50 and its HTML weight (proofs are lazy images, fetched only when scrolled to)."""
    from sqlalchemy import delete, select

    from portal.collection.models import CollectionRequest
    from portal.infra.bulk import insert_rows
    from portal.infra.db_types import utcnow

    company_id = 2
    card_type_id = db.session.scalar(select(CollectionRequest.card_type_id).limit(1))
    client = signed_in_client(app, db, company_id, operator=True)
    now, made = utcnow(), 0
    try:
        for size in (10_000, 100_000):
            rows = [{"company_id": company_id, "card_type_id": card_type_id, "email": f"review{i}@bench.example",
                     "name": f"Review {i}", "language": "sv", "status": "in_review", "address_fixed": False,
                     "data": {"first_name": "Anna", "last_name": f"Berg {i}"}, "rejection_reason": "",
                     "reminders_sent": 0, "submitted_at": now, "created_at": now, "updated_at": now}
                    for i in range(made, size)]
            for start in range(0, len(rows), 20_000):
                insert_rows(CollectionRequest.__table__, rows[start:start + 20_000])
            db.session.commit()
            made = size
            figures = timed(lambda: get_ok(client, "/admin/collection/review"), 7)
            report(f"Data collection: in review with {size:,} waiting, server time", figures,
                   target="p50 < 50 ms", met=figures[0] < 0.05)
            weight = len(get_ok(client, "/admin/collection/review").get_data())
            note(f"Data collection: in review with {size:,} waiting, page weight", f"{weight / 1024:6.1f} KB HTML",
                 target="< 200 KB", met=weight < 200 * 1024, bytes=weight)
    finally:
        db.session.rollback()
        db.session.execute(delete(CollectionRequest).where(CollectionRequest.company_id == company_id,
                                                           CollectionRequest.email.like("review%@bench.example")))
        db.session.commit()


def _order_history_and_pending(db, client) -> None:
    """Order history and Data collection > Pending of the big company: the first page and a search per kind
    of thing a person types (issue 16: p50 < 25 ms for the first page, < 50 ms for any search). Each line
    also gives the same page's query alone (the portal operation, without rendering), and compares with
    an admin page that has no list (an order's details: a few lookups by id), the floor of any page."""
    from sqlalchemy import func, select

    from portal.collection.models import CollectionRequest
    from portal.collection.pending import pending_page
    from portal.ordering.history import search_orders
    from portal.ordering.models import Order, OrderLine
    from portal.tenancy.models import Company

    company = db.session.get(Company, 1)
    orders = db.session.scalar(select(func.count()).select_from(Order))
    requests = db.session.scalar(select(func.count()).select_from(CollectionRequest))
    order_id, number, holder = db.session.execute(
        select(Order.id, Order.number, OrderLine.holder_name).join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.company_id == 1).order_by(Order.id).offset(min(1000, orders // 25)).limit(1)).one()
    email, name = db.session.execute(
        select(CollectionRequest.email, CollectionRequest.name).where(
            CollectionRequest.company_id == 1, CollectionRequest.status == "pending")
        .order_by(CollectionRequest.id).offset(min(500, requests // 50)).limit(1)).one()
    surname = holder.split(" ")[-1]
    floor = timed(lambda: get_ok(client, f"/admin/orders/details/?id={order_id}"), 7)[0]

    def first_orders():
        return db.session.scalars(select(Order).where(Order.company_id == 1).order_by(
            Order.placed_at.desc()).limit(21)).all()

    order_terms = (("order number exact", number), ("order number prefix", number[:5]),
                   ("orderer name part 'anna'", "anna"), ("holder name part", surname[1:6]),
                   ("very common term 'son'", "son"), ("orderer email", "anna."), ("rare term (no order)", "zzqx"))
    pending_terms = (("whole email", email), ("email prefix", email[:6]), ("name part", name.split()[-1][1:6]),
                     ("common term 'ander'", "ander"), ("rare term", "zzqx"))
    pages = [(f"Order history ({orders:,} orders), first page", "/admin/orders/", 0.025, first_orders)]
    pages += [(f"Order history search: {label}", f"/admin/orders/?search={q}", 0.05,
               lambda q=q: search_orders(company, q, per_page=20)) for label, q in order_terms]
    pages += [(f"Data collection: pending ({requests:,} requests), first page", "/admin/collection/pending", 0.025,
               lambda: pending_page(company))]
    pages += [(f"Data collection: pending search: {label}", f"/admin/collection/pending?q={q}", 0.05,
               lambda q=q: pending_page(company, q)) for label, q in pending_terms]
    pages += [("Data collection: in review", "/admin/collection/review", 0.05, None)]
    for label, url, limit, query in pages:
        figures = timed(lambda url=url: get_ok(client, url), 7)
        report(f"{label}, server time", figures, "a page without a list", floor,
               target=f"p50 < {limit * 1000:.0f} ms", met=figures[0] < limit)
        if query is not None:
            alone = timed(query, 7)
            report(f"  (its query alone) {label}", alone, target=f"p50 < {limit * 1000:.0f} ms",
                   met=alone[0] < limit)
