"""The customer-portal world shared by the portal tests: portal on, one company, one access right, one account."""
import pytest

from portal.customers.models import AccessRight, PortalAccount
from portal.customers.operations import portal_settings, save_account

PASSWORD = "portal password 1"


@pytest.fixture()
def portal(db, make_company):
    settings = portal_settings()
    settings.enabled = True
    company = make_company("Nordbygg AB")
    right = AccessRight(name="Commercial", can_view_jobs=True, can_view_invoices=True, can_view_resources=True,
                        can_make_requests=True, can_view_notes=True)
    db.session.add(right)
    db.session.flush()
    account = PortalAccount(company_id=company.id, access_right_id=right.id, email="finance@nordbygg.se")
    save_account(account, username="Nordbygg", password=PASSWORD)
    db.session.add(account)
    db.session.commit()
    return settings, company, right, account
