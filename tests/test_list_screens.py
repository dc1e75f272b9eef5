"""Flask-Admin's stock lists and forms in our look and words: the count in the list header, save
buttons decided per screen, messages in our words, an empty list that says what to do."""
from sqlalchemy import select

from portal.ordering.models import Address
from tests.conftest import html_text


def test_list_header_shows_the_real_count_in_the_page_language(client, db, make_user, make_card_type):
    make_user(email="op@x.se", is_operator=True)
    for i in range(3):
        make_card_type(f"Type {i}")
    client.login("op@x.se")
    body = client.get("/admin/op_card_types/").get_data(as_text=True)
    assert 'data-testid="list-count">· 3<' in body
    assert "List (3)" not in html_text(client.get("/admin/op_card_types/"))


def test_large_counts_are_grouped_by_babel(app):  # the filter is Babel's format_decimal
    from flask_babel import force_locale

    with app.test_request_context():
        template = app.jinja_env.from_string("{{ 1234|number }}")
        with force_locale("en"):
            assert template.render() == "1,234"


def test_save_buttons_are_decided_per_screen(client, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="admin", email="admin@x.se", is_operator=True)
    client.login("admin@x.se")
    printer_form = client.get("/admin/printers/new/").get_data(as_text=True)
    assert 'value="Save"' in printer_form
    assert "Save and Add Another" not in printer_form and "Save and Continue Editing" not in printer_form
    address_form = client.get("/admin/addresses/new/").get_data(as_text=True)
    assert "Save and Add Another" in address_form  # addresses are entered several in a row
    assert "Save and Add Another" not in client.get("/admin/op_companies/new/").get_data(as_text=True)


def test_messages_after_create_and_delete_are_in_our_words(client, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="admin", email="admin@x.se")
    client.login("admin@x.se")
    page = html_text(client.post("/admin/addresses/new/?url=/admin/addresses/", {
        "name": "Head office", "street": "Sveavägen 1", "postcode": "111 57", "city": "Stockholm", "country": "SE",
    }, follow_redirects=True))
    assert "Address Head office added." in page and "Record was successfully" not in page
    address = db.session.scalar(select(Address).where(Address.name == "Head office"))
    page = html_text(client.post("/admin/addresses/delete/", {"id": address.id, "url": "/admin/addresses/"},
                                 follow_redirects=True))
    assert "Head office deleted." in page and "Record was successfully" not in page


def test_an_empty_list_says_what_to_do_and_offers_the_button(client, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="admin", email="admin@x.se")
    client.login("admin@x.se")
    body = client.get("/admin/printers/").get_data(as_text=True)
    assert 'data-testid="list-empty"' in body and "No printers yet." in body
    assert body.count("/admin/printers/new/") >= 2  # beside the header and in the empty list
