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
from flask_babel import refresh

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


def init_i18n(app: Flask, *sources: LanguageSource) -> None:
    app.extensions["language_sources"] = sources
    install_form_messages()  # WTForms' own messages from our catalogues, in every language
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(BASE_DIR / "translations"))

    @app.before_request
    def _remember_chosen_language():
        chosen = request.args.get("lang")
        if chosen in languages() and session.get("language") != chosen:
            session["language"] = chosen
