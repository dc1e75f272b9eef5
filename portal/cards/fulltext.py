"""Substring search over holder names and emails that an index answers, on both databases.

SQLite: an FTS5 table with the trigram tokenizer over `card` (external content, kept in sync by
triggers). PostgreSQL: pg_trgm GIN indexes on the two columns, which answer `ILIKE '%x%'`.
Both are created by the migration and, for `create_all` (tests, benchmarks), by the DDL events
below. Names start with `card_fts` / `ix_card_trgm` so Alembic's comparison leaves them alone.
"""
from __future__ import annotations

from sqlalchemy import event, text

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS card_fts USING fts5("
    "holder_name, holder_email, content='card', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS card_fts_ai AFTER INSERT ON card BEGIN "
    "INSERT INTO card_fts(rowid, holder_name, holder_email) VALUES (new.id, new.holder_name, new.holder_email); END",
    "CREATE TRIGGER IF NOT EXISTS card_fts_ad AFTER DELETE ON card BEGIN "
    "INSERT INTO card_fts(card_fts, rowid, holder_name, holder_email) "
    "VALUES ('delete', old.id, old.holder_name, old.holder_email); END",
    "CREATE TRIGGER IF NOT EXISTS card_fts_au AFTER UPDATE OF holder_name, holder_email ON card BEGIN "
    "INSERT INTO card_fts(card_fts, rowid, holder_name, holder_email) "
    "VALUES ('delete', old.id, old.holder_name, old.holder_email); "
    "INSERT INTO card_fts(rowid, holder_name, holder_email) VALUES (new.id, new.holder_name, new.holder_email); END",
)
SQLITE_DROP = ("DROP TRIGGER IF EXISTS card_fts_au", "DROP TRIGGER IF EXISTS card_fts_ad",
               "DROP TRIGGER IF EXISTS card_fts_ai", "DROP TABLE IF EXISTS card_fts")
SQLITE_REBUILD = "INSERT INTO card_fts(card_fts) VALUES ('rebuild')"

POSTGRES_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_card_trgm_holder_name ON card USING gin (holder_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_card_trgm_holder_email ON card USING gin (holder_email gin_trgm_ops)",
    # A company's newest cards in id order (SQLite's index on company_id has the rowid in it already).
    "CREATE INDEX IF NOT EXISTS ix_card_trgm_company_newest ON card (company_id, id)",
)
POSTGRES_DROP = ("DROP INDEX IF EXISTS ix_card_trgm_company_newest", "DROP INDEX IF EXISTS ix_card_trgm_holder_email",
                 "DROP INDEX IF EXISTS ix_card_trgm_holder_name")


def statements(dialect: str, *, drop: bool = False) -> tuple[str, ...]:
    if dialect == "sqlite":
        return SQLITE_DROP if drop else SQLITE_DDL
    if dialect == "postgresql":
        return POSTGRES_DROP if drop else POSTGRES_DDL
    return ()


def create(connection) -> None:
    for stmt in statements(connection.dialect.name):
        connection.execute(text(stmt))


def drop(connection) -> None:
    for stmt in statements(connection.dialect.name, drop=True):
        connection.execute(text(stmt))


def install(card_table) -> None:
    """Create the index with the card table (`create_all`) and drop it before the table goes."""
    event.listen(card_table, "after_create", lambda target, connection, **kw: create(connection))
    event.listen(card_table, "before_drop", lambda target, connection, **kw: drop(connection))


def usable(term: str) -> bool:
    """Trigram indexes need at least three characters."""
    return len(term) >= 3


def fts_phrase(term: str) -> str:
    """An FTS5 query matching `term` as a substring (a quoted phrase; quotes doubled)."""
    return '"' + term.replace('"', '""') + '"'
