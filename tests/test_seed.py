"""`make run` seeds a usable demo once, and never touches a database that has users; the demo shows the
product alive: a year of orders, cards in every status, requests in review with photos, print jobs."""
import io
import re
import time

from PIL import Image
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.cards.models import Card, CardStatus, CardStatusEvent
from portal.collection.models import CollectionRequest
from portal.customers.models import CustomerRequest, PortalAccount
from portal.demo.seed import DEMO_PASSWORD, seed_demo
from portal.infra import storage
from portal.ordering.models import Invoice, Order, OrderStatus
from portal.printing.models import PrintJob, PrintJobStatus
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


def _tile(page: str, endpoint: str) -> int:
    """The number on a dashboard tile."""
    found = re.search(rf'data-testid="tile-{re.escape(endpoint)}".*?<div class="stat">\s*(\d+)\s*</div>', page, re.S)
    assert found, f"no {endpoint} tile"
    return int(found.group(1))


def test_the_demo_is_alive_a_year_of_orders_cards_requests_and_print_jobs(client, db):
    started = time.monotonic()
    assert seed_demo() is True
    db.session.commit()
    assert time.monotonic() - started < 30  # a few seconds on SQLite; generous for a busy test machine
    assert set(db.session.scalars(select(Order.status).distinct())) == {s.value for s in OrderStatus}
    assert set(db.session.scalars(select(Card.status).distinct())) == {s.value for s in CardStatus}
    assert set(db.session.scalars(select(PrintJob.status).distinct())) == {s.value for s in PrintJobStatus}
    months = {(o.year, o.month) for o in db.session.scalars(select(Order.placed_at))}
    assert len(months) >= 12, "orders spread over a year"
    totals = list(db.session.scalars(select(Order.total)))
    assert min(totals) >= 49 and max(totals) < 5000 and sum(totals) > 20000  # amounts like a real customer's
    # a card's history: ordered, made, active and then blocked or terminated, each step dated
    blocked = db.session.scalar(select(Card).where(Card.status == "blocked").order_by(Card.id.desc()).limit(1))
    steps = db.session.scalars(select(CardStatusEvent.to_status).where(CardStatusEvent.card_id == blocked.id)
                               .order_by(CardStatusEvent.created_at)).all()
    assert steps[:3] == ["ordered", "in_production", "active"] and steps[-1] == "blocked"
    assert db.session.scalar(select(func.count()).select_from(Invoice)) > 50
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) > 100
    assert db.session.scalar(select(func.count()).select_from(CustomerRequest).where(
        CustomerRequest.status == "new")) == 1
    in_review = db.session.scalars(select(CollectionRequest).where(CollectionRequest.status == "in_review")).all()
    assert in_review and all(r.photo_key and storage.exists(r.photo_key) for r in in_review)
    with Image.open(io.BytesIO(storage.load(in_review[0].photo_key))) as photo:
        assert photo.size == (413, 531)  # the card's photo size, a portrait-like placeholder

    client.login("orderer@nordbygg.example", DEMO_PASSWORD)
    page = client.get("/admin/").get_data(as_text=True)
    assert _tile(page, "collection.pending") > 0 and _tile(page, "collection.review") > 0
    assert _tile(page, "orders.index_view") > 0 and _tile(page, "cart.index") > 0
    assert _tile(page, "print_queue.index_view") > 0
    status_chart = re.search(r'class="status-chart".*?</div>\s*</div>\s*</div>', page, re.S).group(0)
    assert re.search(r">\s*[1-9]\d*\s*<", status_chart), "the cards per status chart has numbers"
    review = client.get("/admin/collection/review").get_data(as_text=True)
    assert "/admin/collection/proof/" in review and "/admin/collection/photo/" in review
    report = client.get("/admin/reports/?from=2000-01-01").get_data(as_text=True)
    assert report.count("<tr>") > 10, "the report lists the demo cards"
    client.post("/logout")
    client.login("approver@nordbygg.example", DEMO_PASSWORD)
    assert _tile(client.get("/admin/").get_data(as_text=True), "approvals.index") > 0
