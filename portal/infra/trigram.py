# ruff: noqa: S608 - DDL built from the fixed table and column names of the models, nothing a user typed
"""Substring search over text columns that an index answers, on both databases (as portal.cards.fulltext
does for cards): an FTS5 table with the trigram tokenizer on SQLite (external content, kept in sync by
triggers), pg_trgm GIN indexes on PostgreSQL (they answer `ILIKE '%x%'`).

Created by a migration and, for `create_all` (tests, benchmarks), with the table. The FTS tables are
named `<table>_fts`, the GIN indexes `ix_trgm_<table>_<column>`: Alembic's comparison leaves them alone.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import column, event, table, text


@dataclass(frozen=True)
class TrigramIndex:
    table: str
    columns: tuple[str, ...]

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    def fts_table(self):
        """The SQLite FTS table, to join on its rowid (= the row's id)."""
        return table(self.fts, column("rowid"))

    def match(self) -> str:
        return f"{self.fts} MATCH :fts_q"

    def statements(self, dialect: str, *, drop: bool = False) -> tuple[str, ...]:
        # DDL from the fixed table and column names of the models (nothing a user typed).
        t, f, cols = self.table, self.fts, ", ".join(self.columns)
        new = ", ".join(f"new.{c}" for c in self.columns)
        old = ", ".join(f"old.{c}" for c in self.columns)
        if dialect == "sqlite":
            if drop:
                return (f"DROP TRIGGER IF EXISTS {f}_au", f"DROP TRIGGER IF EXISTS {f}_ad",
                        f"DROP TRIGGER IF EXISTS {f}_ai", f"DROP TABLE IF EXISTS {f}")
            return (
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {f} USING fts5({cols}, content='{t}', content_rowid='id', "
                "tokenize='trigram')",
                f"CREATE TRIGGER IF NOT EXISTS {f}_ai AFTER INSERT ON {t} BEGIN "
                f"INSERT INTO {f}(rowid, {cols}) VALUES (new.id, {new}); END",
                f"CREATE TRIGGER IF NOT EXISTS {f}_ad AFTER DELETE ON {t} BEGIN "
                f"INSERT INTO {f}({f}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
                f"CREATE TRIGGER IF NOT EXISTS {f}_au AFTER UPDATE OF {cols} ON {t} BEGIN "
                f"INSERT INTO {f}({f}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
                f"INSERT INTO {f}(rowid, {cols}) VALUES (new.id, {new}); END",
            )
        if dialect == "postgresql":
            names = [f"ix_trgm_{t}_{c}" for c in self.columns]
            if drop:
                return tuple(f"DROP INDEX IF EXISTS {n}" for n in names)
            return ("CREATE EXTENSION IF NOT EXISTS pg_trgm",
                    *(f"CREATE INDEX IF NOT EXISTS {n} ON {t} USING gin ({c} gin_trgm_ops)"
                      for n, c in zip(names, self.columns, strict=True)))
        return ()

    def create(self, connection, *, rebuild: bool = False) -> None:
        for stmt in self.statements(connection.dialect.name):
            connection.execute(text(stmt))
        if rebuild and connection.dialect.name == "sqlite":  # index the rows that already exist
            connection.execute(text(f"INSERT INTO {self.fts}({self.fts}) VALUES ('rebuild')"))

    def drop(self, connection) -> None:
        for stmt in self.statements(connection.dialect.name, drop=True):
            connection.execute(text(stmt))

    def install(self, sa_table) -> None:
        """Create the index with the table (`create_all`) and drop it before the table goes."""
        event.listen(sa_table, "after_create", lambda target, connection, **kw: self.create(connection))
        event.listen(sa_table, "before_drop", lambda target, connection, **kw: self.drop(connection))


def usable(term: str) -> bool:
    """Trigram indexes need at least three characters."""
    return len(term) >= 3


def fts_phrase(term: str) -> str:
    """An FTS5 query matching `term` as a substring (a quoted phrase; quotes doubled)."""
    return '"' + term.replace('"', '""') + '"'
