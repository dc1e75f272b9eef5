"""What an employee does through a personal link: fill in data, add a photo, choose an address, confirm."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.catalog.layout import photo_field, validate_layout_values
from portal.collection.addresses import collection_addresses
from portal.collection.models import CollectionRequest, RequestStatus
from portal.collection.signals import collection_submitted
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.photo_assistant import assist_photo
from portal.infra.transactions import on_rollback
from portal.ordering.models import Address
from portal.outbox.mail import queue_email


def designated_addresses(req: CollectionRequest) -> list[Address]:
    return collection_addresses(req.company_id)


def save_employee_data(req: CollectionRequest, values: dict) -> dict:
    """Store the values when all of them validate; else store nothing and return the errors by field key
    (the page shows the values as typed, so nothing is lost)."""
    clean, errors = validate_layout_values(req.card_type, values, country=req.company.country)
    if errors:
        return errors
    req.data = {**(req.data or {}), **clean}
    step_done(req, "data")
    return errors


def save_employee_photo(req: CollectionRequest, data: bytes, crop: dict | None, rotate: int | str) -> list[str]:
    """Re-do the crop on the original (the employee's own box, or the photo assistant's framing without one)
    and keep the assistant's findings with the photo; ImageRejected carries the message for the page.
    A photo with findings is kept with them ("Use this photo anyway"): In review shows them to the orderer.
    Returns the finding codes."""
    ct = req.card_type
    jpeg, findings = assist_photo(data, size=(ct.photo_width, ct.photo_height), crop=crop, rotate=rotate,
                                  check=ct.photo_checks)
    old = req.photo_key
    new = storage.save(jpeg, "photos", "jpg")
    # The old file goes after the commit unless something kept still shows it; a rollback leaves no new file.
    storage.discard(old)
    on_rollback(lambda: storage.delete(new))
    req.photo_key = new
    req.photo_findings = findings
    step_done(req, "photo")
    db.session.flush()
    return findings


def keep_photo(req: CollectionRequest) -> None:
    """The employee looked at the photo step and keeps the photo they have."""
    step_done(req, "photo")


def choose_address(req: CollectionRequest, address_id) -> None:
    if req.address_fixed:
        step_done(req, "address")
        return
    try:
        wanted = int(address_id)
    except (TypeError, ValueError):
        raise ValueError(_l("Choose where your card should be delivered.")) from None
    if wanted not in {a.id for a in designated_addresses(req)}:
        raise ValueError(_l("Choose where your card should be delivered."))
    req.address_id = wanted
    step_done(req, "address")


def asked_steps(req: CollectionRequest) -> list[str]:
    """What the rejection asked the employee to change and they have not been through yet."""
    if req.status != RequestStatus.REJECTED.value:
        return []
    return [s for s in (req.rejected_steps or "").split(",") if s]


def step_done(req: CollectionRequest, step: str) -> None:
    """The employee has been through a step the rejection asked for (saved, or kept what was there)."""
    left = [s for s in asked_steps(req) if s != step]
    if left != asked_steps(req):
        req.rejected_steps = ",".join(left)


def missing_steps(req: CollectionRequest) -> list[str]:
    """What still stops the employee from confirming: 'data', 'photo', 'address'."""
    steps = []
    _, errors = validate_layout_values(req.card_type, req.data or {}, country=req.company.country)
    if errors:
        steps.append("data")
    pf = photo_field(req.card_type)
    if pf and pf.required and not req.photo_key:
        steps.append("photo")
    if not req.address_id and designated_addresses(req):
        steps.append("address")
    return steps


def confirm_request(req: CollectionRequest) -> None:
    """The employee is done: the card goes to In review and they get a confirmation email."""
    if missing_steps(req):
        raise ValueError(_l("Some details are still missing."))
    first = req.status == RequestStatus.PENDING.value  # not a resubmission after being sent back
    req.status = RequestStatus.IN_REVIEW.value
    req.submitted_at = utcnow()
    req.rejection_reason, req.rejected_steps = "", ""
    queue_email(req.email, "collection_confirmed", req.language, company_id=req.company_id, company=req.company,
                card_type=req.card_type, request=req)
    db.session.flush()  # the receivers count the round's answers
    collection_submitted.send(req, first=first)


def keep_language(req: CollectionRequest, language: str | None) -> None:
    """The employee's own choice from the language menu of their pages: their reminders and confirmation
    follow it (the request starts in the company's or the orderer's language)."""
    from portal.infra.i18n import languages

    if language in languages() and req.language != language:
        req.language = language
