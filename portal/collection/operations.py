"""Data collection: personal requests to employees, CSV imports, review, reminders.

Operations flush; the request (or job run) that calls them commits once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import joinedload

from portal.audit.operations import record
from portal.catalog.layout import field_specs, validate_layout_values
from portal.catalog.models import CardType
from portal.collection.addresses import collection_address as designated_address
from portal.collection.csv_import import RowError, parse_csv
from portal.collection.email_list import ParsedAddress
from portal.collection.models import REMINDER_GAP, CollectionRequest, ImportBatch, RequestStatus
from portal.collection.open_rule import insert_unless_open, open_duplicates, take_back
from portal.collection.signals import request_closed
from portal.infra import paging, storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.i18n import languages
from portal.infra.tokens import derived_token, hash_matches, hash_token, new_salt
from portal.ordering.models import Address, CartItem
from portal.outbox.mail import queue_email, queue_rows, render_email
from portal.tenancy.models import Company, User
from portal.tenancy.operations import PAIR_THROTTLED, any_throttled, pair_throttle_values

OPEN = (RequestStatus.PENDING.value, RequestStatus.IN_REVIEW.value, RequestStatus.REJECTED.value)


def issue_link(req: CollectionRequest) -> str:
    """A new personal link for the request (an earlier one stops working)."""
    req.token_salt = new_salt()
    token = derived_token("collection", req.token_salt)
    req.token_hash = hash_token(token)
    return token


def current_link(req: CollectionRequest) -> str:
    """The request's present link, rebuilt, so reminders and rejections carry the same link."""
    if not req.token_salt or not req.token_hash:
        return issue_link(req)
    return derived_token("collection", req.token_salt)


class CollectionError(ValueError):
    """Something the orderer can fix; str() is the message."""


class LinkProblem(Exception):
    """A personal link that cannot be used: kind is unknown, expired, used, removed or throttled (guessed at)."""

    def __init__(self, kind: str, request: CollectionRequest | None = None):
        super().__init__(kind)
        self.kind, self.request = kind, request


@dataclass
class ImportOutcome:
    batch: ImportBatch | None
    created: int = 0
    errors: list[RowError] = field(default_factory=list)


def _language(company: Company, language: str | None) -> str:
    return language if language in languages() else company.language


def collection_address(company: Company, address_id) -> Address | None:
    if address_id in (None, ""):
        return None
    addr = designated_address(company.id, int(address_id))
    if addr is None:
        raise CollectionError(_l("Choose one of your company's data-collection addresses."))
    return addr


def open_emails(company: Company, card_type: CardType) -> set[str]:
    return {e.lower() for e in db.session.scalars(select(CollectionRequest.email).where(
        CollectionRequest.company_id == company.id, CollectionRequest.card_type_id == card_type.id,
        CollectionRequest.status.in_(OPEN), CollectionRequest.email != ""))}


def send_requests(company: Company, user: User | None, card_type: CardType, addresses: list[ParsedAddress], *,
                  address_id=None, language: str | None = None, data: dict | None = None,
                  replaces_card_id: int | None = None) -> list[CollectionRequest]:
    """One request and one email with a personal link per address; open duplicates are refused (the
    database holds the rule: a paste sent twice at the same moment creates nothing twice). `data` fills
    in the form (a card being replaced: the holder only sends a new photo), `replaces_card_id` is the card
    the new one replaces once approved into the cart."""
    if card_type.company_id not in (None, company.id) or not card_type.active:
        raise CollectionError(_l("Choose one of the card types offered to your company."))
    if not addresses:
        raise CollectionError(_l("Add at least one email address."))
    addr = collection_address(company, address_id)
    now, lang = utcnow(), _language(company, language)
    rows, tokens = [], {}
    for a in addresses:
        salt = new_salt()
        tokens[a.email.lower()] = derived_token("collection", salt)
        rows.append({"company_id": company.id, "card_type_id": card_type.id, "created_by_id": user.id if user else None,
                     "email": a.email.lower(), "name": a.name, "language": lang, "status": RequestStatus.PENDING.value,
                     "token_salt": salt, "token_hash": hash_token(tokens[a.email.lower()]),
                     "address_id": addr.id if addr else None, "address_fixed": addr is not None,
                     "data": dict(data or {}), "replaces_card_id": replaces_card_id,
                     "sent_at": now, "last_sent_at": now, "created_at": now, "updated_at": now,
                     "expires_at": now + timedelta(days=company.request_valid_days)})
    inserted = insert_unless_open(rows)
    if len(inserted) < len(rows):
        take_back([rid for rid, _email in inserted])
        new = {email for _rid, email in inserted}
        dupes = [a.email for a in addresses if a.email.lower() not in new]
        raise CollectionError(_l("These already have an open request for this card type: %(emails)s",
                                 emails=", ".join(dupes[:20])))
    created = list(db.session.scalars(select(CollectionRequest).where(
        CollectionRequest.id.in_([rid for rid, _email in inserted])).order_by(CollectionRequest.id)))
    for req in created:
        queue_email(req.email, "collection_request", lang, company_id=company.id, company=company, card_type=card_type,
                    request=req, token=tokens[req.email])
    record("collection.sent", company_id=company.id, summary=f"{len(created)} requests for {card_type.name}",
           user_id=user.id if user else None)
    return created


