"""English, Swedish, Norwegian (bokmål), Danish and Finnish: the user's language, then the company's, then the browser's."""
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import html_text


def test_swedish_user_gets_swedish_screens_including_flask_admins_own_strings(client, make_company, make_user):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="orderer", email="sven@x.se", language="sv")
    client.login("sven@x.se")
    page = html_text(client.get("/admin/orders/"))
    assert "Beställningshistorik" in page and "Beställ kort" in page
    assert "Lägg till filter" in page  # Flask-Admin's own "Add Filter", from our Swedish catalogue


def test_company_language_then_browser_language(client, make_company, make_user):
    company = make_company("Nordbygg AB", language="sv")
    make_user(company, role="orderer", email="eva@x.se")
    assert "Logga in" in html_text(client.get("/login", headers={"Accept-Language": "sv-SE,sv;q=0.9"}))
    assert "Sign in" in html_text(client.get("/login", headers={"Accept-Language": "en-GB"}))
    client.login("eva@x.se")
    assert "Översikt" in html_text(client.get("/admin/"))


TRANSLATED = ["sv", "nb", "da", "fi"]  # every language but English, the source language


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation(language):
    for domain in ("messages", "admin"):
        with open(Path(__file__).parents[1] / f"translations/{language}/LC_MESSAGES/{domain}.po", "rb") as fh:
            catalog = read_po(fh, locale=language)
        untranslated = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
        assert untranslated == [], f"{language}/{domain}: {len(untranslated)} untranslated, e.g. {untranslated[:10]}"
        assert not [m.id for m in catalog if m.id and m.fuzzy]


def test_every_language_is_translated_and_offered(app):
    assert sorted(app.config["LANGUAGES"]) == sorted(["en", *TRANSLATED])


@pytest.fixture(scope="module")
def wanted_messages(tmp_path_factory):
    import subprocess
    import sys

    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "-k", "ngettext:1,2", "--ignore-dirs=.venv tests bench migrations instance node_modules", "-o", str(pot), "."],
        cwd=Path(__file__).parents[1], check=True, capture_output=True,
    )
    with open(pot, "rb") as fh:
        return [m for m in read_po(fh) if m.id]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_in_the_code_is_in_every_catalogue(wanted_messages, language):
    """Strings are appended to the catalogues by hand (extraction is not run on branches): catch a forgotten one."""
    with open(Path(__file__).parents[1] / f"translations/{language}/LC_MESSAGES/messages.po", "rb") as fh:
        catalogue = read_po(fh, locale=language)
    assert len(wanted_messages) > 500
    missing = [f"{m.id} ({m.locations[0][0] if m.locations else '?'})" for m in wanted_messages
               if catalogue.get(m.id) is None or not catalogue.get(m.id).string]
    assert missing == [], f"{len(missing)} missing in {language}, e.g. {missing[:5]}"


def test_dates_and_money_are_written_the_users_way(client, db, make_company, make_user, make_accessory, make_address):
    from datetime import datetime

    from portal.ordering.checkout import place_order
    from portal.ordering.operations import add_accessory_to_cart

    company = make_company("Nordbygg AB", language="en")
    sven = make_user(company, role="orderer", email="sven@x.se", language="sv")
    add_accessory_to_cart(company, sven, make_accessory("Lanyard", "1234.50").id, 1)
    order = place_order(company, sven, address_id=make_address(company).id)
    order.placed_at = datetime(2026, 3, 5, 13, 7)  # UTC; Stockholm is one hour ahead in March
    db.session.commit()
    client.login("sven@x.se")
    swedish = html_text(client.get("/admin/orders/"))
    assert "5 mars 2026 14:07" in swedish and "234,50 kr" in swedish.replace("\xa0", " ")
    assert "50 rader" in swedish and "föremål" not in swedish and "items" not in swedish.split("{")[0]  # Flask-Admin's page sizes too
    client.post("/language", {"language": "en"})
    english = html_text(client.get("/admin/orders/"))
    assert "Mar 5, 2026 14:07" in english and "1,234.50" in english
    assert "3/5/26" not in english and "PM" not in english
