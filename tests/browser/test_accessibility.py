"""WCAG 2.2 AA on every page, checked by axe-core in Chromium: the public pages, the employee's steps,
the customer portal, and every back-office screen of the URL map as operator, company admin and orderer
(model screens: list, create, and the details and edit pages of a seeded row). 0 serious or critical
violations; a failure lists page, rule and the elements.

New screens are covered without touching this file: every GET route of the URL map is opened (routes
with a URL parameter take a seeded row from `World.ids`; a new parameter name fails and says where to
add it), and Flask-Admin model screens are followed from their list to a row's details and edit pages.
"""
from __future__ import annotations

import time
from urllib.parse import urljoin, urlparse

import pyotp

from tests.browser.a11y_world import ADMIN, OPERATOR, ORDERER, PASSWORD, TWO_FACTOR_USER
from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in

# Every rule runs, colour contrast included (the design system computes the company colour's contrast).
LEFT_TO_THE_DESIGN_SYSTEM: tuple[str, ...] = ()

# Routes that are not pages to walk: files, downloads and JSON (they are also skipped by content type),
# and the public link pages, which the public walk opens with real links.
NOT_PAGES = ("static", "admin.static")
LINK_PAGES = ("/r/", "/invite/", "/reset/", "/login/link/", "/portal/set-password/")


def check(page, where: str, found: dict) -> None:
    """Run axe on the page as it is now; remember what is wrong under `where`."""
    violations = axe_violations(page, disable=LEFT_TO_THE_DESIGN_SYSTEM)
    if violations:
        found[where] = violations


def report(found: dict) -> str:
    lines = []
    for where, violations in found.items():
        lines.append(where)
        lines += [f"    {v['impact']} {v['id']} x{v['count']}: {v['help']} -> {v['targets']}" for v in violations]
    return f"{len(found)} pages with serious or critical violations:\n" + "\n".join(lines)


def open_page(page, url: str, errors_seen: set) -> bool:
    """Open `url` if it answers an HTML page; False for files, downloads and JSON, and for a second error
    page of the same status (a 403 or 404 page is the same template whatever the URL)."""
    answer = page.request.get(url, max_redirects=5)
    if "text/html" not in (answer.headers.get("content-type") or ""):
        return False
    if answer.status >= 400:
        if answer.status in errors_seen:
            return False
        errors_seen.add(answer.status)
    page.goto(url)
    return True


def route_urls(app, prefix: str, ids: dict) -> list[str]:
    """Every GET route under `prefix` with its parameters filled from `ids`."""
    urls, unknown = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or not rule.rule.startswith(prefix):
            continue
        if rule.endpoint.endswith((".ajax_lookup", ".export", ".details_view", ".edit_view")):
            continue  # JSON and files; details and edit are followed from the list with a real row
        if any(rule.rule.startswith(p) for p in LINK_PAGES):
            continue
        missing = [a for a in rule.arguments if a not in ids]
        if missing:
            unknown.append(f"{rule.rule} ({rule.endpoint}): no seeded value for {missing}")
            continue
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments}))
    assert not unknown, ("Add a seeded row for these URL parameters to World.ids in tests/browser/a11y_world.py:\n"
                         + "\n".join(unknown))
    return urls


def walk(page, urls: list[str], found: dict, who: str) -> set[str]:
    """Open every URL (and, on a model list, its first row's details and edit pages) and run axe."""
    seen: set[str] = set()
    errors_seen: set[int] = set()
    queue = list(urls)
    while queue:
        url = queue.pop(0)
        if url in seen or not open_page(page, url, errors_seen):
            continue
        seen.add(url)
        landed = urlparse(page.url)
        landed = landed.path + (f"?{landed.query}" if landed.query else "")
        if landed != url and landed in seen:
            continue  # a redirect to a page already walked
        seen.add(landed)
        check(page, f"{who} {url}" + (f" -> {landed}" if landed != url else ""), found)
        add_filter = page.locator("a.filter").first  # a list's filters: add the first one, as a user would
        if add_filter.count():
            add_filter.evaluate("a => a.click()")
            page.wait_for_selector(".filters .filter-op, table.filters select, .filters input")
            check(page, f"{who} {url} with a filter", found)
        search = page.locator("form[role=search] input[name=search]").first
        if search.count():  # a list searched: the search box then offers to clear it
            search.fill("a")
            with page.expect_navigation():
                search.press("Enter")
            check(page, f"{who} {url} searched", found)
        for kind in ("details", "edit"):
            row = page.locator(f"a[href*='/{kind}/?id=']").first
            if row.count():
                href = urlparse(urljoin(page.url, row.get_attribute("href")))
                queue.append(f"{href.path}?{href.query}")
    return seen


