"""Claiming due rows for a job, so two schedulers never take the same row.

One conditional UPDATE moves the rows from `waiting` to `working` and stamps them with a claim token;
a second process updates nothing it has not claimed itself. On PostgreSQL the candidate rows are also
locked with FOR UPDATE SKIP LOCKED, so concurrent claims do not wait on each other.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select, update

from portal.infra.extensions import db


def claim_due(model, status_column, *, waiting: str, working: str, due_column, now: datetime, limit: int,
              candidates: Select | None = None, **values) -> list:
    """Claim up to `limit` rows in status `waiting` whose `due_column` has come; commit; return them.

    `candidates` (a select of ids, ordered and limited) chooses which due rows come first; by default
    the oldest.
    """
    token = uuid.uuid4().hex
    if candidates is None:
        due = select(model.id).where(status_column == waiting, due_column <= now).order_by(model.id).limit(limit)
    else:
        # PostgreSQL locks no rows of a query with window functions or DISTINCT: lock the chosen ids apart.
        due = select(model.id).where(model.id.in_(candidates.scalar_subquery()), status_column == waiting)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    db.session.execute(
        update(model)
        .where(model.id.in_(due.scalar_subquery()), status_column == waiting)
        .values({status_column.key: working, "claim": token, "claimed_at": now, **values})
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.scalars(select(model).where(model.claim == token).order_by(model.id)))
