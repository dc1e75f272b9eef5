"""Company > Users with pending invitations: every Remove access button can be seen and clicked."""
import pytest

from tests.browser.conftest import screenshot, sign_in

COVERED = """(el) => { const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit === el || el.contains(hit) ? '' : (hit ? hit.outerHTML.slice(0, 80) : 'outside the window'); }"""


@pytest.mark.parametrize("width", [1024, 1366])
def test_remove_access_buttons_are_not_covered_by_the_invite_panel(page, db, make_company, make_user, width):
    from portal.tenancy.invitations import invite_user

    company = make_company("Nordbygg AB", language="en")
    admin = make_user(company, role="admin", email="anna.andersson@nordbygg.se", name="Anna Andersson")
    for i in range(3):
        make_user(company, role="orderer", email=f"orderer.with.a.long.address{i}@nordbygg-construction.se",
                  name=f"Orderer Number {i} Lindqvist-Johansson")
    invite_user(company, "pending.person.with.a.long.name@nordbygg-construction.se", "Pending Person", "orderer",
                admin, "en")
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, admin.email)
    page.goto("/admin/company/users/")
    buttons = page.locator("button:has-text('Remove access')")
    assert buttons.count() == 5  # the admin, three orderers and the invited person
    for i in range(buttons.count()):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        assert button.evaluate(COVERED) == "", f"Remove access #{i} is covered at {width} px"
    page.locator("button:has-text('Send invitation again')").first.scroll_into_view_if_needed()
    screenshot(page, f"company-users-{width}")
    page.once("dialog", lambda dialog: dialog.accept())
    buttons.nth(4).click()  # a real click: it would land on whatever covers the button
    page.wait_for_selector("text=Access removed.")