def import_csv(company: Company, user: User, card_type: CardType, data: bytes, *, collect_by_email: bool,
               address_id=None, filename: str = "", language: str | None = None) -> ImportOutcome:
    """Validate every row first; store nothing if any row is wrong. Set-based inserts for speed.
    `language` is the orderer's: the row errors name the columns as the template in it does."""
    addr = collection_address(company, address_id)
    lang = _language(company, language)
    result = parse_csv(data, field_specs(card_type, lang), email_required=collect_by_email,
                       existing_emails=open_emails(company, card_type), country=company.country, language=lang)
    if not result.ok:
        return ImportOutcome(batch=None, errors=result.errors)
    now = utcnow()
    batch = ImportBatch(company_id=company.id, user_id=user.id, card_type_id=card_type.id,
                        filename=filename[:200], row_count=len(result.rows))
    db.session.add(batch)
    db.session.flush()
    lang = company.language
    status = RequestStatus.PENDING.value if collect_by_email else RequestStatus.IN_REVIEW.value
    rows, emails, tokens = [], [], []
    for row in result.rows:
        email = row.pop("email", "").lower()
        salt = new_salt() if collect_by_email else None
        token = derived_token("collection", salt) if salt else None
        token_hash = hash_token(token) if token else None
        rows.append({
            "company_id": company.id, "card_type_id": card_type.id, "batch_id": batch.id, "created_by_id": user.id,
            "email": email, "name": "", "language": lang, "token_hash": token_hash, "token_salt": salt, "status": status, "data": row,
            "photo_key": None, "address_id": addr.id if addr else None, "address_fixed": addr is not None,
            "rejection_reason": "", "reminders_sent": 0, "sent_at": now if collect_by_email else None,
            "last_sent_at": now if collect_by_email else None,
            "expires_at": now + timedelta(days=company.request_valid_days) if collect_by_email else None,
            "submitted_at": None if collect_by_email else now, "created_at": now, "updated_at": now,
        })
        tokens.append(token)
        emails.append(email)
    # Core, no ORM bookkeeping per row; an upload of the same file at the same moment finds its rows taken.
    inserted = insert_unless_open(rows)
    if len(inserted) < len(rows):
        take_back([rid for rid, _email in inserted])
        db.session.delete(batch)
        db.session.flush()
        taken = open_duplicates(company.id, card_type.id, [e for e in emails if e]) - {e for _r, e in inserted}
        return ImportOutcome(batch=None, errors=[
            RowError(line, result.email_label, email, str(_l("already has an open request.")))
            for line, email in zip(result.lines, emails, strict=True) if email in taken])
    if collect_by_email:
        # Render once and put each personal link in: 10,000 emails in well under a second.
        marker = "TOKENxMARKERxTOKENxMARKERxTOKENxMARKERx00"
        subject, text, html = render_email("collection_request", lang, company=company, card_type=card_type,
                                           request=None, token=marker)
        queue_rows([{"company_id": company.id, "to": email, "subject": subject[:300],
                     "body_text": text.replace(marker, token), "body_html": html.replace(marker, token),
                     "kind": "collection_request"} for email, token in zip(emails, tokens, strict=True)])
    record("collection.imported", company_id=company.id, obj=batch,
           summary=f"{len(rows)} rows from {filename or 'a file'}", user_id=user.id)
    return ImportOutcome(batch=batch, created=len(rows))


def own_request(company: Company, request_id) -> CollectionRequest:
    req = db.session.get(CollectionRequest, int(request_id))
    if req is None or req.company_id != company.id:
        raise LookupError(request_id)
    return req


def _send_link(req: CollectionRequest, template: str, **extra) -> None:
    """Email the request's link again (the same link; a new one only if it had expired)."""
    expired = req.expires_at is None or req.expires_at < utcnow()
    token = issue_link(req) if expired else current_link(req)
    req.last_sent_at = utcnow()
    if req.expires_at is None or req.expires_at < utcnow() + timedelta(days=3):
        req.expires_at = utcnow() + timedelta(days=req.company.request_valid_days)
    queue_email(req.email, template, req.language, company_id=req.company_id, company=req.company,
                card_type=req.card_type, request=req, token=token, **extra)


