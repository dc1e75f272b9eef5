"""Inviting people: a re-invitation never changes a member's role, and an account that exists already
(a member of another company) is asked first; the inviting company sees only what its admin typed."""
from datetime import datetime

import pytest
from sqlalchemy import select

from portal.outbox.models import OutboxEmail
from portal.tenancy.models import Membership
from portal.tenancy.operations import companies_for
from tests.conftest import html_text


@pytest.fixture()
def alfa(db, make_company, make_user):
    company = make_company("Alfa AB", language="en")
    return company, make_user(company, role="admin", email="admin@alfa.se", name="Alfa Admin")


@pytest.fixture()
def beta_member(db, make_company, make_user):
    """Someone who works for Beta AB and signed in there, with their own name."""
    beta = make_company("Beta AB", language="sv")
    user = make_user(beta, role="admin", email="anna@beta.se", name="Anna Verklig", language="sv",
                     last_login_at=datetime(2026, 11, 2, 8, 15))
    return beta, user


def _emails(db, to):
    db.session.expire_all()
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to == to)).all()


def test_reinviting_a_member_keeps_their_role_and_says_why(client, db, alfa, make_user):
    company, admin = alfa
    orderer = make_user(company, role="orderer", email="olle@alfa.se", name="Olle")
    client.login(admin.email)
    resp = client.post("/admin/company/users/", {"email": "Olle@alfa.se", "name": "Olle", "role": "admin"})
    assert resp.status_code == 200
    assert "olle@alfa.se is already in the list (Orderer). Change the role or the access there." in html_text(resp)
    db.session.expire_all()
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == orderer.id)) == "orderer"
    assert _emails(db, "olle@alfa.se") == []


def test_an_account_of_another_company_is_asked_and_the_inviter_sees_only_what_was_typed(
        client, db, alfa, beta_member):
    company, admin = alfa
    _beta, anna = beta_member
    client.login(admin.email)
    resp = client.post("/admin/company/users/", {"email": "anna@beta.se", "name": "Anna Typed", "role": "orderer"})
    assert resp.status_code == 302
    page = html_text(client.get("/admin/company/users/"))
    assert "Anna Typed" in page and "Invitation sent" in page
    assert "Verklig" not in page  # not the account's own name
    assert "Nov 2, 2026" not in page  # nor its last sign-in
    assert "Verklig" not in client.get("/admin/reports/").get_data(as_text=True)  # nor in the orderer filter
    db.session.expire_all()
    assert [c.name for c in companies_for(anna)] == ["Beta AB"]  # nothing in her switcher yet
    (email,) = _emails(db, "anna@beta.se")
    assert email.subject == "Alfa AB bjuder in dig till Cardwright"  # in her language, through the outbox
    assert "Ingenting ändras förrän du tackar ja" in email.body_text and "/account" in email.body_text

    client.post("/logout")
    client.login(anna.email)
    account = html_text(client.get("/account"))
    assert "Alfa AB bjuder in dig som Beställare." in account
    invitation = db.session.scalar(select(Membership).where(Membership.user_id == anna.id, Membership.pending))
    resp = client.post(f"/account/invitations/{invitation.id}", {"decision": "accept"}, follow_redirects=True)
    assert "Du arbetar nu även för Alfa AB" in html_text(resp)
    db.session.expire_all()
    assert [c.name for c in companies_for(anna)] == ["Alfa AB", "Beta AB"]
    assert db.session.get(Membership, invitation.id).role == "orderer"


def test_the_invitation_email_is_english_for_an_english_account(db, alfa, make_user, make_company):
    from portal.tenancy.invitations import invite_user

    company, admin = alfa
    make_user(make_company("Gamma Ltd"), role="orderer", email="sam@gamma.co.uk", name="Sam", language="en")
    invite_user(company, "sam@gamma.co.uk", "Sam T", "viewer", admin, "sv")
    db.session.commit()
    (email,) = _emails(db, "sam@gamma.co.uk")
    assert email.subject == "Alfa AB invites you to Cardwright"
    assert "Alfa Admin invites you to work for Alfa AB in Cardwright as Viewer." in email.body_text


def test_a_declined_invitation_is_gone_and_restore_access_cannot_skip_the_answer(client, db, alfa, beta_member):
    from portal.tenancy.invitations import invite_user

    company, admin = alfa
    _beta, anna = beta_member
    invitation_id = invite_user(company, "anna@beta.se", "Anna Typed", "orderer", admin, "en").id
    db.session.commit()
    client.login(admin.email)
    resp = client.post(f"/admin/company/users/{invitation_id}/change", {"what": "activate"}, follow_redirects=True)
    assert "Anna Typed has not accepted the invitation yet." in html_text(resp)
    db.session.expire_all()
    assert [c.name for c in companies_for(anna)] == ["Beta AB"]
    # Only the invited account answers its invitation.
    assert client.post(f"/account/invitations/{invitation_id}", {"decision": "accept"}).status_code == 404
    client.post("/logout")
    client.login(anna.email)
    client.post(f"/account/invitations/{invitation_id}", {"decision": "decline"})
    db.session.expire_all()
    assert db.session.get(Membership, invitation_id) is None
    assert [c.name for c in companies_for(anna)] == ["Beta AB"]
