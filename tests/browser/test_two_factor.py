"""Two-step sign-in in a real browser: scan (read) the QR key, confirm, keep the recovery codes, sign in with a code."""
import time

import pyotp

from tests.browser.conftest import screenshot, sign_in


def test_turn_on_two_step_sign_in_and_sign_in_with_a_code(page, db, make_company, make_user):
    make_user(make_company("Nordbygg AB"), role="admin", email="anna@nordbygg.se", name="Anna Andersson")
    sign_in(page, "anna@nordbygg.se")
    page.goto("/account")
    screenshot(page, "my-account")
    page.click("text=Turn on two-step sign-in")
    page.wait_for_selector(".qr-code svg")
    screenshot(page, "two-factor-setup")
    totp = pyotp.TOTP(page.inner_text("[data-testid=totp-secret]").strip())
    page.fill("#code-enable", totp.now())
    page.click("button:has-text('Turn on two-step sign-in')")
    page.wait_for_selector("[data-testid=recovery-codes]")
    assert len(page.query_selector_all("[data-testid=recovery-codes] code")) == 10
    screenshot(page, "two-factor-recovery-codes")

    page.context.clear_cookies()  # another day, another browser session
    page.goto("/login")
    page.fill("input[name=email]", "anna@nordbygg.se")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code")
    page.fill("input[name=code]", totp.at(time.time() + 30))  # a step not used for turning it on
    screenshot(page, "two-factor-sign-in")
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/admin/**")
    assert "Nordbygg AB" in page.inner_text("body")
