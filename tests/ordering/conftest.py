import io

import pytest
from PIL import Image


@pytest.fixture()
def jpeg_bytes():
    def make(size=(800, 1000), colour=(40, 90, 160)) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", size, colour).save(buf, "JPEG")
        return buf.getvalue()

    return make


@pytest.fixture()
def shop(db, make_company, make_user, make_card_type, make_accessory, make_address):
    company = make_company("Nordbygg AB")
    orderer = make_user(company, role="orderer", email="orderer@nordbygg.se", name="Oskar")
    ct = make_card_type("Employee badge", fields=[
        ("first_name", "First name", "text", True), ("last_name", "Last name", "text", True),
        ("national_id", "Personal identity number", "national_id", False),
        ("department", "Department", "choice", False, "Office\nWarehouse"),
        ("photo", "Photo", "photo", True),
    ])
    acc = make_accessory("Lanyard", "18.00")
    addr = make_address(company, "Head office")
    return company, orderer, ct, acc, addr
