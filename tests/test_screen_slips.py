"""Small slips a user notices on the screens: counts in words, Swedish of Flask-Admin's own strings,
list counts, times, page titles, tiles a role cannot use, the account page's frame, stock messages."""
import re
from datetime import datetime

from portal.cards.models import Card
from portal.ordering.operations import add_accessory_to_cart
from portal.printing.models import Printer, PrintJob
from tests.conftest import html_text


def _card(db, company, card_type, name="Bo Ek"):
    card = Card(company_id=company.id, card_type_id=card_type.id, holder_name=name, status="active")
    db.session.add(card)
    db.session.commit()
    return card


def test_one_card_reads_in_the_singular(client, db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB")
    admin = make_user(company, role="admin", email="anna@x.se")
    card = _card(db, company, make_card_type())
    client.login(admin.email)
    page = html_text(client.post("/admin/cards/bulk", {"action": "block", "card_id": str(card.id), "reason": "Lost"},
                                 follow_redirects=True))
    assert "1 card updated." in page and "1 cards" not in page


def test_clearing_a_cart_of_one_line_says_line(client, db, make_company, make_user, make_accessory):
    company = make_company("Nordbygg AB")
    orderer = make_user(company, role="orderer", email="olle@x.se")
    add_accessory_to_cart(company, orderer, make_accessory().id, 2)
    db.session.commit()
    client.login(orderer.email)
    assert "Your cart is empty (1 line removed)." in html_text(client.post("/admin/cart/clear", follow_redirects=True))


def test_operator_list_counts_its_rows(client, make_user, make_card_type):
    make_user(email="op@x.se", is_operator=True)
    for i in range(5):
        make_card_type(f"Type {i}")
    client.login("op@x.se")
    page = html_text(client.get("/admin/op_card_types/"))
    assert "Card types · 5" in page and "· 1 " not in page


def test_flask_admins_own_swedish_reads_naturally(client, db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB")
    make_user(company, role="orderer", email="sven@x.se", language="sv")
    printer = Printer(company_id=company.id, name="Desk", target="desk")
    db.session.add(printer)
    db.session.flush()
    db.session.add(PrintJob(company_id=company.id, card_id=_card(db, company, make_card_type()).id, printer_id=printer.id,
                            status="failed"))
    db.session.commit()
    client.login("sven@x.se")
    page = html_text(client.get("/admin/print_queue/"))
    assert "Markerade rader" in page and "Med utvalda" not in page
    orders = html_text(client.get("/admin/orders/"))
    assert "25 rader" in orders and "föremål" not in orders


def test_all_users_shows_sign_in_times_as_people_read_them(client, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(email="op@x.se", is_operator=True)
    make_user(company, role="orderer", email="olle@x.se", last_login_at=datetime(2026, 11, 30, 11, 38, 57, 907480))
    client.login("op@x.se")
    page = html_text(client.get("/admin/op_users/"))
    assert "2026-11-30 11:38:57" not in page and re.search(r"Nov 30, 2026 \d\d:38", page)
    assert "Orderer" in page and "(orderer)" not in page


def test_checkout_page_is_titled_checkout(client, db, make_company, make_user, make_accessory):
    company = make_company("Nordbygg AB")
    orderer = make_user(company, role="orderer", email="olle@x.se")
    add_accessory_to_cart(company, orderer, make_accessory().id, 1)
    db.session.commit()
    client.login(orderer.email)
    html = client.get("/admin/cart/checkout").get_data(as_text=True)
    assert re.search(r"<title>\s*Checkout ·", html) and re.search(r"<h4[^>]*>\s*Checkout\s*</h4>", html)


def test_approver_dashboard_shows_only_tiles_they_can_use(client, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="approver", email="greta@x.se")
    make_user(company, role="orderer", email="olle@x.se")
    client.login("greta@x.se")
    page = html_text(client.get("/admin/"))
    assert "Orders in production" in page
    assert "In your cart" not in page and "To review" not in page and "Print queue" not in page
    client.post("/logout")
    client.login("olle@x.se")
    page = html_text(client.get("/admin/"))
    assert "In your cart" in page and "To review" in page


def test_my_account_stays_in_the_application_frame(client, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="orderer", email="olle@x.se", name="Olle")
    client.login("olle@x.se")
    html = client.get("/account").get_data(as_text=True)
    assert 'id="admin-navbar-collapse"' in html and "Order cards" in html and "Nordbygg AB" in html
    assert re.search(r"<h4[^>]*>\s*My account\s*</h4>", html) and "Back to Cardwright" not in html
    resp = client.post("/account", {"name": "Olle Berg", "language": ""}, follow_redirects=True)
    assert "Saved." in html_text(resp) and 'id="admin-navbar-collapse"' in resp.get_data(as_text=True)


def test_printer_and_address_forms_speak_in_their_own_words(client, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="admin", email="anna@x.se")
    client.login("anna@x.se")
    form = html_text(client.get("/admin/printers/new/"))
    assert "Save and Add Another" not in form and "Save and Continue Editing" not in form
    page = html_text(client.post("/admin/printers/new/", {"name": "Desk", "location": "", "model": "", "backend": "hot_folder",
                                                          "target": "desk", "enabled": "y"}, follow_redirects=True))
    assert "Printer Desk added." in page and "Record was successfully created" not in page
    address = {"name": "Head office", "attention": "", "street": "Storgatan 1", "postcode": "111 22", "city": "Stockholm",
               "country": "SE"}
    assert "Save and Add Another" not in html_text(client.get("/admin/addresses/new/"))
    page = html_text(client.post("/admin/addresses/new/", address, follow_redirects=True))
    assert "Address Head office added." in page and "Record was successfully created" not in page


def test_too_many_wrong_current_passwords_on_my_account_says_when_to_try_again_in_the_frame(client, make_company,
                                                                                            make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="orderer", email="olle@x.se", name="Olle")
    client.login("olle@x.se")
    wrong = {"name": "Olle", "language": "", "current_password": "not my password", "new_password": "a new long sentence"}
    for _ in range(30):
        resp = client.post("/account", wrong)
        if resp.status_code == 429:
            break
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    html = resp.get_data(as_text=True)
    assert 'id="admin-navbar-collapse"' in html and "Too many" in html_text(resp)
