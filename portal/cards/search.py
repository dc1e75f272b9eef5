"""Finding cards fast: one search box for names, national ids in any format, card numbers and more.

Every kind of match is its own small query that an index answers (btree ranges for numbers,
FTS5 trigram on SQLite or pg_trgm on PostgreSQL for parts of names and emails), each asking only
for the newest rows the page needs; the page is the newest of their union. No OR over columns
(no index serves it) and no full count (paging asks for one row more).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import column, func, or_, select, table, text, union
from sqlalchemy.orm import joinedload

from portal.cards import fulltext
from portal.cards.models import Card, CardStatus, order_numbers
from portal.infra.extensions import db
from portal.infra.national_ids import InvalidNationalId, normalise_national_id, search_keys
from portal.infra.paging import COUNT_CAP
from portal.infra.text_match import icontains
from portal.tenancy.models import Company, Membership, User

IN_USE = (CardStatus.ORDERED.value, CardStatus.IN_PRODUCTION.value, CardStatus.ACTIVE.value)
_FTS = table("card_fts", column("rowid"))
NEWEST_WINDOWS = (2_000, 20_000)
_CODE = re.compile(r"[A-Za-z0-9-]*[0-9][A-Za-z0-9-]*")  # letters, digits and dashes, at least one digit
_WORD = re.compile(r"[A-Za-z]{4}")


def _prefix(column_, value: str):
    """A prefix match as a range, which every database answers from an ordinary index."""
    return (column_ >= value) & (column_ < value + "\uffff")


def _by_order_number(q: str):
    """Cards of the newest orders whose number starts with the value (order numbers are upper-case)."""
    orders = (select(order_numbers.c.id).where(_prefix(order_numbers.c.number, q.upper()))
              .order_by(order_numbers.c.id.desc()).limit(500))
    return Card.order_id.in_(orders)


def _text_match(term: str):
    """Cards whose holder name or email contains `term` (3+ characters), from the trigram index."""
    if db.engine.dialect.name == "postgresql":
        return ("probe", term), or_(icontains(Card.holder_name, term), icontains(Card.holder_email, term))
    if db.engine.dialect.name == "sqlite":
        return _FTS, text("card_fts MATCH :fts_q").bindparams(fts_q=fulltext.fts_phrase(term))
    return None, or_(func.lower(Card.holder_name).contains(term.lower(), autoescape=True),
                     func.lower(Card.holder_email).contains(term.lower(), autoescape=True))


def _by_orderer(q: str, company: Company):
    """Cards ordered by a user whose email, name or a later word of the name (the surname: "Lindqvist"
    in "Karin Lindqvist") starts with the value: ("orderers", the users) and the condition on cards. Only
    the company's own users and operators order its cards (another company's "Anna" would make the
    database read every card of this one to find none of hers)."""
    term, name = q.lower(), func.lower(User.name)
    members = select(Membership.user_id).where(Membership.company_id == company.id)
    users = select(User.id).where(or_(User.id.in_(members), User.is_operator.is_(True)), or_(
        func.lower(User.email).startswith(term, autoescape=True), name.startswith(term, autoescape=True),
        name.contains(f" {term}", autoescape=True))).limit(200)
    return ("orderers", users), Card.orderer_id.in_(users)


def _narrow_branches(q: str) -> list | None:
    """Only the lookups that can match a number-like input, or None if it could be part of a name.

    A complete valid personal identity number (any format: with or without century, dash or plus)
    is one exact lookup on the canonical column. Digits alone are national ids, card numbers or
    employee numbers (order numbers start with letters). A code with digits and at most three
    letters in a row (card number, chip UID, employee or order number, Finnish id) is no part of a
    name. Should these find nothing, the full search runs (see `_matching_ids`), so an email address
    such as e0500000@... is still found."""
    q = (q or "").strip()[:100]
    compact = q.replace(" ", "")
    try:
        return [(None, Card.national_id == normalise_national_id(q, "SE"))]
    except InvalidNationalId:
        pass
    if compact.replace("-", "").replace("+", "").isdigit():
        # Numbers: national ids (stored canonical, 12 digits for SE), card numbers, employee numbers.
        conds = [_prefix(Card.national_id, key) for key in search_keys(q)]
        return [(None, c) for c in (*conds, _prefix(Card.card_number, compact), _prefix(Card.employee_no, compact))]
    if not _CODE.fullmatch(compact) or _WORD.search(compact):
        return None
    conds = [_prefix(Card.national_id, key) for key in search_keys(q) if key[:1].isdigit()]
    conds += [_prefix(Card.card_number, variant) for variant in {compact, compact.upper()}]
    conds += [_prefix(Card.chip_uid, compact.upper())]
    conds += [_prefix(Card.employee_no, variant) for variant in {q, q.upper()}]
    return [(None, c) for c in (*conds, _by_order_number(q))]


def _branches(q: str, company: Company) -> list:
    """(joined FTS table or None, condition) per kind of match; each is answered by one index."""
    q = (q or "").strip()[:100]
    compact = q.replace(" ", "")
    if compact.replace("-", "").replace("+", "").isdigit():
        return _narrow_branches(q)
    conds = [_prefix(Card.national_id, key) for key in search_keys(q) if key[:1].isdigit()]
    # Ranges, not LIKE: SQLite's LIKE is case-insensitive and so cannot use an ordinary index.
    conds += [_prefix(Card.card_number, variant) for variant in {compact, compact.upper()}]
    conds += [_prefix(Card.chip_uid, compact.upper())]
    conds += [_prefix(Card.employee_no, variant) for variant in {q, q.upper()}]
    conds += [_by_order_number(q)]
    branches = [(None, c) for c in conds] + [_by_orderer(q, company)]
    if fulltext.usable(q):
        branches.append(_text_match(q))
    else:  # one or two letters: a name starts with them, or a word in it does (newest of the company first)
        branches.append((False, or_(func.lower(Card.holder_name).startswith(q.lower(), autoescape=True),
                                   func.lower(Card.holder_name).contains(f" {q.lower()}", autoescape=True))))
    return branches


def _filtered(stmt, company: Company, status, card_type_id, date_from, date_to, updated_since=None,
              expiring_before=None, *, own_index: bool = False):
    # A branch with its own index checks the company row by row (`+ 0` keeps SQLite from walking the
    # whole company through its index just to avoid sorting a handful of hits).
    stmt = stmt.where((Card.company_id + 0 if own_index else Card.company_id) == company.id)
    if status:
        stmt = stmt.where(Card.status == status)
    if card_type_id:
        stmt = stmt.where(Card.card_type_id == card_type_id)
    if date_from:
        stmt = stmt.where(Card.created_at >= datetime.combine(date_from, time.min))
    if date_to:
        stmt = stmt.where(Card.created_at < datetime.combine(date_to + timedelta(days=1), time.min))
    if updated_since:
        stmt = stmt.where(Card.updated_at >= updated_since)
    if expiring_before:
        stmt = stmt.where(*expiring_by(expiring_before))
    return stmt


def expiring_by(day: date) -> tuple:
    """Cards in use whose validity ends by that day (the Expiring filter; the API's `expiring_before`)."""
    return Card.valid_until.is_not(None), Card.valid_until <= day, Card.status.in_(IN_USE)


def _among_newest(company, filters, match, wanted: int) -> list[int] | None:
    """The `wanted` newest cards for which `match(recent)` holds, if the company's newest NEWEST_WINDOWS cards
    hold that many.

    pg_trgm's GIN index is quick for rare terms but reads every hit of a common one ("son") in every
    company, and a common orderer ("an") has ordered a good share of the company's cards; the newest cards
    of the company (index on company, id) hold enough matches already: first the newest 2,000, then 20,000
    (a surname that one card in a hundred has). Every card newer than the window's oldest was looked at,
    so the page is the same as the full search's. The cost of a window does not grow with the number of
    cards."""
    for window in NEWEST_WINDOWS:
        recent = _filtered(select(Card.id, Card.holder_name, Card.holder_email, Card.orderer_id), company,
                           *filters).order_by(Card.id.desc()).limit(window).subquery()
        hits = list(db.session.scalars(select(recent.c.id).where(match(recent))
                                       .order_by(recent.c.id.desc()).limit(wanted)))
        if len(hits) >= wanted:
            return hits
        if len(hits) * 50 < wanted:  # under 1 in 1,000 of the newest: a rare match, the indexes answer it
            return None
    return None


def _text_in(term: str):
    return lambda recent: or_(icontains(recent.c.holder_name, term), icontains(recent.c.holder_email, term))


def _ordered_by(users):
    return lambda recent: recent.c.orderer_id.in_(users)


def _matching_ids(company, q, filters, wanted: int, branches=None):
    """A subquery of the newest `wanted` ids matching any branch: one statement, one round trip."""
    parts = []
    for fts, cond in branches or _branches(q, company):
        if isinstance(fts, tuple):  # a common term (PostgreSQL) or orderer: found among the newest cards at once
            kind, what = fts
            if kind == "orderers" or db.engine.dialect.name == "postgresql":
                hits = _among_newest(company, filters, _ordered_by(what) if kind == "orderers" else _text_in(what),
                                     wanted)
                if hits is not None:
                    parts.append(select(Card.id).where(Card.id.in_(hits)))
                    continue
            if kind == "orderers":  # the orderers' own cards from the orderer index, their ids given as values:
                users = list(db.session.scalars(what))  # asked as a subquery, PostgreSQL guessed a hundred
                if users:  # orderers and read the whole company instead
                    stmt = _filtered(select(Card.id).where(Card.orderer_id.in_(users)), company, *filters,
                                     own_index=True).order_by((Card.id + 0).desc())
                    parts.append(select(stmt.limit(wanted).subquery().c.id))
                continue
            fts = None  # a rare term: the GIN indexes answer it
        if fts is False:  # no index of its own: the company's cards, newest first, until enough match
            stmt = _filtered(select(Card.id).where(cond), company, *filters).order_by(Card.id.desc())
        elif fts is not None:  # walk the FTS index newest first, checking each hit's company and filters
            stmt = select(Card.id).select_from(fts).join(Card, Card.id == fts.c.rowid).where(cond)
            stmt = _filtered(stmt, company, *filters, own_index=True).order_by(fts.c.rowid.desc())
        else:
            # `id + 0`: sort the branch's few hits rather than walk the whole table in id order.
            stmt = _filtered(select(Card.id).where(cond), company, *filters, own_index=True).order_by(
                (Card.id + 0).desc())
        parts.append(select(stmt.limit(wanted).subquery().c.id))
    return union(*parts).subquery()


def search_cards(company: Company, q: str = "", *, status: str | None = None, card_type_id: int | None = None,
                 date_from: date | None = None, date_to: date | None = None, updated_since: datetime | None = None,
                 expiring_before: date | None = None, page: int = 0, per_page: int = 25):
    """(cards of the page, whether there is a next page). Newest first; no full count."""
    filters = (status, card_type_id, date_from, date_to, updated_since, expiring_before)
    options = (joinedload(Card.card_type), joinedload(Card.order), joinedload(Card.orderer))
    if (q or "").strip():
        wanted = (page + 1) * per_page + 1
        narrow = _narrow_branches(q)
        ids = _page_ids(_matching_ids(company, q, filters, wanted, narrow), page, per_page) if narrow else []
        if not ids:  # not number-like, or no number matched: every kind of match
            ids = _page_ids(_matching_ids(company, q, filters, wanted), page, per_page)
        return _cards(ids, options, per_page)
    # The page's ids from the (company, created) index alone, then those rows with what they show.
    ids = list(db.session.scalars(_filtered(select(Card.id), company, *filters)
                                  .order_by(Card.created_at.desc(), Card.id.desc())
                                  .offset(page * per_page).limit(per_page + 1)))
    return _cards(ids, options, per_page)


def _page_ids(found, page: int, per_page: int) -> list[int]:
    """The page's ids (newest first, one more than the page to tell whether a next page exists)."""
    return list(db.session.scalars(select(found.c.id).order_by(found.c.id.desc())
                                   .offset(page * per_page).limit(per_page + 1)))


def _cards(ids: list[int], options, per_page: int):
    """Those cards with what the page shows, in the order of `ids`; and whether there is a next page."""
    if not ids:
        return [], False
    by_id = {c.id: c for c in db.session.scalars(select(Card).options(*options).where(Card.id.in_(ids))).unique()}
    rows = [by_id[i] for i in ids if i in by_id]
    return rows[:per_page], len(rows) > per_page


def count_cards(company: Company, *, status: str | None = None, card_type_id: int | None = None,
                date_from: date | None = None, date_to: date | None = None, expiring_before: date | None = None,
                cap: int = COUNT_CAP) -> int:
    """How many of the company's cards the filters keep, counted up to `cap` + 1 (the list header's
    count: "more than 10,000" past the cap, so the page costs the same at 100,000 cards as at 5,000,000;
    a text search shows its pages without one). Answered from the (company, ...) indexes."""
    kept = _filtered(select(Card.id), company, status, card_type_id, date_from, date_to, None,
                     expiring_before).limit(cap + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(kept))
