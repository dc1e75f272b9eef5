"""The company switcher: after switching, every screen shows only the chosen company's data.

The two companies' names are neutral; their data carries the markers Alfa and Beta, so the switcher
menu (which lists both names) does not count as a leak."""
from portal.audit.operations import record
from portal.collection.email_list import split_email_list
from portal.collection.operations import send_requests
from portal.infra.extensions import db as _db
from portal.ordering.checkout import place_order
from portal.ordering.operations import add_accessory_to_cart
from portal.tenancy.models import Membership
from tests.conftest import html_text

SCREENS = {
    "dashboard": "/admin/",
    "settings": "/admin/company/settings/",
    "users": "/admin/company/users/",
    "addresses": "/admin/addresses/",
    "audit": "/admin/audit/",
    "orders": "/admin/orders/",
    "pending": "/admin/collection/pending",
    "cart": "/admin/cart/",
    "checkout addresses": "/admin/order-cards/",
}


def _company_with_data(tag, make_company, make_user, make_address, make_card_type, make_accessory, user):
    company = make_company({"Alfa": "Nordbygg AB", "Beta": "Kontorshuset AB"}[tag])
    _db.session.add(Membership(user_id=user.id, company_id=company.id, role="admin"))
    make_user(company, role="orderer", email=f"colleague-{tag.lower()}@x.se", name=f"Colleague {tag}")
    addr = make_address(company, f"{tag} head office", street=f"{tag}gatan 1")
    ct = make_card_type(f"{tag} badge", company=company)
    acc = make_accessory(f"{tag} lanyard")
    add_accessory_to_cart(company, user, acc.id, 1)
    place_order(company, user, address_id=addr.id, reference=f"PO-{tag.upper()}")
    add_accessory_to_cart(company, user, acc.id, 2)  # left in the cart of this company
    send_requests(company, user, ct, split_email_list(f"employee-{tag.lower()}@x.se").valid)
    _db.session.commit()  # the request commits; operations only flush
    record("address.created", company_id=company.id, obj=addr, summary=f"{tag} head office", user_id=user.id)
    _db.session.commit()
    return company


def test_switching_company_rescopes_every_screen(client, db, make_company, make_user, make_address,
                                                 make_card_type, make_accessory):
    user = make_user(email="anna@x.se", name="Anna")
    alfa = _company_with_data("Alfa", make_company, make_user, make_address, make_card_type, make_accessory, user)
    beta = _company_with_data("Beta", make_company, make_user, make_address, make_card_type, make_accessory, user)
    client.login("anna@x.se")
    for company, mine, theirs in ((alfa, "Alfa", "Beta"), (beta, "Beta", "Alfa"), (alfa, "Alfa", "Beta")):
        resp = client.post("/switch-company", {"company_id": company.id, "next": "/admin/"}, follow_redirects=True)
        assert f"You are now working in {company.name}" in html_text(resp)
        for screen, url in SCREENS.items():
            text = html_text(client.get(url))
            assert theirs not in text and theirs.lower() not in text, f"{screen} shows {theirs} after switching"
        assert f"{mine}gatan 1" in html_text(client.get("/admin/addresses/"))
        assert f"PO-{mine.upper()}" in html_text(client.get("/admin/orders/"))
        assert f"employee-{mine.lower()}@x.se" in html_text(client.get("/admin/collection/pending"))
        assert f"Colleague {mine}" in html_text(client.get("/admin/company/users/"))
        assert f"{mine} head office" in html_text(client.get("/admin/audit/"))
        assert f"{mine} lanyard" in html_text(client.get("/admin/cart/"))
        assert f"{mine} badge" in html_text(client.get("/admin/order-cards/"))


def test_role_follows_the_chosen_company(client, db, make_company, make_user):
    admin_here, orderer_there = make_company("Alfa AB"), make_company("Beta AB")
    user = make_user(admin_here, role="admin", email="anna@x.se")
    _db.session.add(Membership(user_id=user.id, company_id=orderer_there.id, role="viewer"))
    _db.session.commit()
    client.login("anna@x.se")
    client.post("/switch-company", {"company_id": admin_here.id})
    assert client.get("/admin/company/settings/").status_code == 200
    client.post("/switch-company", {"company_id": orderer_there.id})
    assert client.get("/admin/company/settings/").status_code == 403
    assert client.get("/admin/order-cards/").status_code == 403


