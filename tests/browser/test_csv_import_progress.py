"""The CSV import in real Chromium: while the import is under way the orderer sees a progress bar and
cannot press Upload again; the rows then wait in In review."""
from tests.browser.conftest import sign_in


def test_csv_upload_shows_progress_then_the_rows_wait_in_review(page, db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB", language="en")
    make_user(company, role="orderer", email="oskar@nordbygg.se", name="Oskar")
    ct = make_card_type("Site ID", fields=[("first_name", "First name", "text", True),
                                           ("last_name", "Last name", "text", True)])
    rows = "\r\n".join(f"person{i}@nordbygg.se;Anna{i};Berg" for i in range(300))
    csv_bytes = ("\ufeffEMAIL;First name;Last name\r\n" + rows + "\r\n").encode("utf-8")

    sign_in(page, "oskar@nordbygg.se")
    page.goto(f"/admin/collection/?card_type_id={ct.id}")

    held = []  # the upload request, held until the page's in-between state has been checked
    page.route("**/collection/upload", lambda route: held.append(route))
    page.set_input_files("#csv-file", files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": csv_bytes}])
    page.check("#by-email-no", force=True)
    page.click("[data-testid=upload]")
    page.wait_for_selector("#upload-progress:not(.d-none)")
    assert page.is_disabled("#upload-button")
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    page.wait_for_url("**/collection/review**")
    assert "300 cards are waiting for your review." in page.inner_text("body")  # in pages of 50
    page.fill("#review-search", "Anna299")
    page.press("#review-search", "Enter")
    page.wait_for_url("**/collection/review?q=Anna299")
    assert "Anna299" in page.inner_text("[data-testid=review-card]")
