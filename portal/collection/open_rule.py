"""The "no open duplicate" rule, held by the database: a partial unique index on open requests
(company, card type, email). Rows are inserted with ON CONFLICT DO NOTHING, so a second upload or paste
of the same addresses at the same moment waits for the first, then sees its rows as duplicates instead
of creating them again (PostgreSQL and SQLite both infer the partial index from the same predicate)."""
from __future__ import annotations

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.collection.models import OPEN_REQUEST_WHERE, CollectionRequest
from portal.infra.bulk import staged
from portal.infra.extensions import db


def insert_unless_open(rows: list[dict]) -> list[tuple[int, str]]:
    """Insert the rows that do not duplicate an open request; (id, email) of those inserted."""
    if not rows:
        return []
    table = CollectionRequest.__table__
    name = staged(table, rows)
    if name is not None:  # PostgreSQL: COPY in, then one INSERT ... SELECT (no 200,000-placeholder statement)
        columns = ", ".join(f'"{c}"' for c in rows[0])  # the model's column names, never input
        found = db.session.execute(text(
            f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM "{name}" '  # noqa: S608 - model's names only, values bound
            f"ON CONFLICT (company_id, card_type_id, email) WHERE {OPEN_REQUEST_WHERE.text} DO NOTHING "
            f"RETURNING id, email"))
        return [(row.id, row.email) for row in found]
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(CollectionRequest.__table__).on_conflict_do_nothing(
        index_elements=["company_id", "card_type_id", "email"], index_where=OPEN_REQUEST_WHERE,
    ).returning(CollectionRequest.id, CollectionRequest.email)
    return [(row.id, row.email) for row in db.session.execute(stmt, rows)]


def take_back(ids: list[int]) -> None:
    """Remove rows this transaction just inserted (the caller reports the duplicates instead)."""
    for start in range(0, len(ids), 1000):
        db.session.execute(delete(CollectionRequest).where(CollectionRequest.id.in_(ids[start:start + 1000]))
                           .execution_options(synchronize_session=False))


def open_duplicates(company_id: int, card_type_id: int, emails: list[str]) -> set[str]:
    """Which of these (lower-case) emails already have an open request, committed by anyone."""
    found: set[str] = set()
    for start in range(0, len(emails), 1000):
        found.update(db.session.scalars(select(CollectionRequest.email).where(
            CollectionRequest.company_id == company_id, CollectionRequest.card_type_id == card_type_id,
            CollectionRequest.email.in_(emails[start:start + 1000]), OPEN_REQUEST_WHERE)))
    return found
