"""Keyset pages for systems that keep in step (the API): rows oldest first by id, resumed after the last id
seen. Two statements per page (the ids from an index, then those rows with what they show), whatever the
table's size; one more id than the page tells whether another page follows."""
from __future__ import annotations

from sqlalchemy import select

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
