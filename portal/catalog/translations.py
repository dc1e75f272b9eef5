"""Catalogue data in every language the application speaks.

Each translatable catalogue row keeps its English text in its own columns (the base value, always
there) and the other languages in one JSON column, `translations = {lang: {field: text}}`. Reading
goes through `localized(obj, field, lang=None)` (the current page's or email's language by default):
a missing or empty translation falls back to English.

Choice options are stored one per line, the translations line by line in the same order. A card or
request keeps the English option (the stable value); screens, emails and files show the option in
the reader's language, and what a person types or imports in any language maps back to it.
"""
from __future__ import annotations

from flask_babel import get_locale

from portal.infra.config import LANGUAGE_NAMES

BASE_LANGUAGE = "en"
OTHER_LANGUAGES = tuple(code for code in LANGUAGE_NAMES if code != BASE_LANGUAGE)


def current_language() -> str:
    """The language of the page or email being made ("en" outside a request or `force_locale`)."""
    try:
        locale = get_locale()
    except RuntimeError:
        locale = None
    return str(locale.language) if locale is not None else BASE_LANGUAGE


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class Translated:
    """Mixin of a catalogue model with a `translations` JSON column.

    `TRANSLATED` names each translatable field and the attribute holding its English text. For every
    other language, `<field>_<lang>` (e.g. `name_sv`) reads and writes that translation as a plain
    attribute, so a form field of that name edits it.
    """

    TRANSLATED: dict[str, str] = {}

    def translation(self, lang: str, field: str) -> str:
        """The stored translation, "" when there is none (no fallback)."""
        return (((self.translations or {}).get(lang) or {}).get(field) or "").strip()

    def set_translation(self, lang: str, field: str, text: str | None) -> None:
        everything = {code: dict(values) for code, values in (self.translations or {}).items()}
        values = everything.setdefault(lang, {})
        text = (text or "").strip()
        if text:
            values[field] = text
        else:
            values.pop(field, None)
        if not values:
            everything.pop(lang)
        self.translations = everything  # a new dict, so the change is seen (and audited)

    def base_text(self, field: str) -> str:
        return (getattr(self, self.TRANSLATED[field]) or "").strip()

    def missing_translations(self, lang: str) -> list[str]:
        """The fields with English text but no (complete) translation in `lang`."""
        missing = []
        for field in self.TRANSLATED:
            base = self.base_text(field)
            if not base:
                continue
            translated = self.translation(lang, field)
            if not translated or (field == "options" and len(lines(translated)) < len(lines(base))):
                missing.append(field)
        return missing


def localized(obj: Translated, field: str, lang: str | None = None) -> str:
    """`field` of a catalogue row in `lang` (default: the current language), English when untranslated."""
    lang = lang or current_language()
    if lang != BASE_LANGUAGE:
        text = obj.translation(lang, field)
        if text:
            return text
    return obj.base_text(field)


class _LanguageAttribute:
    def __init__(self, field: str, lang: str):
        self.field, self.lang = field, lang

    def __get__(self, obj, owner=None):
        return self if obj is None else obj.translation(self.lang, self.field)

    def __set__(self, obj, value):
        obj.set_translation(self.lang, self.field, value)


def language_attributes(cls):
    """Class decorator: `<field>_<lang>` attributes for every translatable field and other language."""
    for field in cls.TRANSLATED:
        for lang in OTHER_LANGUAGES:
            setattr(cls, f"{field}_{lang}", _LanguageAttribute(field, lang))
    return cls


def option_names(field, lang: str | None = None) -> list[str]:
    """A choice field's options as `lang` reads them, in the English order (English where a line is
    not translated)."""
    base = lines(field.options)
    lang = lang or current_language()
    if lang == BASE_LANGUAGE:
        return base
    translated = lines(field.translation(lang, "options"))
    return [translated[i] if i < len(translated) else option for i, option in enumerate(base)]


def option_aliases(field) -> list[tuple[str, ...]]:
    """Every name of each option (English first, then each language's), in the English order."""
    base = lines(field.options)
    names = [[option] for option in base]
    for lang in OTHER_LANGUAGES:
        for i, name in enumerate(lines(field.translation(lang, "options"))[: len(base)]):
            names[i].append(name)
    return [tuple(dict.fromkeys(n)) for n in names]
