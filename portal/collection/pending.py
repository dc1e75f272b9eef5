"""Data collection > Pending: the requests waiting for the employee, newest first, and their search.

As card search (portal.cards.search): each kind of match is its own small query an index answers (the
newest waiting requests per status from (company, status, id); an email prefix from (company, email);
part of a name or an email from the trigram index: FTS5 on SQLite, pg_trgm on PostgreSQL), each asking
only for the newest rows the page needs. No full count: paging asks for one row more.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select, text, union
from sqlalchemy.orm import selectinload

from portal.collection.models import REQUEST_TRIGRAM, CollectionRequest, RequestStatus
from portal.infra import trigram
from portal.infra.extensions import db
from portal.infra.text_match import icontains
from portal.tenancy.models import Company

WAITING = (RequestStatus.PENDING.value, RequestStatus.REJECTED.value)  # waiting for the employee
NEWEST_WINDOW = 500
EMAIL_PREFIX_MIN = 8  # shorter starts of an email ("an") match thousands: the trigram index answers them
SEARCH_MAX = 100

R = CollectionRequest


def _per_status(company: Company, wanted: int, *columns, where=None):
    """The newest `wanted` waiting requests of the company: one index range per status."""
    parts = []
    for status in WAITING:
        stmt = select(R.id, *columns).where(R.company_id == company.id, R.status == status)
        if where is not None:
            stmt = stmt.where(where)
        # Ordered as the index (company, status, id) is, so that it is the one walked, backwards (not the
        # primary key, filtering out every newer request of other companies).
        parts.append(select(stmt.order_by(R.company_id.desc(), R.status.desc(), R.id.desc()).limit(wanted).subquery()))
    return union(*parts).subquery()


def _text_branch(company: Company, q: str, wanted: int):
    waiting = R.status.in_(WAITING)
    if not trigram.usable(q):  # one or two letters: an email or name starts with them, or a word in the name
        low = q.lower()
        cond = or_(R.email.startswith(low, autoescape=True), func.lower(R.name).startswith(low, autoescape=True),
                   func.lower(R.name).contains(f" {low}", autoescape=True))
        return select(_per_status(company, wanted, where=cond).c.id)
    if db.engine.dialect.name == "sqlite":
        fts = REQUEST_TRIGRAM.fts_table()
        stmt = (select(R.id).select_from(fts).join(R, R.id == fts.c.rowid)
                .where(text(REQUEST_TRIGRAM.match()).bindparams(fts_q=trigram.fts_phrase(q)),
                       R.company_id + 0 == company.id, waiting)
                .order_by(fts.c.rowid.desc()).limit(wanted))
        return select(stmt.subquery().c.id)
    # PostgreSQL: a common term is found among the newest waiting requests at once; a rare one from the
    # GIN indexes (which would read every hit of a common term).
    recent = _per_status(company, NEWEST_WINDOW, R.name, R.email)
    hits = list(db.session.scalars(select(recent.c.id).where(
        or_(icontains(recent.c.name, q), icontains(recent.c.email, q))).order_by(recent.c.id.desc()).limit(wanted)))
    if len(hits) >= wanted:
        return select(R.id).where(R.id.in_(hits))
    stmt = (select(R.id).where(or_(icontains(R.name, q), icontains(R.email, q)), R.company_id == company.id, waiting)
            .order_by((R.id + 0).desc()).limit(wanted))  # `+ 0`: the GIN hits sorted, not the table walked
    return select(stmt.subquery().c.id)


def _matching_ids(company: Company, q: str, wanted: int):
    q = q.strip()[:SEARCH_MAX]
    if len(q) >= EMAIL_PREFIX_MIN:
        # A long term is most often an email address, or its start: a range on (company, email) (emails
        # are stored in lower case) answers it at once, where the trigram index would intersect the
        # long lists of every common trigram in it. Only if that finds too few does the full search run.
        email = (select(R.id).where(R.company_id == company.id, R.email >= q.lower(), R.email < q.lower() + "\uffff",
                                    R.status.in_(WAITING)).order_by((R.id + 0).desc()).limit(wanted))
        hits = list(db.session.scalars(email))
        if len(hits) >= wanted:
            return select(R.id).where(R.id.in_(hits)).subquery()
        return union(select(R.id).where(R.id.in_(hits)), _text_branch(company, q, wanted)).subquery()
    return _text_branch(company, q, wanted).subquery()


def pending_page(company: Company, search: str = "", page: int = 0, per_page: int = 25):
    """(requests of the page, whether there is a next page): newest first, with their card types."""
    wanted = (page + 1) * per_page + 1
    found = _matching_ids(company, search, wanted) if search.strip() else _per_status(company, wanted)
    ids = list(db.session.scalars(select(found.c.id).order_by(found.c.id.desc())
                                  .offset(page * per_page).limit(per_page + 1)))
    if not ids:
        return [], False
    by_id = {r.id: r for r in db.session.scalars(
        select(R).options(selectinload(R.card_type)).where(R.id.in_(ids)))}
    rows = [by_id[i] for i in ids if i in by_id]
    return rows[:per_page], len(rows) > per_page
