"""Demo data for the customer portal (called by portal.seed on an empty database)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal import storage
from portal.customers.models import AccessRight, PortalAccount, ResourceFile, ResourceFolder
from portal.customers.operations import portal_settings, save_account
from portal.db_types import utcnow
from portal.extensions import db
from portal.ordering.models import Invoice
from portal.tenancy.models import Company

DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def seed_portal_demo(password: str) -> None:
    settings = portal_settings()
    settings.enabled = True
    company = db.session.scalar(select(Company).where(Company.name == "Nordbygg AB"))
    if company is None:
        return
    right = AccessRight(name="Commercial", can_view_jobs=True, can_view_invoices=True, can_view_resources=True,
                        can_make_requests=True, can_view_notes=True)
    db.session.add(right)
    db.session.flush()
    account = PortalAccount(company_id=company.id, access_right_id=right.id, email="finance@nordbygg.example")
    save_account(account, username="nordbygg", password=password)
    folder = ResourceFolder(name="Price lists", shared_with_all=True)
    db.session.add_all([account, folder])
    db.session.flush()
    db.session.add(ResourceFile(folder_id=folder.id, name="Price list 2026.pdf", content_type="application/pdf",
                                storage_key=storage.save(DEMO_PDF, "resources", "bin"), size=len(DEMO_PDF)))
    db.session.add(Invoice(company_id=company.id, number="INV-2026-0001", amount=Decimal("1290.00"),
                           vat=Decimal("258.00"), due_on=(utcnow() + timedelta(days=30)).date()))
