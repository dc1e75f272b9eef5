"""The catalogue in every language: per-language inputs on the catalogue forms, and the operator's
*Missing translations* screen."""
from __future__ import annotations

from flask_admin import expose
from flask_admin.form import rules
from markupsafe import Markup
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from admin_views.base import SecureView
from portal.catalog.operations import missing_translations
from portal.catalog.translations import BASE_LANGUAGE, OTHER_LANGUAGES
from portal.infra.config import LANGUAGE_NAMES

# The longest text each translatable field takes (the English columns' limits).
_MAX = {"name": 120, "label": 80, "description": 10_000, "options": 10_000}


def translation_fields(fields: dict) -> dict:
    """Form fields `<field>_<lang>` for every other language: `fields` maps a translatable field to
    (label, multi-line[, description]). All optional: an empty one falls back to English."""
    out = {}
    for lang in OTHER_LANGUAGES:
        for field, (label, multiline, *description) in fields.items():
            kind = TextAreaField if multiline else StringField
            out[f"{field}_{lang}"] = kind(label, validators=[Optional(), Length(max=_MAX[field])],
                                          description=description[0] if description else "", render_kw={"lang": lang})
    return out


class LanguageGroup(rules.NestedRule):
    """The inputs of one language in a fieldset whose legend is the language's own name."""

    def __init__(self, lang: str, fields):
        super().__init__(list(fields))
        self.lang = lang

    def __call__(self, form, form_opts=None, field_args=None):
        inner = super().__call__(form, form_opts, field_args)
        return Markup('<fieldset class="language-group border rounded px-3 pt-1 mb-3" data-language="{lang}">'
                      '<legend class="h6 w-auto px-1 mb-1" lang="{lang}">{name}</legend>{inner}</fieldset>').format(
            lang=self.lang, name=LANGUAGE_NAMES[self.lang], inner=inner)


class LanguageGroups(rules.NestedRule):
    """The language groups side by side (as many columns as the width allows)."""

    def __call__(self, form, form_opts=None, field_args=None):
        return Markup('<div class="language-groups">{}</div>').format(super().__call__(form, form_opts, field_args))


def language_groups(base_fields: tuple[str, ...], names: tuple[str, ...] | None = None) -> LanguageGroups:
    """English (the base columns `base_fields`) first, then one group per other language."""
    names = names or base_fields
    return LanguageGroups([LanguageGroup(BASE_LANGUAGE, base_fields)] + [
        LanguageGroup(lang, [f"{name}_{lang}" for name in names]) for lang in OTHER_LANGUAGES])


class MissingTranslationsView(SecureView):
    operator_only = True

    @expose("/")
    def index(self):
        by_language = missing_translations()
        return self.render("admin/catalog/missing_translations.html", by_language=by_language,
                           language_names=LANGUAGE_NAMES)
