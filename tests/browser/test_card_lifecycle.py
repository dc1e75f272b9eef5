"""Card lifecycle in real Chromium: search, block, unblock, change approved by the holder, print now."""
import re
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from portal.cards.models import Card
from portal.outbox.models import OutboxEmail
from portal.printing.models import Printer
from portal.printing.tasks import process_print_queue
from tests.browser.conftest import screenshot, sign_in


def test_search_block_unblock_change_and_print(app, page, phone, db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="admin", email="anna@nordbygg.se", name="Anna")
    ct = make_card_type("Site ID", fields=[("first_name", "First name", "text", True),
                                           ("last_name", "Last name", "text", True),
                                           ("national_id", "Personal identity number", "national_id", False)])
    card = Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa Öberg", holder_email="asa@x.se",
                national_id="198501010006", card_number="4711000123", status="active",
                holder_data={"first_name": "Åsa", "last_name": "Öberg", "national_id": "198501010006"})
    db.session.add_all([card, Printer(company_id=company.id, name="Reception printer", backend="hot_folder",
                                      target="reception")])
    db.session.commit()

    sign_in(page, "anna@nordbygg.se")
    page.goto("/admin/cards/")
    page.fill("#q", "850101-0006")
    page.press("#q", "Enter")
    page.click("a:has-text('Åsa Öberg')")
    page.fill("#reason", "Lost on site")
    page.click("[data-testid=block]")
    page.wait_for_selector("text=The card is now blocked")
    screenshot(page, "card-details")
    page.click("[data-testid=unblock]")
    page.wait_for_selector("text=The card is now active")

    page.click("[data-testid=request-change]")
    page.fill("#f-first_name", "Åsa Maria")
    page.click("button:has-text('Send to the card holder for approval')")
    page.wait_for_selector("text=got an email at asa@x.se to approve")
    db.session.expire_all()
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "card_change_request"))
    link = re.search(r"(/r/change/[A-Za-z0-9_-]+)", mail.body_text).group(1)
    phone.goto(link + "?lang=en")
    screenshot(phone, "holder-approves-change")
    phone.click("button:has-text('Approve the change')")
    phone.wait_for_selector("text=Your card is updated")
    page.reload()
    assert "Åsa Maria Öberg" in page.inner_text("h2")

    # Print now from the order form, to the hot-folder printer.
    page.goto(f"/admin/order-cards/?card_type={ct.id}")
    page.fill("#f-first_name", "Bo")
    page.fill("#f-last_name", "Ek")
    page.click("button:has-text('Print now')")
    page.wait_for_selector("text=is being printed")
    with app.app_context():
        assert process_print_queue()["printed"] == 1
    folder = Path(app.config["PRINT_HOT_FOLDER_ROOT"]) / f"company-{company.id}" / "reception"
    [png] = list(folder.glob("*.png"))
    with Image.open(png) as img:
        assert img.size == (1011, 638)
    page.goto("/admin/print_queue/")
    assert "Printed" in page.inner_text("table.model-list")
    screenshot(page, "print-queue")

    # Bulk terminate from the list: the browser asks first, and says it cannot be undone.
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    page.goto("/admin/cards/?q=Ek")
    page.check("input[name=card_id]")
    page.fill("input[name=reason]", "Project ended")
    page.click("button:has-text('Terminate selected')")
    page.wait_for_selector("text=1 card updated.")
    assert "cannot be undone" in dialogs[0]
    page.click("a:has-text('Bo Ek')")
    assert "Terminated" in page.inner_text("h2")
    assert "terminated and can never be used again" in page.inner_text("body")
    page.goto("/admin/reports/?col=holder_name&col=status&col=card_number&col=created_at")
    screenshot(page, "reports")
    page.goto("/admin/")
    screenshot(page, "dashboard-cards")
