"""Order history's search box: an order number, a reference, the orderer, or part of a holder's name.

As card search (portal.cards.search): every kind of match is its own small query that an index
answers (prefix ranges on (company, number) and (company, reference), the orderer's orders, the
trigram index over order-line holder names: FTS5 on SQLite, pg_trgm on PostgreSQL), each asking only
for the newest orders the page needs; the page is the newest of their union. No full count.
"""
from __future__ import annotations

from sqlalchemy import Integer, any_, bindparam, func, or_, select, text, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import selectinload

from portal.infra import trigram
from portal.infra.extensions import db
from portal.infra.text_match import icontains
from portal.ordering.models import ORDER_LINE_TRIGRAM, Order, OrderLine
from portal.tenancy.models import Company, Membership, User

NEWEST_WINDOW = 500
ORDERER_WINDOW = 5000
SEARCH_MAX = 100


def _prefix(column_, value: str):
    """A prefix match as a range, which every database answers from an ordinary index."""
    return (column_ >= value) & (column_ < value + "\uffff")


def _orderers(company: Company, q: str):
    """The company's people (members now or before) whose email, name or a later word of the name (the
    surname) starts with the value: a few dozen rows, not every user of every company."""
    term, name = q.lower(), func.lower(User.name)
    return (select(User.id).join(Membership, Membership.user_id == User.id)
            .where(Membership.company_id == company.id,
                   or_(func.lower(User.email).startswith(term, autoescape=True), name.startswith(term, autoescape=True),
                       name.contains(f" {term}", autoescape=True))).limit(200))


def _orderer_branch(company: Company, q: str, wanted: int) -> list:
    """Orders placed by the people `_orderers` finds: among the company's newest 5,000 orders when they hold
    a page of them (an active orderer: the cost does not grow with the company), else that orderer's own
    orders from the orderer index. Their ids go as values (asked as a subquery, PostgreSQL guessed a hundred
    orderers and read every order of the company)."""
    people = list(db.session.scalars(_orderers(company, q)))
    if not people:
        return []
    newest = (select(Order.id, Order.orderer_id).where(Order.company_id == company.id)
              .order_by(Order.id.desc()).limit(ORDERER_WINDOW).subquery())  # the page's own order: exact
    hits = list(db.session.scalars(select(newest.c.id).where(newest.c.orderer_id.in_(people))
                                   .order_by(newest.c.id.desc()).limit(wanted)))
    if len(hits) >= wanted:
        return [select(Order.id).where(Order.id.in_(hits))]
    return [_newest(select(Order.id).where(Order.company_id + 0 == company.id, Order.orderer_id.in_(people)),
                    wanted)]


def _newest(stmt, wanted: int):
    """A branch's few hits, newest first (`id + 0`: sort them rather than walk the table in id order)."""
    return select(stmt.order_by((Order.id + 0).desc()).limit(wanted).subquery().c.id)


def _holder_branch(company: Company, q: str, wanted: int):
    """Orders with a line whose holder name contains the value, newest first."""
    dialect = db.engine.dialect.name
    if not trigram.usable(q):  # one or two letters: a name starts with them, or a word in it does
        name = func.lower(OrderLine.holder_name)
        cond = or_(name.startswith(q.lower(), autoescape=True), name.contains(f" {q.lower()}", autoescape=True))
        newest = (select(Order.id).where(Order.company_id == company.id)
                  .order_by(Order.placed_at.desc()).limit(NEWEST_WINDOW).subquery())
        return select(select(OrderLine.order_id.label("id")).join(newest, newest.c.id == OrderLine.order_id)
                      .where(cond).order_by(OrderLine.order_id.desc()).limit(wanted).subquery().c.id)
    if dialect == "sqlite":
        fts = ORDER_LINE_TRIGRAM.fts_table()
        stmt = (select(OrderLine.order_id.label("id")).select_from(fts).join(OrderLine, OrderLine.id == fts.c.rowid)
                .join(Order, Order.id == OrderLine.order_id)
                .where(text(ORDER_LINE_TRIGRAM.match()).bindparams(fts_q=trigram.fts_phrase(q)),
                       Order.company_id + 0 == company.id)
                .order_by(fts.c.rowid.desc()).limit(wanted))
        return select(stmt.subquery().c.id)
    # PostgreSQL: a common term ("son") is found among the company's newest orders at once; a rare one
    # from the GIN index (which would read every hit of a common term).
    # (The newest ids first, as a list: joined to a subquery, the planner hashes the whole order_line table.)
    # Two windows: the newest 500, then 5,000 orders (a name part that one holder in a hundred has).
    for window in (NEWEST_WINDOW, NEWEST_WINDOW * 10):
        newest = list(db.session.scalars(select(Order.id).where(Order.company_id == company.id)
                                         .order_by(Order.placed_at.desc()).limit(window)))
        hits = list(db.session.scalars(
            select(OrderLine.order_id).where(OrderLine.order_id == any_(bindparam("newest", newest,
                                                                                  type_=ARRAY(Integer))),
                                             icontains(OrderLine.holder_name, q))
            .order_by(OrderLine.order_id.desc()).limit(wanted))) if newest else []
        if len(hits) >= wanted:
            return select(Order.id).where(Order.id.in_(hits))
        if len(hits) * 50 < wanted or len(newest) < window:  # rare, or the company has no more orders
            break
    stmt = (select(OrderLine.order_id.label("id")).join(Order, Order.id == OrderLine.order_id)
            .where(icontains(OrderLine.holder_name, q), Order.company_id == company.id)
            .order_by((OrderLine.order_id + 0).desc()).limit(wanted))  # `+ 0`: the GIN hits sorted, no walk
    return select(stmt.subquery().c.id)


def matching_order_ids(company: Company, q: str, wanted: int) -> list[int]:
    """The ids of the newest `wanted` orders of the company matching the search, newest first."""
    q = (q or "").strip()[:SEARCH_MAX]
    if not q:
        return []
    own = Order.company_id == company.id
    parts = []
    for variant in {q, q.upper()}:  # order numbers are upper-case; references as typed
        parts.append(_newest(select(Order.id).where(own, _prefix(Order.number, variant)), wanted))
        parts.append(_newest(select(Order.id).where(own, _prefix(Order.reference, variant)), wanted))
    parts += _orderer_branch(company, q, wanted)
    parts.append(_holder_branch(company, q, wanted))
    found = union(*parts).subquery()
    return list(db.session.scalars(select(found.c.id).order_by(found.c.id.desc()).limit(wanted)))


def search_orders(company: Company, q: str, *, page: int = 0, per_page: int = 25):
    """(orders of the page, whether there is a next page): newest first, no full count."""
    ids = matching_order_ids(company, q, (page + 1) * per_page + 1)[page * per_page:]
    if not ids:
        return [], False
    by_id = {o.id: o for o in db.session.scalars(
        select(Order).options(selectinload(Order.orderer)).where(Order.id.in_(ids)))}
    rows = [by_id[i] for i in ids if i in by_id]
    return rows[:per_page], len(rows) > per_page
