"""The card front as the printer gets it: ID-1 at 300 dpi, the template's background, photo, logo and fields."""
import io

from PIL import Image

from portal.infra import storage
from portal.printing.render import CARD_SIZE, render_card

LAYOUT = {"photo": [40, 150, 300, 386], "logo": [40, 24, 354, 118], "fields": {"first_name": [380, 220, 56]}}


def _png(colour, size):
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def _ink(img, box):
    """How many pixels in the box differ from the background."""
    bg = img.getpixel((1000, 630))
    left, top, right, bottom = box
    return sum(1 for x in range(left, right, 2) for y in range(top, bottom, 2) if img.getpixel((x, y)) != bg)


def test_render_draws_background_photo_logo_and_fields_from_the_template(app):
    with app.app_context():
        photo = storage.save(_png((200, 30, 30), (413, 531)), "photos", "jpg")
        logo = storage.save(_png((10, 80, 160), (600, 200)), "logos", "png")
        data = render_card(layout=LAYOUT, background="#fff8e1", values={"first_name": "Åsa"}, photo_key=photo,
                           logo_key=logo)
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "PNG" and img.size == CARD_SIZE == (1011, 638)
        assert round(img.info["dpi"][0]) == 300
        rgb = img.convert("RGB")
    assert rgb.getpixel((1000, 630)) == (255, 248, 225)  # the template's background colour
    assert rgb.getpixel((190, 340)) == (200, 30, 30)  # photo inside its frame
    assert rgb.getpixel((197, 80)) == (10, 80, 160)  # logo inside its frame
    assert _ink(rgb, (380, 220, 700, 300)) > 200  # the name is written where the template says
    assert _ink(rgb, (380, 400, 1000, 600)) == 0  # and nothing elsewhere


def test_missing_values_leave_the_card_clean(app):
    with app.app_context():
        data = render_card(layout=LAYOUT, background="#ffffff", values={}, photo_key=None, logo_key=None)
    with Image.open(io.BytesIO(data)) as img:
        rgb = img.convert("RGB")
    assert _ink(rgb, (380, 150, 1000, 600)) == 0


def test_cups_printer_gets_the_png_through_lp(app, db, make_company, make_user, make_card_type, tmp_path,
                                             monkeypatch):
    from portal.cards.models import Card
    from portal.printing.models import Printer, PrintJob
    from portal.printing.tasks import process_print_queue

    log = tmp_path / "lp.log"
    lp = tmp_path / "lp"
    lp.write_text(f'#!/bin/sh\necho "$@" > {log}\ncp "$5" {tmp_path}/printed.png\necho "request id is desk-42 (1 file(s))"\n')
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    company = make_company("Nordbygg AB")
    printer = Printer(company_id=company.id, name="Desk", backend="cups", target="Evolis_Primacy")
    card = Card(company_id=company.id, card_type_id=make_card_type().id, holder_name="Åsa Öberg",
                holder_data={"first_name": "Åsa"}, status="in_production")
    db.session.add_all([printer, card])
    db.session.flush()
    job = PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id)
    db.session.add(job)
    db.session.commit()
    assert process_print_queue() == {"printed": 1, "failed": 0}
    db.session.refresh(job)
    assert job.status == "printed" and job.output == "request id is desk-42 (1 file(s))"
    assert log.read_text().split()[:4] == ["-d", "Evolis_Primacy", "-t", f"cardwright-job-{job.id}.png"]
    with Image.open(tmp_path / "printed.png") as img:
        assert img.size == (1011, 638)
