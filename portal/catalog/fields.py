"""A layout field as the importers and templates see it: plain values, no database row."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    key: str
    labels: tuple[str, ...]  # the label in the file's language first, then every other language's
    kind: str
    required: bool
    max_length: int = 100
    options: tuple[str, ...] = ()  # the stable values (English)
    # every name of each option, the file's language first (aligned with `options`)
    option_names: tuple[tuple[str, ...], ...] = ()

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else self.key

    @property
    def option_list(self) -> list[str]:
        return list(self.options)

    def option_labels(self, lang: str | None = None) -> list[str]:
        return [names[0] if names else value for value, names in zip(self.options, self._names(), strict=True)]

    def choice_value(self, text: str) -> str | None:
        wanted = text.strip().lower()
        for value, names in zip(self.options, self._names(), strict=True):
            if value.lower() == wanted or any(name.lower() == wanted for name in names):
                return value
        return None

    def _names(self) -> tuple[tuple[str, ...], ...]:
        return self.option_names if len(self.option_names) == len(self.options) else tuple((o,) for o in self.options)
