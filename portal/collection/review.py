"""In review at any size: one page of cards at a time, search, the photo the orderer adds, and
"add all to cart" done in chunks the page drives (each chunk one short transaction, so nothing
times out and a second press or a second tab never adds a card twice).

Operations here only flush; the view commits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import String, and_, cast, func, or_, select, update
from sqlalchemy.orm import selectinload

from portal.audit.operations import record
from portal.catalog.models import CardType, FieldKind, LayoutField
from portal.collection.models import CollectionRequest, RequestStatus
from portal.infra import paging, storage
from portal.infra.extensions import db
from portal.infra.photo_assistant import assist_photo
from portal.infra.text_match import icontains
from portal.infra.transactions import on_rollback
from portal.tenancy.models import Company, User

PER_PAGE = 25  # a card with its proof, data and actions is ~4 KB of HTML: 25 keep the page under 200 KB
CHUNK = 200  # cards added to the cart per request of "Add all to cart"
IN_REVIEW = RequestStatus.IN_REVIEW.value


# Oldest first, as the index (company, status, id) holds one company's cards in review: ordered so, the database
# walks that index (ordered by id alone, PostgreSQL may walk the primary key through every other company's rows).
_INDEX_ORDER = (CollectionRequest.company_id, CollectionRequest.status, CollectionRequest.id)


def _search_terms(term: str) -> list[str]:
    """The term as typed, plus how JSON stores it on SQLite (non-ASCII letters as \\u00e5 escapes)."""
    terms = [term]
    if not term.isascii():
        for variant in {term, term.lower(), term.upper(), term.capitalize()}:
            terms.append(json.dumps(variant)[1:-1])
    return terms


def _in_review(company: Company, search: str = ""):
    where = [CollectionRequest.company_id == company.id, CollectionRequest.status == IN_REVIEW]
    term = (search or "").strip()[:100]
    if term:
        data_text = cast(CollectionRequest.data, String)
        where.append(or_(icontains(CollectionRequest.email, term), icontains(CollectionRequest.name, term),
                         *(icontains(data_text, t) for t in _search_terms(term))))
    return and_(*where)


def review_page(company: Company, search: str = "", page: int = 0, per_page: int = PER_PAGE, *,
                total: int | None = None):
    """One page of the cards in review (oldest first): (cards, how many match, the page, whether more follow).

    The count stops at `paging.COUNT_CAP` + 1 (the page then says "more than 10,000" and pages on with "next"),
    so the page costs the same with 100,000 cards waiting as with 10,000. Without a search the tab's own count
    (`operations.request_counts`) can be passed as `total`; a search that fits on its first page needs none."""
    where = _in_review(company, search)
    cap = paging.COUNT_CAP
    page = max(0, page)
    first = _review_rows(where, 0, per_page) if total is None and page == 0 else None
    if first is not None and len(first) <= per_page:
        return first, len(first), 0, False
    if total is None:
        total = db.session.scalar(select(paging.capped_count(
            select(CollectionRequest.id).where(where).order_by(*_INDEX_ORDER), cap))) or 0
    if first is not None:
        return first[:per_page], total, 0, True
    if total <= cap:
        page = min(page, max(0, (total - 1) // per_page))
    rows = _review_rows(where, page, per_page)
    if not rows and page:  # past the end of more than `cap` cards: the first page
        page, rows = 0, _review_rows(where, 0, per_page)
    return rows[:per_page], total, page, len(rows) > per_page


def _review_rows(where, page: int, per_page: int) -> list[CollectionRequest]:
    """The page's cards and one more (is there a next page?). The page's ids come from the index alone (a deep
    page skips index entries, not whole rows); then only those rows are read, with what the page shows."""
    ids = (select(CollectionRequest.id).where(where).order_by(*_INDEX_ORDER)
           .offset(page * per_page).limit(per_page + 1))
    return list(db.session.scalars(
        select(CollectionRequest)
        .options(selectinload(CollectionRequest.card_type).selectinload(CardType.fields),
                 selectinload(CollectionRequest.address))
        .where(CollectionRequest.id.in_(ids.scalar_subquery())).order_by(CollectionRequest.id)
    ))


def missing_photo_count(company: Company) -> int:
    """Cards in review whose card type needs a photo and that have none: they cannot go to the cart yet.
    Counted up to `paging.COUNT_CAP` + 1 from the index of requests without a photo."""
    needs = select(LayoutField.card_type_id).where(LayoutField.kind == FieldKind.PHOTO.value)
    R = CollectionRequest
    return db.session.scalar(select(paging.capped_count(
        select(R.id).where(R.company_id == company.id, R.status == IN_REVIEW, R.photo_key.is_(None),
                           R.card_type_id.in_(needs))))) or 0


@dataclass
class ChunkResult:
    handled: int
    added: int
    skipped: int
    last_id: int
    remaining: int

    @property
    def finished(self) -> bool:
        return self.remaining == 0


def add_chunk_to_cart(company: Company, user: User, *, search: str = "", after_id: int = 0,
                      limit: int = CHUNK) -> ChunkResult:
    """Add the next cards in review (id above ``after_id``) to the user's cart.

    Each card is taken with a conditional update (in review -> in cart), so two presses or two tabs
    working on the same cards add each card once. Incomplete cards stay in review and are skipped.
    """
    from portal.ordering.operations import OrderingError, add_card_to_cart

    where = _in_review(company, search)
    rows = list(db.session.scalars(
        select(CollectionRequest).options(selectinload(CollectionRequest.card_type).selectinload(CardType.fields))
        .where(where, CollectionRequest.id > after_id).order_by(*_INDEX_ORDER).limit(limit)))
    added = skipped = 0
    for req in rows:
        if req.card_type.needs_photo and not req.photo_key:
            skipped += 1
            continue
        taken = db.session.execute(
            update(CollectionRequest).where(CollectionRequest.id == req.id, CollectionRequest.status == IN_REVIEW)
            .values(status=RequestStatus.IN_CART.value).execution_options(synchronize_session=False)).rowcount
        if taken != 1:
            continue  # another press or tab took it first
        try:
            add_card_to_cart(company, user, req.card_type, req.data or {}, req.photo_key,
                             address_id=req.address_id, collection_request_id=req.id,
                             photo_findings=req.photo_findings)
        except OrderingError:  # raised before anything is added: give the card back to review
            db.session.execute(update(CollectionRequest).where(CollectionRequest.id == req.id)
                               .values(status=IN_REVIEW).execution_options(synchronize_session=False))
            skipped += 1
            continue
        added += 1
    last_id = rows[-1].id if rows else after_id
    remaining = db.session.scalar(select(func.count(CollectionRequest.id)).where(
        where, CollectionRequest.id > last_id)) or 0
    if added:
        record("collection.added_to_cart", company_id=company.id, summary=f"{added} cards", user_id=user.id)
    db.session.flush()
    return ChunkResult(handled=len(rows), added=added, skipped=skipped, last_id=last_id, remaining=remaining)


def replace_review_photo(company: Company, user: User, req: CollectionRequest, data: bytes) -> None:
    """The orderer adds or replaces the photo of a card in review (same checks as the employee's upload).

    The old file goes after the commit unless something kept still shows it; a rollback removes the new
    one. ImageRejected carries the message for the page.
    """
    if req.company_id != company.id or req.status != IN_REVIEW:
        raise LookupError(req.id)
    ct = req.card_type
    jpeg, findings = assist_photo(data, size=(ct.photo_width, ct.photo_height), check=ct.photo_checks)
    old, new = req.photo_key, storage.save(jpeg, "photos", "jpg")
    req.photo_key, req.photo_findings = new, findings
    storage.discard(old)
    on_rollback(lambda: storage.delete(new))
    record("collection.photo_replaced" if old else "collection.photo_added", company_id=company.id, obj=req,
           summary=req.email or "", user_id=user.id)
    db.session.flush()

