"""How complete each language's catalogues are: `flask translations status` and `flask translations check`.

Read from the .po files (ours, `messages`, and Flask-Admin's, `admin`): a message is untranslated when
its translation (or one of its plural forms) is empty, fuzzy when marked so; an entry whose source
string is no longer in the code (`#~`, after `make extract-messages`) is not counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

DOMAINS = ("messages", "admin")


@dataclass
class CatalogueStatus:
    language: str
    domain: str
    total: int = 0
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.untranslated and not self.fuzzy


def _text(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple | list) else message_id


def catalogue_status(directory: Path, language: str, domain: str) -> CatalogueStatus:
    status = CatalogueStatus(language, domain)
    path = directory / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        status.untranslated.append(f"(no catalogue: {path})")
        return status
    with open(path, "rb") as fh:
        catalogue = read_po(fh, locale=language)
    for message in catalogue:
        if not message.id:
            continue
        status.total += 1
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings):
            status.untranslated.append(_text(message.id))
        elif message.fuzzy:
            status.fuzzy.append(_text(message.id))
    return status


def translation_status(directory: Path, languages: list[str]) -> list[CatalogueStatus]:
    """Every translated language (not the source language, English) in every domain."""
    return [catalogue_status(directory, lang, domain) for lang in languages if lang != "en" for domain in DOMAINS]
