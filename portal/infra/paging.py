"""Keyset pages for systems that keep in step (the API): rows oldest first by id, resumed after the last id
seen. Two statements per page (the ids from an index, then those rows with what they show), whatever the
table's size; one more id than the page tells whether another page follows. And the capped counts of list
headers and tab badges (`capped_count`, `COUNT_CAP`)."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.infra.extensions import db


def rows_after(model, *where, after_id: int = 0, limit: int = 100, options=()) -> tuple[list, int | None]:
    """(up to `limit` rows of `model` matching `where` with ids above `after_id`, the id to continue after or
    None at the end)."""
    ids = list(db.session.scalars(select(model.id).where(*where, model.id > after_id).order_by(model.id).limit(limit + 1)))
    more = len(ids) > limit
    ids = ids[:limit]
    if not ids:
        return [], None
    rows = list(db.session.scalars(select(model).options(*options).where(model.id.in_(ids)).order_by(model.id)).unique())
    return rows, (ids[-1] if more else None)


# A list header counts at most this many rows (and says "more than 10,000" past it), so that a page costs the same
# at 100,000 rows as at 5,000,000; paging past it goes on with "next" (one row more than the page).
COUNT_CAP = 10_000


def capped_count(stmt, cap: int | None = None):
    """`SELECT count(*)` of the rows `stmt` selects, reading at most `cap` + 1 of them (as a scalar subquery,
    to put several counts into one statement): more than `cap` means "more than `cap`". `stmt` should be
    ordered as the index that answers it is, so that the database walks that index (PostgreSQL otherwise
    reads the table's pages for a bitmap of a common status)."""
    limit = (COUNT_CAP if cap is None else cap) + 1
    return select(func.count()).select_from(stmt.limit(limit).subquery()).scalar_subquery()


def page_count(total: int, per_page: int, page: int, more: bool, cap: int | None = None) -> int:
    """How many pages the pager shows: all of them while `total` is a full count; past the cap, the pages of
    the first `cap` rows, or up to the one after this page while there are more."""
    cap = COUNT_CAP if cap is None else cap
    if total <= cap:
        return max(1, -(-total // per_page))
    return max(cap // per_page, page + (2 if more else 1))
