"""Printing screens: test page, enable / disable, the print queue with states, errors and Print again."""
from pathlib import Path

from sqlalchemy import func, select

from portal.cards.models import Card
from portal.printing.models import Printer, PrintJob
from portal.printing.tasks import process_print_queue
from tests.conftest import html_text


def _photo_key():
    import io

    from PIL import Image

    from portal.infra import storage

    buf = io.BytesIO()
    Image.new("RGB", (413, 531), (200, 30, 30)).save(buf, "JPEG")
    return storage.save(buf.getvalue(), "photos", "jpg")


def _setup(db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB", language="en")
    admin = make_user(company, role="admin", email="admin@nordbygg.se")
    printer = Printer(company_id=company.id, name="Desk printer", backend="hot_folder", target="desk")
    card = Card(company_id=company.id, card_type_id=make_card_type().id, holder_name="Åsa Öberg", status="active",
                photo_key=_photo_key())
    db.session.add_all([printer, card])
    db.session.commit()
    return company, admin, printer, card


def test_test_page_lands_in_the_hot_folder_and_disable_stops_print_now(app, client, db, make_company, make_user,
                                                                      make_card_type):
    company, admin, printer, card = _setup(db, make_company, make_user, make_card_type)
    client.login(admin.email)
    listing = html_text(client.get("/admin/printers/"))
    assert "Test page" in listing and "Enabled" in listing and "hot_folder" not in listing
    form = html_text(client.get("/admin/printers/new/"))
    assert "Enabled" in form and "Only enabled printers are offered" in form
    resp = client.post(f"/admin/printers/{printer.id}/test-page", follow_redirects=True)
    assert "Test page queued" in html_text(resp)
    assert process_print_queue()["printed"] == 1
    job = db.session.scalar(select(PrintJob))
    assert job.is_test_page and Path(job.output).exists()
    client.post(f"/admin/printers/{printer.id}/toggle")
    db.session.expire_all()
    assert db.session.get(Printer, printer.id).enabled is False
    assert "Disabled" in html_text(client.get("/admin/printers/"))
    client.post(f"/admin/cards/{card.id}/print", {"printer_id": printer.id})
    assert db.session.scalar(select(func.count()).select_from(PrintJob).where(PrintJob.card_id == card.id)) == 0
    client.post(f"/admin/printers/{printer.id}/toggle")
    db.session.expire_all()
    assert db.session.get(Printer, printer.id).enabled is True


def test_other_companys_printer_cannot_be_tested_or_toggled(client, db, make_company, make_user, make_card_type):
    company, admin, printer, card = _setup(db, make_company, make_user, make_card_type)
    theirs = Printer(company_id=make_company("Beta AB").id, name="Theirs", backend="hot_folder", target="x")
    db.session.add(theirs)
    db.session.commit()
    client.login(admin.email)
    assert client.post(f"/admin/printers/{theirs.id}/test-page").status_code == 404
    assert client.post(f"/admin/printers/{theirs.id}/toggle").status_code == 404
    db.session.expire_all()
    assert db.session.get(Printer, theirs.id).enabled is True


def test_queue_shows_state_and_error_and_prints_again_only_when_asked(app, client, db, make_company, make_user,
                                                                     make_card_type):
    company, admin, printer, card = _setup(db, make_company, make_user, make_card_type)
    job = PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id, status="failed", attempts=3,
                   error="Ribbon empty")
    db.session.add(job)
    db.session.commit()
    client.login(admin.email)
    page = html_text(client.get("/admin/print_queue/"))
    assert "Failed" in page and "Ribbon empty" in page and "Åsa Öberg" in page and "Print again" in page
    assert "Ribbon empty" not in html_text(client.get("/admin/print_queue/?flt0_0=queued"))  # the status filter
    client.post(f"/admin/print_queue/{job.id}/reprint")
    jobs = db.session.scalars(select(PrintJob).order_by(PrintJob.id)).all()
    assert [j.status for j in jobs] == ["failed", "queued"]
    assert process_print_queue()["printed"] == 1
    assert process_print_queue()["printed"] == 0  # nothing is printed twice


def test_system_errors_on_jobs_read_in_the_users_language(client, db, make_company, make_user, make_card_type):
    from portal.printing.models import INTERRUPTED

    company, admin, printer, card = _setup(db, make_company, make_user, make_card_type)
    admin.language = "sv"
    db.session.add(PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id, status="failed",
                            error=INTERRUPTED))
    db.session.commit()
    client.login(admin.email)
    for url in ("/admin/print_queue/", f"/admin/cards/{card.id}"):
        page = html_text(client.get(url))
        assert "Avbröts under utskriften" in page and "Interrupted" not in page


def test_a_card_printed_at_the_desk_becomes_active_and_can_be_blocked(app, db, make_company, make_user,
                                                                     make_card_type):
    from portal.cards.models import CardStatusEvent
    from portal.cards.operations import block_card
    from portal.printing.operations import print_now

    company, admin, printer, _card = _setup(db, make_company, make_user, make_card_type)
    card, job = print_now(company, admin, _card.card_type, {"first_name": "Bo", "last_name": "Ek"}, _photo_key(),
                          printer.id)
    db.session.commit()
    assert card.status == "in_production"
    process_print_queue()
    db.session.refresh(card)
    assert card.status == "active" and card.activated_at is not None
    assert [e.to_status for e in db.session.scalars(select(CardStatusEvent).where(CardStatusEvent.card_id == card.id)
                                                    .order_by(CardStatusEvent.id))] == ["in_production", "active"]
    block_card(company, admin, card, "Lost")
    assert card.status == "blocked"
    db.session.commit()
    client_job = PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id)  # a reprint
    db.session.add(client_job)
    db.session.commit()
    process_print_queue()
    db.session.refresh(card)
    assert card.status == "blocked"  # printing again never unblocks a card


def test_jobs_of_a_disabled_printer_wait_and_print_once_it_is_enabled(app, db, make_company, make_user,
                                                                      make_card_type):
    from datetime import timedelta

    from portal.infra.db_types import utcnow

    company, admin, printer, card = _setup(db, make_company, make_user, make_card_type)
    job = PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id)
    printer.enabled = False
    db.session.add(job)
    db.session.commit()
    assert process_print_queue() == {"printed": 0, "failed": 0}
    db.session.refresh(job)
    assert (job.status, job.attempts) == ("queued", 0) and "disabled" in job.error
    printer.enabled = True
    db.session.commit()
    assert process_print_queue(now=utcnow() + timedelta(minutes=6))["printed"] == 1
    db.session.refresh(job)
    assert job.status == "printed" and job.error == ""
