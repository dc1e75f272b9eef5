"""What an employee does through a personal link: fill in data, add a photo, choose an address, confirm."""
from __future__ import annotations

import hashlib

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer

from portal.catalog.layout import photo_field, validate_layout_values
from portal.collection.addresses import collection_addresses
from portal.collection.models import CollectionRequest, RequestStatus
from portal.collection.signals import collection_submitted
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.photo_assistant import CODES, Advice, assist_photo, check_photo, check_with_card
from portal.infra.transactions import on_rollback
from portal.ordering.models import Address
from portal.outbox.mail import queue_email


def designated_addresses(req: CollectionRequest) -> list[Address]:
    """The addresses the employee may choose from: asked once per page (the next step, the page itself and
    the check of a choice all want them)."""
    if not has_request_context():
        return collection_addresses(req.company_id)
    seen = g.setdefault("designated_addresses", {})
    if req.company_id not in seen:
        seen[req.company_id] = collection_addresses(req.company_id)
    return seen[req.company_id]


def save_employee_data(req: CollectionRequest, values: dict) -> dict:
    """Store the values when all of them validate; else store nothing and return the errors by field key
    (the page shows the values as typed, so nothing is lost)."""
    clean, errors = validate_layout_values(req.card_type, values, country=req.company.country)
    if errors:
        return errors
    req.data = {**(req.data or {}), **clean}
    step_done(req, "data")
    return errors


def _verdicts() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="photo-verdict")


def _seals() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="photo-card")


def check_employee_photo(req: CollectionRequest, data: bytes,
                         original: tuple[int, int] | None = None) -> tuple[Advice, str, dict | None]:
    """The photo assistant's advice on a photo the employee has chosen (nothing is stored), and a signed
    verdict: the findings for exactly these bytes of this request, so that sending the same bytes with the
    employee's crop does not run the check again (``save_employee_photo``).

    For the phone's scaled copy (``original`` given) also the card's JPEG for the box the cropper starts from,
    sealed for this request: ``{"jpeg", "seal", "box"}``. Sent back unchanged, it is the card's photo as it
    is; the phone uploads it instead of the copy when the box is left as suggested."""
    ct = req.card_type
    size = (ct.photo_width, ct.photo_height)
    card = None
    if original:
        advice, jpeg, box = check_with_card(data, size=size, original=original)
        if jpeg is not None:
            seal = _seals().dumps({"r": req.id, "h": hashlib.sha256(jpeg).hexdigest(), "f": advice.findings,
                                   "s": list(size)})
            card = {"jpeg": jpeg, "seal": seal, "box": box}
    else:
        advice = check_photo(data, size=size)
    verdict = _verdicts().dumps({"r": req.id, "h": hashlib.sha256(data).hexdigest(), "f": advice.findings})
    return advice, verdict, card


def _vouched(signer: URLSafeTimedSerializer, token: str | None, req: CollectionRequest, data: bytes) -> dict | None:
    """What ``token`` (signed by ``signer``, a day at most) says of exactly these bytes of this request; None
    when it is missing, altered or stale, or is another request's or other bytes'."""
    if not token:
        return None
    try:
        told = signer.loads(token, max_age=86_400)
    except BadData:
        return None
    if not isinstance(told, dict) or told.get("r") != req.id or told.get("h") != hashlib.sha256(data).hexdigest():
        return None
    return told


def _known_findings(req: CollectionRequest, data: bytes, verdict: str | None) -> list[str] | None:
    """The findings a verdict from ``check_employee_photo`` vouches for these bytes; else None and the photo
    is checked again."""
    told = _vouched(_verdicts(), verdict, req, data)
    return None if told is None else [str(code) for code in told.get("f") or []]


def _sealed_findings(req: CollectionRequest, data: bytes, seal: str | None) -> list[str] | None:
    """The findings of a card JPEG this server made for this request's check and that came back byte for
    byte, for the card's present photo size; else None (the upload is handled as any photo)."""
    told = _vouched(_seals(), seal, req, data)
    ct = req.card_type
    if told is None or told.get("s") != [ct.photo_width, ct.photo_height]:
        return None
    return [c for c in CODES if c in (told.get("f") or [])]


def save_employee_photo(req: CollectionRequest, data: bytes, crop: dict | None, rotate: int | str,
                        verdict: str | None = None, seal: str | None = None) -> list[str]:
    """Re-do the crop on the original (the employee's own box, or the photo assistant's framing without one)
    and keep the assistant's findings with the photo; ImageRejected carries the message for the page.
    A photo with findings is kept with them ("Use this photo anyway"): In review shows them to the orderer.
    The page's own check of these very bytes (``verdict``) is not run again; the card's JPEG the check made
    (``seal``) is kept as it is. Returns the finding codes."""
    ct = req.card_type
    findings = _sealed_findings(req, data, seal)
    if findings is not None:
        jpeg = data  # made here, from the copy the employee chose, with the box they left as it was
    else:
        jpeg, findings = assist_photo(data, size=(ct.photo_width, ct.photo_height), crop=crop, rotate=rotate,
                                      check=ct.photo_checks, known=_known_findings(req, data, verdict))
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
