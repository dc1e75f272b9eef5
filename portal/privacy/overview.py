"""Company > Privacy: the retention period in plain words, the last retention runs with their counts,
and the records of processing (what is stored, why, how long) the company hands to its DPO."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.formatting import when
from portal.privacy.pdf import Document
from portal.tenancy.models import RETENTION_CHOICES, Company

RUNS_SHOWN = 10

# What each period means, for the one who chooses it.
PERIOD_MEANINGS = {
    None: _l("Never: personal data stays until you erase a person or choose a period."),
    3: _l("3 months: card holders' names, data and photos go 3 months after an order's last activity."),
    6: _l("6 months: card holders' names, data and photos go 6 months after an order's last activity."),
    12: _l("12 months: card holders' names, data and photos go a year after an order's last activity."),
    24: _l("24 months: card holders' names, data and photos go two years after an order's last activity."),
    36: _l("36 months: card holders' names, data and photos go three years after an order's last activity."),
}
PERIOD_RULES = (
    _l("Cards still in use keep their holder's data; it goes one period after the card is blocked or terminated."),
    _l("Finished data-collection requests (ordered, removed, expired) go one period after their last change."),
    _l("Sent emails older than the period are deleted; order numbers, dates and amounts are always kept."),
)


@dataclass
class Run:
    at: object
    orders: int
    cards: int
    requests: int
    photos: int


def last_runs(company: Company) -> list[Run]:
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.company_id == company.id,
                                                         AuditEvent.action == "retention.run")
                                .order_by(AuditEvent.created_at.desc()).limit(RUNS_SHOWN))
    runs = []
    for event in events:
        counts = {k: (v[1] if isinstance(v, list) and len(v) == 2 else 0) for k, v in (event.changes or {}).items()}
        runs.append(Run(event.created_at, counts.get("orders", 0) or 0, counts.get("cards", 0) or 0,
                        counts.get("requests", 0) or 0, counts.get("photos", 0) or 0))
    return runs


def period_text(months: int | None) -> str:
    return str(PERIOD_MEANINGS.get(months, PERIOD_MEANINGS[None]))


def period_choices() -> list[tuple[int | None, str]]:
    return [(m, period_text(m)) for m in RETENTION_CHOICES]


def records_of_processing(company: Company) -> list[tuple[str, str, str]]:
    """(what is stored, why, how long) for each kind of personal data the portal holds."""
    period = period_text(company.retention_months)
    return [
        (_("Card holders: name, email, national identity number, employee number, card fields, photo"),
         _("To order, print, deliver and manage the company's ID cards (the employer's legitimate interest "
           "and the employment contract)."), period),
        (_("Data-collection requests: the employee's email, name, answers and photo"),
         _("To collect the data for a card from the employee directly."),
         _("Until the card is ordered, the request is removed or expires; then as above.")),
        (_("Orders: number, date, reference, cost centre, lines and amounts"),
         _("Bookkeeping and invoicing (legal obligation)."),
         _("Kept as long as bookkeeping law requires; holders' names and data on them go as above.")),
        (_("Emails sent to people (invitations, reminders, notices)"),
         _("To reach employees and users about their cards and orders."),
         _("Deleted when the retention period has passed.")),
        (_("Users: name, email, sign-ins, two-step verification"),
         _("To give the company's staff access and keep it secure."),
         _("While the user has access to the company.")),
        (_("Audit log: who did what and who viewed whose data, and when"),
         _("Accountability and security (GDPR article 5(2) and 32)."),
         _("Kept; names and data in its entries go with the records they describe.")),
    ]


def records_pdf(company: Company) -> bytes:
    pdf = Document(_("Records of processing: %(company)s", company=company.name))
    pdf.para(_("Made %(when)s. Retention period: %(period)s", when=when(utcnow()),
               period=period_text(company.retention_months)))
    for what, why, how_long in records_of_processing(company):
        pdf.ln(3)
        pdf.para(what, size=11, height=6, bold=True)
        pdf.para(_("Why: %(why)s", why=why))
        pdf.para(_("How long: %(how_long)s", how_long=how_long))
    return pdf.bytes()
