"""A layout field as the importers and templates see it: plain values, no database row."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    key: str
    labels: tuple[str, ...]
    kind: str
    required: bool
    max_length: int = 100
    options: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else self.key

    @property
    def option_list(self) -> list[str]:
        return list(self.options)
