"""Many rows in one go: `executemany` on SQLite, `COPY` on PostgreSQL.

psycopg parses every multi-row INSERT that SQLAlchemy builds for an executemany (one placeholder per
value: 200,000 for a 10,000-row CSV import); its parser, not the database, took most of an import's
time. COPY sends the rows as data. Rows are dicts with the same keys; JSON columns take dicts/lists.
"""
from __future__ import annotations

import json

from sqlalchemy import Table, insert, text

from portal.infra.extensions import db


def python_defaults(table: Table, rows: list[dict]) -> None:
    """What SQLAlchemy's own INSERT would fill in: the columns' Python-side defaults (COPY does not)."""
    given = rows[0].keys()
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or column.primary_key or default.is_sequence:
            continue
        if default.is_scalar:
            for row in rows:
                row[column.name] = default.arg
        elif default.is_callable:
            for row in rows:
                row[column.name] = default.arg(None)  # SQLAlchemy wraps zero-argument callables


def _same_keys(rows: list[dict]) -> list[str] | None:
    keys = list(rows[0])
    wanted = set(keys)
    return keys if all(len(r) == len(keys) and r.keys() == wanted for r in rows) else None


def _copy(table_name: str, columns: list[str], rows: list[dict]) -> None:
    cursor = db.session.connection().connection.driver_connection.cursor()
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table_name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v for v in map(row.__getitem__, columns)])


def insert_rows(table: Table, rows: list[dict]) -> None:
    """INSERT the rows (no RETURNING) in this session's transaction."""
    if not rows:
        return
    columns = _same_keys(rows) if db.session.get_bind().dialect.name == "postgresql" else None
    if columns is None:
        db.session.execute(insert(table), rows)
        return
    python_defaults(table, rows)
    _copy(table.name, list(rows[0]), rows)


def staged(table: Table, rows: list[dict]) -> str | None:
    """On PostgreSQL: the rows COPYed into a temporary table shaped like `table` (its name, for an
    INSERT ... SELECT with ON CONFLICT / RETURNING); None elsewhere or when the rows differ in keys."""
    if not rows or db.session.get_bind().dialect.name != "postgresql":
        return None
    columns = _same_keys(rows)
    if columns is None:
        return None
    python_defaults(table, rows)
    columns = list(rows[0])
    name = f"staged_{table.name}"
    names = ", ".join(f'"{c}"' for c in columns)
    db.session.execute(text(f'DROP TABLE IF EXISTS pg_temp."{name}"'))  # an earlier call in this transaction
    db.session.execute(text(f'CREATE TEMP TABLE "{name}" ON COMMIT DROP AS '  # noqa: S608 - our own column names
                            f'SELECT {names} FROM "{table.name}" WITH NO DATA'))
    _copy(name, columns, rows)
    return name
