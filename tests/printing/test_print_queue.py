"""Print now, the print queue job and its guarantees (rendered at 300 dpi, never printed twice)."""
import io
import threading
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from portal.cards.models import Card
from portal.infra import storage
from portal.infra.extensions import db as _db
from portal.printing.models import Printer, PrintJob
from portal.printing.operations import PrintError, print_now, queue_print, validate_target
from portal.printing.tasks import process_print_queue


@pytest.fixture()
def setup(app, db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB")
    user = make_user(company, role="orderer")
    ct = make_card_type()
    printer = Printer(company_id=company.id, name="Desk printer", backend="hot_folder", target="desk")
    db.session.add(printer)
    db.session.commit()
    return company, user, ct, printer


def _photo_key():
    buf = io.BytesIO()
    Image.new("RGB", (413, 531), (200, 30, 30)).save(buf, "JPEG")
    return storage.save(buf.getvalue(), "photos", "jpg")


def test_print_now_creates_the_card_and_prints_a_300_dpi_id1_png(app, db, setup):
    company, user, ct, printer = setup
    card, job = print_now(company, user, ct, {"first_name": "Åsa", "last_name": "Öberg"}, _photo_key(), printer.id)
    db.session.commit()
    assert card.status == "in_production" and card.holder_name == "Åsa Öberg"
    assert process_print_queue() == {"printed": 1, "failed": 0}
    db.session.refresh(job)
    assert job.status == "printed"
    out = Path(job.output)
    assert out.parent.name == "desk" and out.exists()
    with Image.open(out) as img:
        assert img.size == (1011, 638)
        assert round(img.info["dpi"][0]) == 300
        # The red photo is drawn inside its frame on the card.
        assert img.convert("RGB").getpixel((190, 340)) == pytest.approx((200, 30, 30), abs=20)


def test_print_now_refuses_invalid_holder_data_and_creates_nothing(app, db, setup):
    company, user, ct, printer = setup
    with pytest.raises(PrintError):
        print_now(company, user, ct, {"first_name": "", "last_name": "X"}, None, printer.id)
    db.session.rollback()
    assert db.session.scalar(select(Card)) is None


def test_printer_of_another_company_is_refused(app, db, setup, make_company):
    company, user, ct, printer = setup
    other = make_company("Other AB")
    with pytest.raises(PrintError):
        print_now(other, user, ct, {"first_name": "A", "last_name": "B"}, None, printer.id)


def test_hot_folder_cannot_point_outside_the_print_folder():
    for bad in ("../etc", "/etc", "a/../../b", ""):
        with pytest.raises(PrintError):
            validate_target("hot_folder", bad)


def test_failed_job_is_retried_a_bounded_number_of_times(app, db, setup):
    company, user, ct, printer = setup
    printer.backend, printer.target = "cups", "no-such-queue"
    db.session.commit()
    card, job = print_now(company, user, ct, {"first_name": "A", "last_name": "B"}, _photo_key(), printer.id)
    db.session.commit()
    from datetime import timedelta

    from portal.infra.db_types import utcnow

    later = utcnow()
    for _ in range(5):
        later += timedelta(hours=1)
        process_print_queue(now=later)
    db.session.refresh(job)
    assert job.status == "failed" and job.attempts == 3 and job.error


def test_two_schedulers_at_once_print_each_job_once(app, db, setup):
    company, user, ct, printer = setup
    for i in range(12):
        print_now(company, user, ct, {"first_name": f"P{i}", "last_name": "X"}, _photo_key(), printer.id)
    db.session.commit()
    results = []

    def run():
        with app.app_context():
            results.append(process_print_queue(limit=50))
            _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r["printed"] for r in results) == 12
    folder = Path(app.config["PRINT_HOT_FOLDER_ROOT"]) / f"company-{company.id}" / "desk"
    assert len(list(folder.glob("*.png"))) == 12
    assert all(j.attempts == 1 for j in db.session.scalars(select(PrintJob)))


def test_reprint_is_an_explicit_new_job(app, db, setup):
    company, user, ct, printer = setup
    card, job = print_now(company, user, ct, {"first_name": "A", "last_name": "B"}, _photo_key(), printer.id)
    db.session.commit()
    process_print_queue()
    assert process_print_queue()["printed"] == 0  # nothing prints again by itself
    queue_print(company, user, card, printer.id)
    db.session.commit()
    assert process_print_queue()["printed"] == 1
