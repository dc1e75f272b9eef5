"""The rules of printing hold on every path: the card page, the print queue's Print again, Print now from
the order form and Print now from In review."""
import io

from PIL import Image
from sqlalchemy import func, select

from portal.cards.models import Card
from portal.collection.models import CollectionRequest
from portal.infra import storage
from portal.printing.models import Printer, PrintJob
from portal.printing.operations import PrintError, print_now
from tests.conftest import html_text


def _photo():
    buf = io.BytesIO()
    Image.new("RGB", (413, 531), (200, 30, 30)).save(buf, "JPEG")
    return storage.save(buf.getvalue(), "photos", "jpg")


def _world(db, collect, make_user):
    company, orderer, ct, _addr = collect
    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    db.session.add(printer)
    db.session.commit()
    return company, orderer, ct, printer


def _jobs(db):
    return db.session.scalar(select(func.count()).select_from(PrintJob))


def test_print_again_in_the_queue_refuses_blocked_and_terminated_cards(client, db, collect, make_user):
    company, orderer, ct, printer = _world(db, collect, make_user)
    for status in ("blocked", "terminated"):
        card = Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa", status=status, photo_key=_photo())
        db.session.add(card)
        db.session.flush()
        job = PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id, status="printed")
        db.session.add(job)
        db.session.commit()
        before = _jobs(db)
        client.login(orderer.email)
        page = html_text(client.post(f"/admin/print_queue/{job.id}/reprint", follow_redirects=True))
        assert _jobs(db) == before
        assert "Unblock the card" in page or "terminated" in page
        client.post("/admin/print_queue/action/", {"action": "reprint", "rowid": str(job.id)})
        assert _jobs(db) == before


def test_card_page_print_refuses_a_blocked_card(client, db, collect, make_user):
    company, orderer, ct, printer = _world(db, collect, make_user)
    card = Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa", status="blocked", photo_key=_photo())
    db.session.add(card)
    db.session.commit()
    client.login(orderer.email)
    page = html_text(client.post(f"/admin/cards/{card.id}/print", {"printer_id": str(printer.id)},
                                 follow_redirects=True))
    assert "Unblock the card" in page and _jobs(db) == 0


def test_print_now_from_in_review_needs_the_photo_the_layout_asks_for(client, db, collect, make_user):
    company, orderer, ct, printer = _world(db, collect, make_user)
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email="a@x.se", status="in_review",
                            data={"first_name": "Åsa", "last_name": "Öberg"}, photo_key=None)
    db.session.add(req)
    db.session.commit()
    client.login(orderer.email)
    page = html_text(client.post(f"/admin/collection/review/{req.id}/print", {"printer_id": str(printer.id)},
                                 follow_redirects=True))
    assert "needs a photo" in page
    assert db.session.scalar(select(func.count()).select_from(Card)) == 0 and _jobs(db) == 0
    db.session.expire_all()
    assert db.session.get(CollectionRequest, req.id).status == "in_review"


def test_print_now_needs_an_approver_when_the_company_approves_orders(db, collect, make_user):
    company, orderer, ct, printer = _world(db, collect, make_user)
    approver = make_user(company, role="admin", email="boss@nordbygg.se")
    company.requires_order_approval = True
    db.session.commit()
    assert company.local_print_requires_approval is True  # the default
    holder = {"first_name": "Åsa", "last_name": "Öberg"}
    try:
        print_now(company, orderer, ct, holder, _photo(), printer.id)
        raise AssertionError("an orderer printed without approval")
    except PrintError as exc:
        assert "approver" in str(exc)
    assert db.session.scalar(select(func.count()).select_from(Card)) == 0
    print_now(company, approver, ct, holder, _photo(), printer.id)  # an approver may
    company.local_print_requires_approval = False  # the company's choice
    print_now(company, orderer, ct, holder, _photo(), printer.id)
    db.session.commit()
    assert _jobs(db) == 2


def test_company_settings_show_and_save_the_local_print_approval_setting(client, db, collect, make_user):
    company, *_ = collect
    admin = make_user(company, role="admin", email="admin@nordbygg.se")
    client.login(admin.email)
    page = client.get("/admin/company/settings/")
    assert "Cards printed on our own printers need approval too" in html_text(page)
    assert 'name="local_print_requires_approval"' in page.get_data(as_text=True)
    form = {"name": company.name, "org_number": "", "language": "en", "primary_color": "#1f4e79",
            "requires_order_approval": "y", "reminder_count": "2", "reminder_days": "10",
            "request_valid_days": "30", "retention": ""}  # the box left unticked: local prints need no approval
    client.post("/admin/company/settings/", form)
    db.session.expire_all()
    assert company.requires_order_approval is True and company.local_print_requires_approval is False
