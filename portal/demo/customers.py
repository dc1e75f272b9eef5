"""Demo data for the customer portal (called by portal.demo.seed on an empty database)."""
from __future__ import annotations

from sqlalchemy import select

from portal.customers.models import AccessRight, PortalAccount, ResourceFile, ResourceFolder
from portal.customers.operations import portal_settings, save_account
from portal.infra import storage
from portal.infra.extensions import db
from portal.tenancy.models import Company

DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def demo_logo() -> bytes:
    """The demo operator's sign-in logo: a card-shaped mark and the bureau's name."""
    import io

    from PIL import Image, ImageDraw

    from portal.printing.render import font_of_size

    img = Image.new("RGBA", (600, 160), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([10, 30, 170, 130], radius=14, fill=(11, 83, 148))
    draw.rounded_rectangle([30, 55, 80, 105], radius=6, fill=(255, 255, 255))
    size = 44
    while draw.textlength("Nordic Card Bureau", font=font_of_size(size)) > 390 and size > 12:
        size -= 2  # fit whichever font the server has
    draw.text((195, 80), "Nordic Card Bureau", fill=(11, 83, 148), font=font_of_size(size), anchor="lm")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def seed_portal_demo(password: str) -> None:
    settings = portal_settings()
    settings.enabled = True
    settings.logo_key = storage.save(demo_logo(), "logos", "png")
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
