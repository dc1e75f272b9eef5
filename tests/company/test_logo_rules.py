"""The company logo against the card's 354 x 118 px frame: the rule is shown, a logo too small to print
sharp is refused, one of other proportions is fitted only when asked, and the navigation bar shows a new
logo at once (its address changes with the file)."""
import io
import re

import pytest
from PIL import Image

from portal.tenancy.models import Company
from tests.conftest import html_text


def _png(size, colour=(200, 20, 20, 255)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", size, colour).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture()
def admin(db, make_company, make_user):
    company = make_company("Nordbygg AB", language="en")
    return company, make_user(company, role="admin", email="admin@nordbygg.se", name="Anna")


def _post(client, logo: bytes, **extra):
    data = {"name": "Nordbygg AB", "org_number": "", "language": "en", "primary_color": "#0b5394",
            "reminder_count": "2", "reminder_days": "10", "request_valid_days": "30", "retention": "",
            "logo": (io.BytesIO(logo), "logo.png"), **extra}
    return client.post("/admin/company/settings/", data, content_type="multipart/form-data")


def _logo_bytes(client, url: str) -> bytes:
    resp = client.get(url)
    data = resp.data
    resp.close()  # send_file keeps the file open until the response is closed
    return data


def _nav_logo(client) -> str:
    page = client.get("/admin/company/settings/").get_data(as_text=True)
    return re.search(r'<img src="([^"]+)" alt="" class="brand-logo', page).group(1).replace("&amp;", "&")


def test_settings_state_the_size_rule_and_a_tiny_logo_is_refused(client, db, admin):
    company, user = admin
    client.login(user.email)
    assert "354 x 118 pixels" in html_text(client.get("/admin/company/settings/"))
    resp = _post(client, _png((20, 10)), fit_logo="y")
    text = html_text(resp)
    assert resp.status_code == 200 and "The logo is too small (20 x 10 pixels)" in text
    assert "at least 236 pixels across or 79 pixels high" in text
    db.session.expire_all()
    assert db.session.get(Company, company.id).logo_key is None


def test_logo_of_other_proportions_is_fitted_only_when_asked(client, db, admin):
    company, user = admin
    client.login(user.email)
    square = _png((400, 400))
    refused = html_text(_post(client, square))
    assert "The logo is 400 x 400 pixels" in refused and "Fit the logo to the frame" in refused
    db.session.expire_all()
    assert db.session.get(Company, company.id).logo_key is None
    assert _post(client, square, fit_logo="y").status_code == 302
    with Image.open(io.BytesIO(_logo_bytes(client, _nav_logo(client)))) as img:
        assert img.size == (354, 118)
        assert img.getpixel((5, 59))[3] == 0 and img.getpixel((177, 59)) == (200, 20, 20, 255)  # padded, centred
    assert _post(client, _png((708, 236), (10, 80, 160, 255))).status_code == 302  # 3:1 needs no question


def test_navigation_bar_shows_the_new_logo_at_once(client, db, admin):
    company, user = admin
    client.login(user.email)
    assert _post(client, _png((708, 236), (200, 20, 20, 255))).status_code == 302
    first = _nav_logo(client)
    assert _post(client, _png((708, 236), (10, 80, 160, 255))).status_code == 302
    second = _nav_logo(client)
    assert first != second  # a new address, so no browser shows the cached old logo
    with Image.open(io.BytesIO(_logo_bytes(client, second))) as img:
        assert img.convert("RGB").getpixel((177, 59)) == (10, 80, 160)
