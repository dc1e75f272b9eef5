"""Each company chooses when its orderers hear about cards that expire (Company > Settings); the card-expiry
job uses the company's days, and the configured ones (30, 7) where the company chose none."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.cards.models import Card
from portal.outbox.models import OutboxEmail
from portal.renewal.tasks import expire_cards
from portal.tenancy.settings import SettingsError, parse_notice_days, update_company_settings
from tests.conftest import html_text

TODAY = date(2027, 3, 1)
NOW = datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=3)


@pytest.fixture()
def two_companies(db, make_company, make_user, make_card_type):
    ct = make_card_type("Site ID")
    made = []
    for name in ("Nordbygg AB", "Sydbygg AB"):
        company = make_company(name, language="en")
        admin = make_user(company, role="admin", email=f"admin@{name.split()[0].lower()}.se")
        card = Card(company_id=company.id, card_type_id=ct.id, orderer_id=admin.id, holder_name=f"Bo {name}",
                    status="active", valid_until=TODAY + timedelta(days=45))
        db.session.add(card)
        made.append((company, admin, card))
    db.session.commit()
    return made


@pytest.mark.parametrize("typed, stored", [("30, 7", "30,7"), ("7 30", "30,7"), ("60,30,7", "60,30,7"),
                                           ("14,14", "14"), ("", None), ("  ", None), ("365", "365")])
def test_notice_days_are_read_as_whole_days_largest_first(typed, stored):
    assert parse_notice_days(typed) == stored


@pytest.mark.parametrize("typed, says", [("30,x", "whole days"), ("1.5", "whole days"), ("-7", "whole days"),
                                         ("90,60,30,7", "At most 3"), ("0", "between 1 and 365"),
                                         ("400", "between 1 and 365"), ("٣٠", "whole days")])
def test_wrong_notice_days_are_refused_with_the_reason(typed, says):
    with pytest.raises(SettingsError, match=says):
        parse_notice_days(typed)


def test_the_job_uses_each_companys_own_days_and_the_default_elsewhere(db, two_companies):
    (own, own_admin, own_card), (plain, plain_admin, plain_card) = two_companies
    update_company_settings(own, own_admin, expiry_notice_days="60, 14")
    db.session.commit()
    assert expire_cards(now=NOW)["notified_cards"] == 1  # 45 days left: inside 60, outside the default 30
    digests = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "card_expiry_digest")).all()
    assert [d.to for d in digests] == [own_admin.email]
    assert expire_cards(now=NOW + timedelta(days=16))["notified_cards"] == 1  # 29 days left: the default's 30
    assert expire_cards(now=NOW + timedelta(days=31))["notified_cards"] == 1  # 14 days left: the company's 14
    assert expire_cards(now=NOW + timedelta(days=38))["notified_cards"] == 1  # 7 days left: the default's 7
    db.session.expire_all()
    assert db.session.get(Card, own_card.id).expiry_notice_days == 14
    assert db.session.get(Card, plain_card.id).expiry_notice_days == 7


def test_the_company_admin_sets_the_days_on_the_settings_screen(db, two_companies, client):
    company, admin, _card = two_companies[0]
    client.login(admin.email)
    page = client.get("/admin/company/settings/").get_data(as_text=True)
    assert 'name="expiry_notice_days"' in page and 'placeholder="30, 7"' in page
    form = {"name": company.name, "language": "en", "primary_color": "#0b5394", "reminder_count": "2",
            "reminder_days": "10", "request_valid_days": "30", "retention": "36"}
    refused = client.post("/admin/company/settings/", {**form, "expiry_notice_days": "90, 60, 30, 7"})
    assert refused.status_code == 200 and "At most 3 notices" in html_text(refused)
    db.session.expire_all()
    assert db.session.get(type(company), company.id).expiry_notice_days is None
    saved = client.post("/admin/company/settings/", {**form, "expiry_notice_days": "14, 60"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(company), company.id).expiry_notice_days == "60,14"
    assert 'value="60, 14"' in client.get("/admin/company/settings/").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "company.updated")
                              .order_by(AuditEvent.id.desc()))
    assert event.changes["expiry_notice_days"] == [None, "60,14"]
    client.post("/admin/company/settings/", {**form, "expiry_notice_days": ""})  # back to the default
    db.session.expire_all()
    assert db.session.get(type(company), company.id).expiry_notice_days is None
