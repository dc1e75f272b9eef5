"""Small shared pieces for models: time, enums stored as strings, JSON."""
from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Naive UTC now; all datetimes are stored as naive UTC and localised when shown."""
    return datetime.now(UTC).replace(tzinfo=None)


class StrEnum(enum.StrEnum):
    """Enum whose values are stored as plain strings (portable, readable in SQL).

    A member may carry how it reads on screen: `ACTIVE = "active", _l("Active"), "success"` gives
    `.value == "active"`, `.label` (lazily translated) and `.colour` (a Bootstrap badge colour), so
    screens pass the enum itself instead of parallel label and colour dictionaries.
    """

    def __new__(cls, value: str, label: Any = None, colour: str = "secondary"):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        member.colour = colour
        return member

    @property
    def label(self):
        return self._label if self._label is not None else self.value

    @classmethod
    def of(cls, value: Any) -> StrEnum | None:
        """The member stored as `value`, or None for a value this enum does not know."""
        try:
            return cls(value)
        except ValueError:
            return None

    @classmethod
    def label_of(cls, value: Any):
        """The label of a stored value; the value itself if unknown."""
        member = cls.of(value)
        return member.label if member is not None else value

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        """(value, label) pairs for select fields and list filters."""
        return [(m.value, m.label) for m in cls]

