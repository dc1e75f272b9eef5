"""The one place that decides the language of a page.

In order: the person's own choice (`?lang=` on any page, or the language switch; kept in the
session), the language of what the page is about (an employee's request, the portal account's
company: `use_page_language`), then whatever the application registers as further sources (the
signed-in user's and the current company's language), then the browser's preference.
Jobs and CLI commands choose their language per email with `force_locale`.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_translations, refresh

from portal.infra.config import BASE_DIR
from portal.infra.extensions import babel
from portal.infra.form_messages import install as install_form_messages

LanguageSource = Callable[[], "str | None"]


def languages() -> dict:
    return current_app.config["LANGUAGES"]


def language_choices() -> list[tuple[str, str]]:
    """(code, own name) of every language the application speaks: the choices of every language menu."""
    return list(languages().items())


def language_name(code: str | None) -> str:
    return languages().get(code or "", code or "")


def choose_language(code: str) -> bool:
    """Remember the person's own choice for this browser session."""
    if code not in languages():
        return False
    session["language"] = code
    g.pop("page_language", None)
    refresh()
    return True


def use_page_language(code: str | None) -> None:
    """The language of what this page is about; the person's own choice still wins."""
    if code in languages():
        g.page_language = code
        refresh()


def select_locale() -> str:
    available = languages()
    if not has_request_context():
        return "en"  # jobs and CLI: emails choose their language explicitly with force_locale
    for candidate in _candidates():
        if candidate in available:
            return candidate
    return request.accept_languages.best_match(list(available)) or "en"


def _candidates():
    yield request.args.get("lang")
    yield session.get("language")
    yield g.get("page_language")
    for source in current_app.extensions.get("language_sources", ()):
        yield source()


def page_translations():
    """The catalogue of the page's language, looked up once per language and request. Flask-Babel looks
    it up again for every string (three context lookups and the locale's name each time: a page has a
    dozen strings). A change of language (`refresh`, `force_locale` for an email) makes a new locale, so
    the next string looks up the catalogue again."""
    state = g.get("_flask_babel") if g else None
    if state is not None:
        seen = getattr(state, "page_translations", None)
        if seen is not None and seen[0] is getattr(state, "babel_locale", None) \
                and seen[1] is getattr(state, "babel_domain", None):
            return seen[2]
    translations = get_translations()
    state = g.get("_flask_babel") if g else None
    if state is not None and getattr(state, "babel_locale", None) is not None:
        state.page_translations = (state.babel_locale, getattr(state, "babel_domain", None), translations)
    return translations


def init_i18n(app: Flask, *sources: LanguageSource) -> None:
    app.extensions["language_sources"] = sources
    install_form_messages()  # WTForms' own messages from our catalogues, in every language
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(BASE_DIR / "translations"))
    # The templates' _() and ngettext as Flask-Babel installs them, with the catalogue looked up once.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.before_request
    def _remember_chosen_language():
        chosen = request.args.get("lang")
        if chosen in languages() and session.get("language") != chosen:
            session["language"] = chosen
