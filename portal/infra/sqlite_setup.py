"""Connection settings. SQLite: foreign keys on, WAL for concurrent readers, Unicode-aware lower().
PostgreSQL: no JIT compilation (see ``_configure_postgresql``)."""
from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _lower(value):
    # SQLite's built-in lower() only folds ASCII: "Öberg" would never match "öberg".
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "do_connect")
def _configure_postgresql(dialect, _record, _cargs, cparams) -> None:
    """JIT off for every session. PostgreSQL compiles a query to machine code once its estimated cost passes
    `jit_above_cost`; a search over 5,000,000 cards crossed it and spent 18 ms compiling for 2 ms of work
    (`make bench --scale`: searches 4x slower from 1M to 5M cards). The portal's queries are short."""
    if dialect.name != "postgresql":
        return
    cparams["options"] = " ".join(filter(None, (cparams.get("options"), "-c jit=off")))
