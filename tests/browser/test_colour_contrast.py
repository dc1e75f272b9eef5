"""Colour contrast (WCAG 1.4.3) with the company's own colour: axe-core's `color-contrast` rule finds
nothing on the sign-in page, the back office, the customer portal and the employee's pages, with a
light company colour (yellow, too light for white text) and a dark one."""
import re

import pytest
from sqlalchemy import select

from portal.collection.email_list import split_email_list
from portal.collection.operations import send_requests
from portal.demo.seed import DEMO_PASSWORD, seed_demo
from portal.outbox.models import OutboxEmail
from portal.tenancy.models import Company, User
from tests.browser.axe import axe_violations
from tests.browser.conftest import screenshot

COLOURS = {"light": "#f6d743", "dark": "#0b5394"}


def _contrast(page) -> list[dict]:
    return [v for v in axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
            if v["id"] == "color-contrast"]


def _walk(page, paths, found: dict) -> None:
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("load")
        for v in _contrast(page):
            found[path] = (v["count"], v["targets"])


def _menu_paths(page) -> list[str]:
    hrefs = page.eval_on_selector_all("#admin-navbar-collapse a[href^='/admin'], #admin-navbar-collapse a[href^='/account']",
                                      "els => els.map(e => e.getAttribute('href'))")
    return list(dict.fromkeys(h for h in hrefs if h and h != "#"))


def _world(db, colour: str):
    seed_demo()
    for company in db.session.scalars(select(Company)):
        company.primary_color = colour
    nordbygg = db.session.scalar(select(Company).where(Company.name == "Nordbygg AB"))
    orderer = db.session.scalar(select(User).where(User.email == "orderer@nordbygg.example"))
    from portal.catalog.models import CardType
    card_type = next(ct for ct in db.session.scalars(select(CardType)) if any(f.kind == "photo" for f in ct.fields))
    send_requests(nordbygg, orderer, card_type, split_email_list("contrast@example.com").valid)
    db.session.commit()
    email = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "collection_request")
                               .order_by(OutboxEmail.id.desc())).first()
    return re.search(r"(/r/[A-Za-z0-9_-]{30,})", email.body_text).group(1)


def _sign_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/**")


@pytest.mark.parametrize("shade", sorted(COLOURS))
def test_no_colour_contrast_failures_with_a_light_or_dark_company_colour(page, browser, live_server, db, shade):
    link = _world(db, COLOURS[shade])
    found: dict = {}
    _walk(page, ["/login", "/portal/login", "/portal/forgot"], found)

    for email in ("operator@cardwright.example", "admin@nordbygg.example"):
        _sign_in(page, email)
        page.goto("/admin/")
        paths = ["/admin/"] + _menu_paths(page) + ["/admin/printers/new/", "/admin/addresses/new/"]
        _walk(page, paths, found)
        page.context.clear_cookies()
    page.goto("/login")

    _sign_in(page, "orderer@nordbygg.example")
    _walk(page, ["/admin/", "/admin/collection/", "/admin/collection/pending", "/admin/collection/review",
                 "/admin/cart/"], found)
    screenshot(page, f"contrast-{shade}-back-office")

    customer = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1366, "height": 900}).new_page()
    customer.goto("/portal/login")
    customer.fill("#username", "nordbygg")
    customer.fill("#password", DEMO_PASSWORD)
    customer.click("button[type=submit]")
    customer.wait_for_url("**/portal/")
    _walk(customer, ["/portal/", "/portal/jobs", "/portal/invoices", "/portal/resources", "/portal/requests",
                     "/portal/password"], found)
    screenshot(customer, f"contrast-{shade}-portal")

    phone = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    _walk(phone, [link, link + "/photo"], found)
    screenshot(phone, f"contrast-{shade}-employee")
    total = sum(n for n, _ in found.values())
    assert found == {}, f"{total} contrast failures on {len(found)} pages:\n" + "\n".join(
        f"{p}: x{n} {t}" for p, (n, t) in found.items())
