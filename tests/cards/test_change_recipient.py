"""An orderer who writes a new email in "Change card data" cannot send the approval link to that mailbox: it goes
to the holder's recorded address, and the new address is part of what the holder approves there."""
import re

from sqlalchemy import select

from portal.cards.models import Card
from portal.outbox.models import OutboxEmail
from tests.cards.test_cards import cards  # noqa: F401 - shared fixture
from tests.conftest import html_text


def _change_mails(db):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "card_change_request")).all()


def test_the_approval_goes_to_the_recorded_address_and_the_new_one_is_approved_there(client, db, cards):  # noqa: F811
    company, admin, ct, asa, bo = cards
    client.login(admin.email)
    resp = client.post(f"/admin/cards/{asa.id}/change", {
        "first_name": "Mallory", "last_name": "Öberg", "national_id": "198501010006",
        "holder_email": "mallory@evil.example"}, follow_redirects=True)
    assert "got an email at asa@x.se" in html_text(resp)
    mails = _change_mails(db)
    assert [m.to for m in mails] == ["asa@x.se"]  # never the address the orderer wrote
    link = re.search(r"(/r/change/[A-Za-z0-9_-]+)", mails[0].body_text).group(1)
    page = html_text(client.get(link))
    assert "asa@x.se" in page and "mallory@evil.example" in page  # the holder sees the new address
    client.post(link, {"decision": "approve"})
    db.session.expire_all()
    card = db.session.get(Card, asa.id)
    assert card.holder_name == "Mallory Öberg" and card.holder_email == "mallory@evil.example"


def test_a_declined_address_change_changes_nothing(client, db, cards):  # noqa: F811
    company, admin, ct, asa, bo = cards
    client.login(admin.email)
    client.post(f"/admin/cards/{asa.id}/change", {"first_name": "Åsa", "last_name": "Öberg",
                                                  "holder_email": "other@x.se"})
    link = re.search(r"(/r/change/[A-Za-z0-9_-]+)", _change_mails(db)[0].body_text).group(1)
    client.post(link, {"decision": "decline"})
    db.session.expire_all()
    assert db.session.get(Card, asa.id).holder_email == "asa@x.se"


def test_a_card_without_an_address_takes_the_written_one(client, db, cards):  # noqa: F811
    company, admin, ct, asa, bo = cards
    client.login(admin.email)
    page = html_text(client.get(f"/admin/cards/{bo.id}/change"))
    assert "no email address on record" in page
    client.post(f"/admin/cards/{bo.id}/change", {"first_name": "Bo", "last_name": "Ek", "holder_email": "bo@x.se"})
    assert [m.to for m in _change_mails(db)] == ["bo@x.se"]
