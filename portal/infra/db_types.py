"""Small shared pieces for models: time, enums stored as strings, JSON."""
from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import mapped_column

# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Naive UTC now; all datetimes are stored as naive UTC and localised when shown."""
    return datetime.now(UTC).replace(tzinfo=None)


class StrEnum(enum.StrEnum):
    """Enum whose values are stored as plain strings (portable, readable in SQL)."""


def enum_column(enum_cls: type[StrEnum], default: StrEnum | None = None, **kw: Any):
    """A VARCHAR column holding an enum's value (no native ENUM type: migrations stay simple)."""
    length = max(len(m.value) for m in enum_cls)
    return mapped_column(String(max(length, 16)), default=default.value if default else None, **kw)
