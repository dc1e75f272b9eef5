import io

import pytest
from PIL import Image


@pytest.fixture()
def collect(db, make_company, make_user, make_card_type, make_address):
    company = make_company("Nordbygg AB", language="en")
    orderer = make_user(company, role="orderer", email="orderer@nordbygg.se")
    ct = make_card_type("Site ID", fields=[
        ("first_name", "First name", "text", True), ("last_name", "Last name", "text", True),
        ("national_id", "Personal identity number", "national_id", False), ("photo", "Photo", "photo", True),
    ])
    ct.fields[0].label_sv, ct.fields[1].label_sv = "Förnamn", "Efternamn"
    db.session.commit()
    addr = make_address(company, "Site office", for_collection=True)
    return company, orderer, ct, addr


@pytest.fixture()
def photo_bytes():
    def make(size=(1200, 1600), orientation: int | None = None) -> bytes:
        img = Image.new("RGB", size, (90, 120, 160))
        buf = io.BytesIO()
        if orientation:
            exif = Image.Exif()
            exif[0x0112] = orientation
            img.save(buf, "JPEG", exif=exif)
        else:
            img.save(buf, "JPEG")
        return buf.getvalue()

    return make
