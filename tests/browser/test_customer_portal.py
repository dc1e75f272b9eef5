"""The operator sets up a customer; the customer signs in, downloads a resource and sends a request,
which the operator answers (real Chromium)."""
from tests.browser.conftest import screenshot, sign_in


def test_operator_sets_up_a_customer_who_downloads_and_asks(page, browser, live_server, db, make_company, make_user):
    make_company("Nordbygg AB")
    make_user(email="op@cardwright.se", is_operator=True, name="Olivia")
    sign_in(page, "op@cardwright.se")

    page.goto("/admin/portal/settings/")
    page.check("#enabled", force=True)
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=settings saved")

    page.goto("/admin/access_rights/new/")
    page.fill("#name", "Commercial")
    for field in ("can_view_jobs", "can_view_invoices", "can_view_resources", "can_make_requests"):
        page.check(f"#{field}")
    page.click("input[type=submit][value='Save']")

    page.goto("/admin/portal/resources/")
    page.fill("input[name=name]", "Price lists")
    page.click("button:has-text('Create folder')")
    page.select_option("select[name=folder_id]", label="Price lists")
    page.set_input_files("input[name=file]", files=[{"name": "prices.pdf", "mimeType": "application/pdf",
                                                      "buffer": b"%PDF-1.4 price list"}])
    page.click("form[action$='/upload'] button:has-text('Upload')")
    page.wait_for_selector("text=prices.pdf uploaded")

    page.goto("/admin/portal/accounts/")
    form = page.locator("form[action$='/save']").first
    form.locator("select[name=company_id]").select_option(label="Nordbygg AB")
    form.locator("input[name=username]").fill("nordbygg")
    form.locator("select[name=access_right_id]").select_option(label="Commercial")
    form.locator("input[name=password]").fill("customer pw 2026")
    form.locator("button:has-text('Create account')").click()
    page.wait_for_selector("text=Account nordbygg saved")
    screenshot(page, "portal-accounts")

    customer = browser.new_context(base_url=live_server, locale="en-GB").new_page()
    customer.goto("/portal/login")
    customer.fill("#username", "NordBygg")
    customer.fill("#password", "customer pw 2026")
    customer.click("button[type=submit]")
    customer.wait_for_selector("text=Overview")
    customer.click("a:has-text('Customer resources')")
    with customer.expect_download() as download:
        customer.click("a:has-text('Download')")
    assert download.value.suggested_filename == "prices.pdf"
    customer.click("a:has-text('Requests')")
    customer.fill("#subject", "More lanyards")
    customer.fill("#notes", "50 blue lanyards for the new site, please.")
    customer.click("button:has-text('Save')")
    customer.wait_for_selector("text=Your request is sent")

    page.goto("/admin/customer_requests/")
    page.click("a[title='Edit Record']")
    page.select_option("#status", value="done")
    page.fill("#reply", "On their way, delivered Friday.")
    page.click("input[type=submit][value='Save']")
    customer.reload()
    assert "On their way, delivered Friday." in customer.inner_text("main")
    screenshot(customer, "portal-requests")
