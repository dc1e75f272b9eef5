"""The accessibility statement: public, linked from the footer of the sign-in page, the portal, the
employee's pages and the back office; names the operator's contact from configuration; translated."""
import pytest

from tests.conftest import html_text


def test_the_statement_is_public_and_says_what_is_met_what_is_not_and_how_to_report(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESSIBILITY_CONTACT", "access@cards.example.com")
    resp = client.get("/accessibility?lang=en")
    assert resp.status_code == 200
    text = html_text(resp)
    assert "WCAG" in text and "2.2" in text and "level AA" in text
    assert "axe-core" in text and "keyboard only" in text
    assert "What is not met yet" in text
    assert 'href="mailto:access@cards.example.com"' in resp.get_data(as_text=True)
    assert "This statement was last reviewed on November 30, 2026." in text


def test_without_a_contact_the_statement_says_whom_to_tell(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESSIBILITY_CONTACT", "")
    text = html_text(client.get("/accessibility?lang=en"))
    assert "tell whoever sent you here (your employer or your card supplier)" in text
    assert "mailto:" not in text


def test_the_contact_defaults_to_the_support_email(monkeypatch):
    from portal.infra.config import load_config

    monkeypatch.delenv("ACCESSIBILITY_CONTACT", raising=False)
    monkeypatch.setenv("SUPPORT_EMAIL", "support@cards.example.com")
    assert load_config()["ACCESSIBILITY_CONTACT"] == "support@cards.example.com"
    monkeypatch.setenv("ACCESSIBILITY_CONTACT", "a11y@cards.example.com")
    assert load_config()["ACCESSIBILITY_CONTACT"] == "a11y@cards.example.com"


@pytest.mark.parametrize("lang, title", [("sv", "Tillgänglighetsredogörelse"), ("nb", "Tilgjengelighetserklæring"),
                                         ("da", "Tilgængelighedserklæring"), ("fi", "Saavutettavuusseloste")])
def test_the_statement_is_translated(client, lang, title):
    resp = client.get(f"/accessibility?lang={lang}")
    assert f'<html lang="{lang}">' in resp.get_data(as_text=True)
    assert title in html_text(resp)


def test_the_footers_link_to_the_statement(client, db, make_company, make_user):
    for url in ("/login", "/forgot", "/portal/login", "/r/no-such-link-0000000000000000000000000"):
        assert 'href="/accessibility"' in client.get(url).get_data(as_text=True), url
    make_user(make_company("Nordbygg AB"), role="admin", email="anna@nordbygg.se")
    client.login("anna@nordbygg.se")
    assert 'href="/accessibility"' in client.get("/admin/").get_data(as_text=True)
