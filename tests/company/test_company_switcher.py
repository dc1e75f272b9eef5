"""The company switcher with 2,000 companies: a fixed-size menu plus a search that finds and switches."""
import re

from sqlalchemy import insert

from portal.infra.extensions import db as _db
from portal.tenancy.models import Company
from tests.conftest import html_text


def _many_companies(start: int, stop: int) -> None:
    _db.session.execute(insert(Company), [{"name": f"Bolag {i:04d} AB", "active": True} for i in range(start, stop)])
    _db.session.commit()


def test_an_operator_with_2000_companies_gets_a_light_page_and_finds_any_company(client, make_company, make_user):
    home = make_company("Aaa Nordbygg AB")
    make_user(home, role="admin", email="op@x.se", is_operator=True)
    client.login("op@x.se")
    _many_companies(0, 20)
    small = len(client.get("/admin/").get_data())
    _many_companies(20, 2000)
    page = client.get("/admin/")
    html = page.get_data(as_text=True)
    # One form per company was about 2,000 x 400 bytes; now the menu lists 8 and offers a search:
    # the page weighs the same with 20 companies as with 2,000.
    assert len(page.get_data()) == small and small < 40_000, (small, len(page.get_data()))
    assert html.count('name="company_id"') <= 8 and 'id="company-search"' in html
    assert '<label for="company-search"' in html  # the search field has a visible label
    found = client.get("/switch-company?q=bolag 1234")
    assert found.status_code == 200 and "Bolag 1234 AB" in html_text(found)
    assert "Bolag 1235 AB" not in html_text(found)
    results = found.get_data(as_text=True).split('data-testid="find-company"', 1)[1]  # not the menu's own 8
    company_id = re.search(r'name="company_id" value="(\d+)"', results).group(1)
    switched = client.post("/switch-company", {"company_id": company_id, "next": "/admin/"})
    assert switched.status_code == 302, switched.status_code
    switched = client.get("/admin/")
    assert "· Bolag 1234 AB" in html_text(switched)  # now the current company (its own language)
    many = client.get("/switch-company?q=bolag")
    assert many.get_data(as_text=True).split('data-testid="find-company"', 1)[1].count('name="company_id"') == 50 and "50" in html_text(many).rsplit("Bolag 0049 AB", 1)[1]
    none = client.get("/switch-company?q=zzz%25_").get_data(as_text=True).split('data-testid="find-company"', 1)[1]
    assert 'name="company_id"' not in none and "text-muted" in none  # the percent sign is no wildcard


def test_a_user_finds_only_their_own_companies(client, make_company, make_user):
    mine, other = make_company("Nordbygg AB"), make_company("Norrbygg Oy")
    make_user(mine, role="admin", email="a@x.se")
    client.login("a@x.se")
    found = html_text(client.get("/switch-company?q=bygg"))
    assert "Nordbygg AB" in found and "Norrbygg Oy" not in found
    assert client.post("/switch-company", {"company_id": str(other.id)}).status_code == 404
