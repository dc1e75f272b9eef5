"""How values read on screens and in emails: money, dates, badges and absolute links.

Template filters and globals (`init_templates` in `portal.infra.web`) and Python code (list
formatters in the admin screens) use the same functions, so a date or a badge looks the same
everywhere.
"""
from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_datetime, format_skeleton, match_skeleton
from flask import current_app, url_for
from flask_babel import format_currency, format_decimal, get_locale, get_timezone
from markupsafe import Markup, escape


def money(value, currency: str | None = None) -> str:
    if value is None:
        return ""
    currency = currency or current_app.config["CURRENCY"]
    if str(get_locale() or "en").startswith("en"):
        # English CLDR writes "SEK107.00"; Nordic readers expect the amount first.
        return format_currency(Decimal(value), currency, format="#,##0.00\u00a0¤")
    return format_currency(Decimal(value), currency)


def when(value) -> str:
    """A date and time as people read it in their language, unambiguous and 24-hour:
    "25 nov. 2026 04:41" in Swedish, "Nov 25, 2026 04:41" in English (not "11/25/26, 4:41 AM").
    (Every list row has one: the patterns are looked up once per language, not matched per call, and the time
    is moved to the portal's time zone without pytz's normalize, which only matters after arithmetic; a third
    of the cost before.)"""
    if not value:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(get_timezone())
    locale, day, minute = _when_patterns(str(get_locale() or "en"))
    return f"{format_datetime(local, day, locale=locale)} {format_datetime(local, minute, locale=locale)}"


@lru_cache(maxsize=16)
def _when_patterns(locale_id: str):
    """The locale and its patterns for the skeletons yMMMd and Hm (as babel's format_skeleton finds them)."""
    locale = Locale.parse(locale_id)
    skeletons = locale.datetime_skeletons

    def pattern(skeleton: str):
        return skeletons[skeleton if skeleton in skeletons else (match_skeleton(skeleton, skeletons) or skeleton)]

    return locale, pattern("yMMMd"), pattern("Hm")


def number(value) -> str:
    """A count or amount written the reader's way: "12,500" in English, "12 500" in Swedish."""
    return format_decimal(value) if value is not None else ""


def month(key: str, width: str = "short") -> str:
    """A "2026-03" month key as the reader names it: "mars 2026" (long) or "mars" (short, under a chart's bar)."""
    year, month_number = (int(part) for part in key.split("-")[:2])
    return format_skeleton("yMMMM" if width == "long" else "MMM", date(year, month_number, 1), locale=get_locale() or "en")


def badge(label, colour: str = "secondary", icon: str = "") -> Markup:
    """The one status badge markup: `badge(OrderStatus.of(order.status))` for a status enum member (its
    own label and colour), or `badge(text, colour)` for anything else, with a Font Awesome `icon` before
    the text if given. Nothing for None."""
    if label is None:
        return Markup("")
    if hasattr(label, "label") and hasattr(label, "colour"):
        label, colour = label.label, label.colour
    mark = Markup('<i class="fa fa-{}" aria-hidden="true"></i> ').format(escape(icon)) if icon else Markup("")
    return Markup('<span class="badge badge-{}">{}{}</span>').format(escape(colour), mark, escape(str(label)))


def as_lines(text) -> Markup:
    """Text someone typed over several lines, shown as those lines: every line escaped, joined by <br>."""
    return Markup("<br>").join(escape(line) for line in str(text or "").splitlines())


def external_link(endpoint: str, **values) -> str:
    """An absolute link for emails, always on the configured BASE_URL (never the request's host)."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)
