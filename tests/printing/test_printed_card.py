"""The printed card says whose it is (the company's logo, or its name without one) and prints the personal
identity number in its usual form, with the dash."""
import io

from PIL import Image, ImageDraw

from portal.cards.models import Card
from portal.infra import storage
from portal.printing.models import Printer, PrintJob
from portal.printing.operations import render_job


def _card_job(db, make_company, make_card_type, **company):
    company = make_company("Nordbygg AB", **company)
    ct = make_card_type("Site ID", fields=[
        ("first_name", "First name", "text", True), ("last_name", "Last name", "text", True),
        ("national_id", "Personal identity number", "national_id", False)])
    ct.template.layout = {"photo": [40, 150, 300, 386], "fields": {  # a template without a logo frame
        "first_name": [380, 220, 56], "last_name": [380, 290, 56], "national_id": [380, 370, 40]}}
    printer = Printer(company_id=company.id, name="Desk", backend="hot_folder", target="desk")
    card = Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa Öberg", status="in_production",
                holder_data={"first_name": "Åsa", "last_name": "Öberg", "national_id": "198503121009"})
    db.session.add_all([printer, card])
    db.session.flush()
    job = PrintJob(company_id=company.id, card_id=card.id, printer_id=printer.id)
    db.session.add(job)
    db.session.commit()
    return company, job


def _drawn_texts(monkeypatch) -> list[str]:
    texts: list[str] = []
    real = ImageDraw.ImageDraw.text

    def spy(self, xy, text, *args, **kw):
        texts.append(text)
        return real(self, xy, text, *args, **kw)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy)
    return texts


def test_card_without_a_logo_prints_the_company_name_and_the_number_with_its_dash(db, make_company,
                                                                                 make_card_type, monkeypatch):
    company, job = _card_job(db, make_company, make_card_type)
    texts = _drawn_texts(monkeypatch)
    png = render_job(job)
    assert "Nordbygg AB" in texts
    assert "19850312-1009" in texts and "198503121009" not in texts
    assert "Åsa" in texts and "Öberg" in texts
    with Image.open(io.BytesIO(png)) as img:
        rgb = img.convert("RGB")
    band = [rgb.getpixel((x, y)) for x in range(40, 394, 3) for y in range(24, 142, 3)]
    assert sum(1 for p in band if p != (255, 255, 255)) > 100  # the name is ink in the logo's frame


def test_card_carries_the_company_logo(db, make_company, make_card_type, monkeypatch):
    logo = io.BytesIO()
    Image.new("RGBA", (354, 118), (10, 80, 160, 255)).save(logo, "PNG")
    company, job = _card_job(db, make_company, make_card_type)
    company.logo_key = storage.save(logo.getvalue(), "logos", "png")
    db.session.commit()
    texts = _drawn_texts(monkeypatch)
    with Image.open(io.BytesIO(render_job(job))) as img:
        rgb = img.convert("RGB")
    assert rgb.getpixel((40 + 177, 24 + 59)) == (10, 80, 160)  # the logo's pixels in its frame
    assert "Nordbygg AB" not in texts  # the logo says it; no name on top
