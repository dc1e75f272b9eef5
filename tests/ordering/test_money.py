"""Money: VAT per company country (or the operator's rate), kept on the order at checkout, and the order
confirmation PDF (parsed back) in the orderer's language, attached to the email and downloadable."""
import io
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from portal.infra import storage
from portal.ordering.checkout import place_order
from portal.ordering.confirmation import order_pdf
from portal.ordering.models import Order
from portal.ordering.operations import add_accessory_to_cart, add_card_to_cart, cart_summary
from portal.ordering.vat import split, vat_rate
from portal.outbox.tasks import send_pending_emails
from tests.conftest import FormClient, html_text
from tests.fixtures.servers import body_text

HOLDER = {"first_name": "Åsa", "last_name": "Øberg-Ærø"}


def pdf_text(data: bytes) -> str:
    assert data[:5] == b"%PDF-"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _fill_cart(company, orderer, ct, acc):
    add_card_to_cart(company, orderer, ct, HOLDER, "photos/abcdefgh12.jpg")
    add_card_to_cart(company, orderer, ct, {"first_name": "Bo", "last_name": "Ek"}, "photos/abcdefgh13.jpg")
    add_accessory_to_cart(company, orderer, acc.id, 5)  # 2 x 89.00 + 5 x 18.00 = 268.00 excluding VAT


@pytest.mark.parametrize(("country", "rate"), [("SE", "25"), ("NO", "25"), ("DK", "25"), ("FI", "25.5")])
def test_vat_rate_follows_the_company_country(db, make_company, country, rate):
    assert vat_rate(make_company(f"Firma {country}", country=country)) == Decimal(rate)


def test_operator_rate_overrides_the_country_and_configuration_replaces_the_table(app, db, make_company):
    company = make_company("Override AB", country="SE")
    company.vat_rate = Decimal("12.00")
    assert vat_rate(company) == Decimal("12.00")
    company.vat_rate = None
    app.config["VAT_RATES"] = {"SE": "6"}
    try:
        assert vat_rate(company) == Decimal("6")
    finally:
        app.config["VAT_RATES"] = None


def test_vat_is_rounded_half_up_once_per_order():
    assert split(Decimal("0.02"), Decimal("25")).vat == Decimal("0.01")  # 0.005 rounds up
    assert split(Decimal("268.00"), Decimal("25.5")).vat == Decimal("68.34")  # 68.34 exactly
    amounts = split(Decimal("10.10"), Decimal("25.5"))  # 2.5755 -> 2.58
    assert (amounts.vat, amounts.gross) == (Decimal("2.58"), Decimal("12.68"))


def test_cart_shows_vat_and_checkout_keeps_it_when_the_rate_changes_later(db, shop):
    company, orderer, ct, acc, addr = shop
    company.country = "FI"
    _fill_cart(company, orderer, ct, acc)
    amounts = cart_summary(company, orderer).amounts
    assert (amounts.net, amounts.rate, amounts.vat, amounts.gross) == (
        Decimal("268.00"), Decimal("25.5"), Decimal("68.34"), Decimal("336.34"))
    order = place_order(company, orderer, address_id=addr.id)
    db.session.commit()
    company.vat_rate = Decimal("30")  # the operator changes the rate afterwards
    db.session.commit()
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.total, order.vat_rate, order.vat, order.gross) == (
        Decimal("268.00"), Decimal("25.50"), Decimal("68.34"), Decimal("336.34"))


def test_confirmation_pdf_has_lines_vat_and_the_orderers_language(app, db, shop):
    company, orderer, ct, acc, addr = shop
    orderer.language = "sv"
    _fill_cart(company, orderer, ct, acc)
    order = place_order(company, orderer, address_id=addr.id, reference="PO-ÅÄÖ", cost_centre="KS-4711")
    db.session.commit()
    with app.test_request_context():
        swedish = pdf_text(order_pdf(order, "sv"))
        finnish = pdf_text(order_pdf(order, "fi"))
    assert "Orderbekräftelse" in swedish and order.number in swedish
    assert "Åsa Øberg-Ærø" in swedish and "PO-ÅÄÖ" in swedish and "KS-4711" in swedish and "Head office" in swedish
    # Swedish money, the lines and the VAT sums: 268,00 + 25 % = 67,00 -> 335,00
    for amount in ("89,00 kr", "18,00 kr", "90,00 kr", "268,00 kr", "67,00 kr", "335,00 kr"):
        assert amount in swedish.replace("\u00a0", " "), amount
    assert "Summa exklusive moms" in swedish and "Moms 25 %" in swedish and "Summa inklusive moms" in swedish
    assert "Tilausvahvistus" in finnish and "Orderbekräftelse" not in finnish


def test_confirmation_pdf_prints_the_euro_sign_and_the_company_logo(app, db, shop):
    company, orderer, ct, acc, addr = shop
    logo = io.BytesIO()
    Image.new("RGB", (400, 100), (200, 30, 30)).save(logo, "PNG")
    company.logo_key = storage.save(logo.getvalue(), "logos", "png")
    _fill_cart(company, orderer, ct, acc)
    order = place_order(company, orderer, address_id=addr.id)
    order.currency = "EUR"
    with app.test_request_context():
        data = order_pdf(order, "en")
    text = pdf_text(data).replace("\u00a0", " ")
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1
    assert "268.00 €" in text and "335.00 €" in text and "Order confirmation" in text


def test_confirmation_email_through_smtp_carries_the_pdf(app, db, shop, smtp_server):
    company, orderer, ct, acc, addr = shop
    orderer.language = "da"
    _fill_cart(company, orderer, ct, acc)
    order = place_order(company, orderer, address_id=addr.id, reference="PO-7")
    db.session.commit()
    assert send_pending_emails()["sent"] >= 1
    [msg] = smtp_server.wait_for("orderer@nordbygg.se")
    [attachment] = [part for part in msg.walk() if part.get_content_type() == "application/pdf"]
    assert attachment.get_filename() == f"{order.number}.pdf"
    text = pdf_text(attachment.get_payload(decode=True)).replace("\u00a0", " ")
    assert "Ordrebekræftelse" in text and "PO-7" in text and "335,00" in text
    assert "vedhæftet som PDF" in body_text(msg)


def test_order_page_shows_vat_and_downloads_the_pdf_only_for_its_company(app, client, db, shop, make_company,
                                                                          make_user):
    company, orderer, ct, acc, addr = shop
    _fill_cart(company, orderer, ct, acc)
    order = place_order(company, orderer, address_id=addr.id)
    db.session.commit()
    client.login(orderer.email)
    page = html_text(client.get(f"/admin/orders/details/?id={order.id}"))
    assert "Total excluding VAT" in page and "VAT 25 %" in page and "335.00" in page
    pdf = client.get(f"/admin/orders/confirmation/{order.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert order.number in pdf_text(pdf.data)
    other = make_company("Other AB")
    stranger = make_user(other, role="admin", email="admin@other.se")
    their_client = FormClient(app.test_client())
    their_client.login(stranger.email)
    assert their_client.get(f"/admin/orders/confirmation/{order.id}.pdf").status_code == 404
    assert db.session.scalar(select(Order).where(Order.company_id == other.id)) is None
