"""Export everything held about a person: one ZIP with `person.json` (machine-readable, every column of
every row), `person.pdf` (the same, readable, in the reader's language) and the photos. Audited."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import inspect

from portal.audit.reads import record_read
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.formatting import when
from portal.privacy.pdf import Document
from portal.privacy.people import Footprint
from portal.tenancy.models import Company

# Never exported: secrets and the machinery of links and job claims, not data about the person.
HIDDEN = {"token_hash", "token_salt", "claim", "claimed_at", "checkout_key"}
SECTIONS = ("cards", "lines", "orders", "requests", "changes", "status_events", "print_jobs", "audit_events",
            "emails", "webhook_deliveries", "cart_items", "import_batches")


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_dict(row) -> dict:
    return {attr.key: _plain(getattr(row, attr.key)) for attr in inspect(row).mapper.column_attrs
            if attr.key not in HIDDEN}


def export_data(company: Company, fp: Footprint) -> dict:
    person = fp.person
    return {"exported_at": utcnow().isoformat(), "company": company.name,
            "person": {"name": person.name, "email": person.email, "national_id": person.national_id},
            **{section: [row_dict(r) for r in getattr(fp, section)] for section in SECTIONS},
            "photos": [f"photos/{key.replace('/', '_')}" for key in fp.photo_keys() if storage.exists(key)]}


def _section_titles() -> dict:
    return {"cards": _("Cards"), "lines": _("Order lines"), "orders": _("Orders"),
            "requests": _("Data-collection requests"), "changes": _("Card change requests"),
            "status_events": _("Card status history"), "print_jobs": _("Print jobs"),
            "audit_events": _("Audit log entries"), "emails": _("Emails sent"),
            "webhook_deliveries": _("Messages to the company's systems (webhooks)"),
            "cart_items": _("Cart items"), "import_batches": _("Card data imports (rows with errors)")}


def export_pdf(company: Company, data: dict) -> bytes:
    pdf = Document(_("Personal data held by %(company)s", company=company.name))
    person = data["person"]
    for label, value in ((_("Name"), person["name"]), (_("Email"), person["email"]),
                         (_("National identity number"), person["national_id"]),
                         (_("Exported"), when(utcnow()))):
        pdf.para(f"{label}: {value or '-'}", size=10, height=6)
    pdf.ln(2)
    pdf.para(_("This file lists every record the company holds about this person. The same data is in person.json "
               "(machine-readable); the photos are in the folder photos."))
    for section, title in _section_titles().items():
        rows = data[section]
        pdf.ln(3)
        pdf.para(f"{title} ({len(rows)})", size=12, height=7, bold=True)
        if not rows:
            pdf.para(_("None."), size=8)
        for row in rows:
            text = "; ".join(f"{k}: {json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v}"
                             for k, v in row.items() if v not in (None, "", {}, []))
            pdf.para(text[:3000], size=8, height=4)
            pdf.ln(1)
    return pdf.bytes()


def export_zip(company: Company, fp: Footprint) -> bytes:
    """The ZIP for this person; the export is recorded in the audit log (read access)."""
    data = export_data(company, fp)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("person.json", json.dumps(data, ensure_ascii=False, indent=2))
        zf.writestr("person.pdf", export_pdf(company, data))
        for key in fp.photo_keys():
            if storage.exists(key):
                zf.writestr(f"photos/{key.replace('/', '_')}", storage.load(key))
    person = fp.person
    record_read(company.id, "personal_data.exported", None, national_id=person.national_id, email=person.email, name=person.name)
    return buf.getvalue()