WAITING = (RequestStatus.PENDING.value, RequestStatus.REJECTED.value)  # waiting for the employee


def resend_request(company: Company, request_id) -> CollectionRequest:
    """Email the link again; a card sent back for changes gets the rejection email (with its reason) again."""
    req = own_request(company, request_id)
    if req.status not in WAITING or not req.email:
        raise CollectionError(_l("Only pending requests with an email address can be sent again."))
    if req.status == RequestStatus.REJECTED.value:
        _send_link(req, "collection_rejected", reason=req.rejection_reason)
    else:
        _send_link(req, "collection_request")
    return req


def remove_request(company: Company, request_id) -> None:
    """Withdraw a request the employee has not answered yet; its link then says it was cancelled."""
    req = own_request(company, request_id)
    if req.status not in WAITING:
        raise CollectionError(_l("This request has already been answered: find it under In review."))
    req.status = RequestStatus.REMOVED.value  # the link stays known so it can say "removed"
    record("collection.removed", company_id=company.id, obj=req, summary=req.email)
    request_closed.send(req)


@dataclass
class Reminded:
    sent: int = 0
    too_soon: int = 0  # pending, but emailed less than REMINDER_GAP ago


def remind_all(company: Company, now: datetime | None = None) -> Reminded:
    """A reminder by hand to everyone who has not answered, except those emailed less than REMINDER_GAP
    ago. The claim is one conditional UPDATE, so two presses at the same moment remind each person once.
    Counted apart from the job's reminders: pressing it never uses up the automatic ones."""
    now = now or utcnow()
    waiting = (CollectionRequest.company_id == company.id, CollectionRequest.status == RequestStatus.PENDING.value,
               CollectionRequest.email != "")
    claimed = list(db.session.scalars(update(CollectionRequest).where(
        *waiting, or_(CollectionRequest.last_sent_at.is_(None), CollectionRequest.last_sent_at <= now - REMINDER_GAP),
    ).values(manual_reminders_sent=CollectionRequest.manual_reminders_sent + 1, last_sent_at=now)
        .returning(CollectionRequest.id).execution_options(synchronize_session=False)))
    for start in range(0, len(claimed), 1000):
        for req in db.session.scalars(select(CollectionRequest).where(
                CollectionRequest.id.in_(claimed[start:start + 1000])).execution_options(populate_existing=True)):
            _send_link(req, "collection_reminder")
    left = db.session.scalar(select(func.count()).select_from(CollectionRequest).where(*waiting)) or 0
    return Reminded(sent=len(claimed), too_soon=left - len(claimed))


def reject_request(company: Company, user: User, request_id, reason: str, steps=()) -> CollectionRequest:
    """Send the data back to the employee with a reason; the link opens again for editing. `steps` says
    what to change ("data", "photo", "address"); none chosen leads the employee through every step."""
    reason = (reason or "").strip()
    if not reason:
        raise CollectionError(_l("Write a reason: the employee reads it in the email."))
    req = own_request(company, request_id)
    if req.status != RequestStatus.IN_REVIEW.value or not req.email:
        raise CollectionError(_l("Only cards in review with an email address can be sent back."))
    req.status, req.rejection_reason = RequestStatus.REJECTED.value, reason[:2000]
    req.rejected_steps = ",".join(s for s in ("data", "photo", "address") if s in steps or not steps)
    _send_link(req, "collection_rejected", reason=reason)
    record("collection.rejected", company_id=company.id, obj=req, summary=f"{req.email}: {reason}", user_id=user.id)
    return req


def approve_to_cart(company: Company, user: User, request_id, *, replaces_card_id=None) -> CartItem:
    from portal.ordering.operations import OrderingError, add_card_to_cart

    req = own_request(company, request_id)
    if req.status != RequestStatus.IN_REVIEW.value:
        raise CollectionError(_l("Only cards in review can be added to the cart."))
    try:
        item = add_card_to_cart(company, user, req.card_type, req.data or {}, req.photo_key,
                                address_id=req.address_id, collection_request_id=req.id,
                                replaces_card_id=replaces_card_id or req.replaces_card_id,
                                photo_findings=req.photo_findings)
    except OrderingError as exc:  # refused before anything was written
        raise CollectionError(str(exc)) from None
    req.status = RequestStatus.IN_CART.value
    return item


