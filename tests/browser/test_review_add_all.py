"""In review in real Chromium: "Add all to cart" over more cards than one chunk shows a progress bar and
ends with every card in the cart; the orderer adds a missing photo from the card's edit dialog."""
import io

from PIL import Image

from portal.collection.models import CollectionRequest
from portal.infra.db_types import utcnow
from tests.browser.conftest import screenshot, sign_in


def test_add_all_shows_progress_and_puts_every_card_in_the_cart(page, db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="orderer", email="oskar@nordbygg.se", name="Oskar")
    ct = make_card_type("Site ID", fields=[("first_name", "First name", "text", True),
                                           ("last_name", "Last name", "text", True)])
    now = utcnow()
    db.session.execute(CollectionRequest.__table__.insert(), [{
        "company_id": company.id, "card_type_id": ct.id, "email": "", "name": "", "language": "en",
        "status": "in_review", "data": {"first_name": f"Anna{i}", "last_name": "Berg"}, "address_fixed": False,
        "rejection_reason": "", "reminders_sent": 0, "submitted_at": now, "created_at": now, "updated_at": now,
    } for i in range(450)])
    db.session.commit()

    sign_in(page, "oskar@nordbygg.se")
    page.goto("/admin/collection/review")
    from portal.collection import review

    assert page.locator("[data-testid=review-card]").count() == review.PER_PAGE  # one page; Add all takes all 450
    held = []  # the first chunk, held until the progress bar has been seen
    page.route("**/review/approve-all", lambda route: held.append(route) if not held else route.continue_())
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=approve-all]")
    page.wait_for_selector("#approve-all-progress:not(.d-none)")
    assert page.is_disabled("[data-testid=approve-all]")
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    page.wait_for_selector("text=450 cards were added to your cart.", timeout=180_000)  # a busy test machine
    screenshot(page, "review-add-all-done")
    assert page.locator("[data-testid=review-empty]").count() == 1


def test_orderer_adds_a_missing_photo_in_the_edit_dialog(page, db, make_company, make_user, make_card_type, tmp_path):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="orderer", email="oskar@nordbygg.se", name="Oskar")
    ct = make_card_type("Site ID", fields=[("first_name", "First name", "text", True),
                                           ("last_name", "Last name", "text", True), ("photo", "Photo", "photo", True)])
    db.session.add(CollectionRequest(company_id=company.id, card_type_id=ct.id, status="in_review",
                                     data={"first_name": "Åsa", "last_name": "Öberg"}, submitted_at=utcnow()))
    db.session.commit()
    photo = tmp_path / "asa.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (900, 1200), (90, 120, 160)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())

    sign_in(page, "oskar@nordbygg.se")
    page.goto("/admin/collection/review")
    assert "1 card needs a photo" in page.inner_text("[data-testid=review-missing-photos]")
    page.click("[data-testid=add-photo]")
    page.wait_for_selector("#edit-modal.show [data-testid=edit-photo]")
    page.set_input_files("#edit-photo", str(photo))
    page.click("[data-testid=edit-save]")
    page.wait_for_selector("text=The card data was saved.")
    assert page.locator("[data-testid=review-missing-photos]").count() == 0
    page.click("[data-testid=approve]")
    page.wait_for_selector("text=The card was added to your cart.")