def test_signing_in_again_opens_the_company_chosen_last(client, db, make_company, make_user):
    first, second = make_company("Alfa AB"), make_company("Beta AB")
    user = make_user(first, role="admin", email="anna@x.se")
    _db.session.add(Membership(user_id=user.id, company_id=second.id, role="admin"))
    _db.session.commit()
    client.login("anna@x.se")
    assert 'value="Alfa AB"' in client.get("/admin/company/settings/").get_data(as_text=True)
    client.post("/switch-company", {"company_id": second.id})
    client.post("/logout")
    client.login("anna@x.se")
    assert 'value="Beta AB"' in client.get("/admin/company/settings/").get_data(as_text=True)
    # A company the user has left is not reopened: the first one allowed is.
    _db.session.execute(_db.delete(Membership).where(Membership.company_id == second.id))
    _db.session.commit()
    client.post("/logout")
    client.login("anna@x.se")
    assert 'value="Alfa AB"' in client.get("/admin/company/settings/").get_data(as_text=True)


def test_orderer_reads_addresses_but_cannot_archive_or_delete_them(client, db, make_company, make_user, make_address):
    from portal.ordering.models import Address

    company = make_company("Nordbygg AB")
    make_user(company, role="orderer", email="olle@x.se")
    addr = make_address(company, "Head office")
    client.login("olle@x.se")
    page = client.get("/admin/addresses/").get_data(as_text=True)
    assert "Head office" in page and 'name="rowid"' not in page  # no checkboxes, no "With selected"
    for action in ("archive", "delete"):
        client.post("/admin/addresses/action/", {"action": action, "rowid": str(addr.id)})
    db.session.expire_all()
    kept = db.session.get(Address, addr.id)
    assert kept is not None and not kept.archived


def test_deactivated_member_loses_access_at_once_and_it_is_audited(app, client, db, make_company, make_user):
    from sqlalchemy import select

    from portal.audit.models import AuditEvent

    company = make_company("Nordbygg AB")
    make_user(company, role="admin", email="anna@x.se")
    olle = make_user(company, role="orderer", email="olle@x.se")
    theirs = type(client)(app.test_client())
    theirs.login("olle@x.se")
    assert theirs.get("/admin/order-cards/").status_code == 200
    client.login("anna@x.se")
    membership = db.session.scalar(select(Membership).where(Membership.user_id == olle.id))
    resp = client.post(f"/admin/company/users/{membership.id}/change", {"what": "deactivate"}, follow_redirects=True)
    assert "No access" in html_text(resp)
    assert theirs.get("/admin/order-cards/").status_code in (302, 403)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.deactivated")) is not None
    client.post(f"/admin/company/users/{membership.id}/change", {"what": "activate"})
    assert theirs.get("/admin/order-cards/").status_code == 200


def test_invitation_refuses_an_unknown_role(client, db, make_company, make_user):
    company = make_company("Nordbygg AB")
    make_user(company, role="admin", email="anna@x.se")
    client.login("anna@x.se")
    client.post("/admin/company/users/", {"email": "eve@x.se", "name": "Eve", "role": "operator"})
    from sqlalchemy import select

    from portal.tenancy.models import User

    assert db.session.scalar(select(User).where(User.email == "eve@x.se")) is None


def test_audit_log_records_changes_and_orders_in_words(client, db, make_company, make_user, make_accessory):
    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.ordering.models import Address

    company = make_company("Nordbygg AB")
    make_user(company, role="admin", email="anna@x.se", name="Anna")
    acc = make_accessory("Lanyard")
    client.login("anna@x.se")
    form = {"name": "Head office", "attention": "", "street": "Storgatan 1", "postcode": "111 22",
            "city": "Stockholm", "country": "SE"}
    client.post("/admin/addresses/new/", form)
    addr = db.session.scalar(select(Address))
    client.post(f"/admin/addresses/edit/?id={addr.id}", {**form, "city": "Umeå", "for_collection": "y"})
    client.post("/admin/order-cards/accessories", {"accessory_id": acc.id, "quantity": "2"})
    client.post("/admin/cart/checkout", {"address_id": addr.id})
    client.post("/admin/addresses/delete/", {"id": addr.id})
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id.is_not(None))
                                      .order_by(AuditEvent.id)))
    assert actions == ["address.created", "address.updated", "order.placed", "address.deleted"]
    log = html_text(client.get("/admin/audit/"))
    for words in ("Address added", "Address changed", "Order placed", "Address deleted", "Anna",
                  "City : Stockholm → Umeå", "Data collection address : No → Yes"):
        assert words in log, words
    table = html_text(client.get("/admin/audit/")).split("{")[0]  # the filter definitions follow as JSON
    assert "address.created" not in table and "for_collection" not in table