def print_request_now(company: Company, user: User, request_id, printer_id: int):
    """Instead of the cart: create the card at once and queue it on one of the company's printers."""
    from portal.printing.operations import PrintError, print_now

    req = own_request(company, request_id)
    if req.status != RequestStatus.IN_REVIEW.value:
        raise CollectionError(_l("Only cards in review can be printed."))
    try:
        card, _job = print_now(company, user, req.card_type, req.data or {}, req.photo_key, printer_id)
    except PrintError as exc:  # refused before anything was written
        raise CollectionError(str(exc)) from None
    card.holder_email = card.holder_email or req.email
    req.status, req.token_hash = RequestStatus.ORDERED.value, None
    return card


def update_request(company: Company, user: User, request_id, values: dict, address_id) -> CollectionRequest:
    req = own_request(company, request_id)
    clean, errors = validate_layout_values(req.card_type, values, country=company.country)
    if errors:
        raise CollectionError(next(iter(errors.values())))
    addr = None
    if address_id not in (None, ""):
        addr = db.session.get(Address, int(address_id))
        if addr is None or addr.company_id != company.id or addr.archived:
            raise CollectionError(_l("Choose one of your company's addresses."))
    changes = {k: (req.data.get(k), v) for k, v in clean.items() if (req.data or {}).get(k) != v}
    if req.address_id != (addr.id if addr else None):
        changes["address"] = (str(req.address) if req.address else None, str(addr) if addr else None)
    req.data, req.address_id = clean, addr.id if addr else None
    record("collection.updated", company_id=company.id, obj=req, summary=req.email or "", changes=changes,
           user_id=user.id)
    return req


def remove_from_review(company: Company, request_id) -> None:
    req = own_request(company, request_id)
    req.status = RequestStatus.REMOVED.value  # the link stays known so it can say "removed"
    record("collection.review_removed", company_id=company.id, obj=req, summary=req.email)
    storage.discard(req.photo_key)
    req.photo_key = None
    request_closed.send(req)


def _status_rows(company: Company, status: str):
    """The company's requests in one status, in the order of the index (company, status, id) that holds them."""
    R = CollectionRequest
    return (select(R.id).where(R.company_id == company.id, R.status == status)
            .order_by(R.company_id.desc(), R.status.desc(), R.id.desc()))


def request_counts(company: Company) -> dict[str, int]:
    """Badge numbers for the PENDING and IN REVIEW tabs, each counted up to `paging.COUNT_CAP` + 1 (past it
    the tab says "more than 10,000"; `cap` in the answer): one statement, each part a short walk of the index
    (company, status, id), whatever the number of waiting requests."""
    cap = paging.COUNT_CAP
    statuses = (RequestStatus.PENDING.value, RequestStatus.REJECTED.value, RequestStatus.IN_REVIEW.value)
    pending, rejected, in_review = db.session.execute(
        select(*(paging.capped_count(_status_rows(company, s), cap) for s in statuses))).one()
    return {"pending": min(pending + rejected, cap + 1), "in_review": in_review, "cap": cap}


# The employee's side -----------------------------------------------------------------------------

_OPEN_REQUEST = select(CollectionRequest).options(
    joinedload(CollectionRequest.company), joinedload(CollectionRequest.card_type).joinedload(CardType.fields),
).where(CollectionRequest.token_hash == bindparam("token_hash"))
_OPEN_GUARDED = _OPEN_REQUEST.add_columns(PAIR_THROTTLED.label("throttled"))  # and the guessing guard's answer


def open_request(token: str, now: datetime | None = None, guard: tuple[str, str] | None = None) -> CollectionRequest:
    """The request behind a personal link, if it may be filled in now; else LinkProblem. `guard`: the guessing
    guard's counters for this link (`link_guard.guard_keys`); throttled ones raise LinkProblem("throttled") first."""
    # The page shows the company, the card type and its fields: load them with the request, and ask the guard
    # in the same statement (a column). One statement (the fields joined), built once: the hot path of every link.
    values = {"token_hash": hash_token(token)}
    if guard:
        row = db.session.execute(_OPEN_GUARDED, values | pair_throttle_values(guard)).unique().first()
        req, throttled = row if row is not None else (None, any_throttled(guard))  # a miss: the guard alone
        if throttled:
            raise LinkProblem("throttled")
    else:
        req = db.session.scalars(_OPEN_REQUEST, values).unique().first()
    if req is None or not hash_matches(req.token_hash, token):
        raise LinkProblem("unknown")
    if req.status == RequestStatus.REMOVED.value:
        raise LinkProblem("removed", req)
    if req.status == RequestStatus.EXPIRED.value:
        raise LinkProblem("expired", req)
    if req.status not in (RequestStatus.PENDING.value, RequestStatus.REJECTED.value):
        raise LinkProblem("used", req)
    if req.expires_at and req.expires_at < (now or utcnow()):
        raise LinkProblem("expired", req)
    return req
