"""The demo data shows the card screens, reports, dashboard and customer portal with something in them."""
from sqlalchemy import func, select

from portal.cards.models import Card, CardChange
from portal.demo.seed import DEMO_PASSWORD, seed_demo
from portal.printing.models import PrintJob
from tests.conftest import html_text


def test_demo_has_cards_in_every_status_with_history_print_job_and_pending_change(client, db):
    assert seed_demo() is True
    db.session.commit()  # the caller commits (flask seed, flask serve)
    statuses = dict(db.session.execute(select(Card.status, func.count()).group_by(Card.status)).all())
    assert set(statuses) == {"ordered", "in_production", "active", "blocked", "terminated"}
    assert db.session.scalar(select(func.count()).select_from(CardChange).where(CardChange.state == "pending")) == 1
    job_states = set(db.session.scalars(select(PrintJob.status).distinct()))
    assert job_states == {"queued", "printing", "printed", "failed", "cancelled"}
    client.login("orderer@nordbygg.example", DEMO_PASSWORD)
    listing = html_text(client.get("/admin/cards/?q=Nyström"))
    assert "Elsa Nyström" in listing and "Spärrat" in listing  # Swedish orderer: blocked
    elsa = db.session.scalar(select(Card).where(Card.holder_name == "Elsa Nyström"))
    details = html_text(client.get(f"/admin/cards/{elsa.id}"))
    assert "10000001" in details and "MIFARE DESFire EV3" in details
    assert "Lager" in details  # the pending change is visible on the card (its choice in Swedish: Warehouse)
    change_form = client.get(f"/admin/cards/{elsa.id}/change").get_data(as_text=True)
    assert '<select class="form-control" id="f-department"' in change_form  # a choice field stays a choice
    day = elsa.created_at.date().isoformat()
    report = html_text(client.get(f"/admin/reports/?from={day}&to={day}"))
    assert "Elsa Nyström" in report
    login_page = client.get("/portal/login").get_data(as_text=True)
    assert "/portal/logo.png" in login_page  # the operator's logo on the sign-in page
    logo = client.get("/portal/logo.png")
    assert logo.status_code == 200 and logo.data.startswith(b"\x89PNG")
    logo.close()
    assert client.post("/portal/login", {"username": "nordbygg", "password": DEMO_PASSWORD}).status_code == 302
    overview = html_text(client.get("/portal/"))
    assert "CW" in overview  # open jobs are listed
