"""Case-insensitive "contains" for list-screen search boxes, kept fast on both databases.

SQLite's LIKE already folds ASCII letters in C; the Unicode-aware lower() registered in
`sqlite_setup` is a Python call per row, so it is used only when the term has other letters
(å, ä, ö...). PostgreSQL uses ILIKE. `%` and `_` typed in the box match themselves.
"""
from __future__ import annotations

from sqlalchemy import func

from portal.infra.extensions import db


def like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def icontains(column, term: str):
    pattern = like_pattern(term)
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        return column.ilike(pattern, escape="\\")
    if dialect == "sqlite" and term.isascii():
        return column.like(pattern, escape="\\")
    return func.lower(column).like(pattern.lower(), escape="\\")