def work_in(page, company: str) -> None:
    """Make `company` the current one (the seeded rows are Nordbygg's)."""
    if company in page.inner_text("#company-switcher"):
        return
    page.click("#company-switcher")
    page.click(f"button.dropdown-item:has-text('{company}')")
    page.wait_for_selector(f"#company-switcher:has-text('{company}')")


def test_back_office_screens_of_every_role(browser, live_server, app, a11y_world):
    found: dict = {}
    urls = route_urls(app, "/admin", a11y_world.ids) + route_urls(app, "/account", a11y_world.ids)
    urls.append("/switch-company?q=bygg")  # the company switcher's search page
    for email in (OPERATOR, ADMIN, ORDERER):
        context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900}, locale="en-GB")
        page = context.new_page()
        sign_in(page, email, PASSWORD)
        work_in(page, "Nordbygg AB")
        walked = walk(page, urls, found, email.split("@")[0])
        assert len(walked) > 10, walked
        context.close()
    assert not found, report(found)


def test_public_pages_and_error_pages(browser, live_server, app, a11y_world):
    found: dict = {}
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    for url in ["/login", "/forgot", "/accessibility", "/portal/login", "/portal/forgot", *a11y_world.links.values(),
                "/r/this-link-does-not-exist-at-all-000000000", "/no-such-page"]:
        page.goto(url)
        check(page, url, found)
    page.goto("/login")  # a form sent without its CSRF token: 400
    with page.expect_navigation():
        page.evaluate("""() => { const f = document.querySelector('form[action$="/login"], form');
                                 f.querySelector('[name=csrf_token]').value = 'stale'; f.submit(); }""")
    check(page, "400 (form without a valid CSRF token)", found)
    page.goto("/login")
    page.fill("input[name=email]", TWO_FACTOR_USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code")
    check(page, "/login/code (two-step sign-in)", found)
    page.fill("input[name=code]", pyotp.TOTP(a11y_world.totp_secret).at(time.time()))
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/**")
    page.goto("/admin/op_companies/")  # a viewer: 403
    check(page, "403 (viewer on an operator screen)", found)
    context.close()
    assert not found, report(found)


def test_customer_portal_pages(browser, live_server, app, a11y_world):
    found: dict = {}
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto("/portal/login")
    page.fill("#username", "nordbygg")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")
    walk(page, route_urls(app, "/portal", a11y_world.portal_ids), found, "portal")
    context.close()
    assert not found, report(found)


def test_employee_steps(browser, live_server, a11y_world):
    from tests.browser.test_data_collection_flow import _selfie

    found: dict = {}
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="sv-SE")
    phone = context.new_page()
    phone.goto(a11y_world.employee_link)
    check(phone, "employee: details", found)
    phone.fill("#f-first_name", "Åsa")
    phone.fill("#f-last_name", "Öberg")
    phone.click("button.primary")
    phone.wait_for_url("**/photo")
    check(phone, "employee: photo", found)
    phone.set_input_files("#photo-input", files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": _selfie()}])
    phone.wait_for_selector("#cropper:not([hidden])")
    check(phone, "employee: photo with the crop tools", found)
    phone.click("button.primary")
    phone.wait_for_url("**/address")
    check(phone, "employee: address", found)
    phone.check("input[name=address_id]")
    phone.click("button.primary")
    phone.wait_for_url("**/confirm")
    check(phone, "employee: confirm", found)
    phone.click("button.primary")
    phone.wait_for_selector(".done, h1")
    check(phone, "employee: done", found)
    phone.goto(a11y_world.links["holder change"])
    check(phone, "holder: approve a change", found)
    with phone.expect_navigation():
        phone.click("button[value=approve]")
    check(phone, "holder: change approved", found)
    phone.goto("/r/this-link-does-not-exist-at-all-000000000")
    check(phone, "employee: dead link", found)
    context.close()
    assert not found, report(found)
