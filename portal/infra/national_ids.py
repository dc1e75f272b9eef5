"""National identity numbers of Sweden, Norway, Finland and Denmark (python-stdnum does the maths).

Numbers are stored in one canonical compact form per country so that search can use an index:
SE 12 digits (YYYYMMDDNNNN), NO 11 digits, FI compact HETU (DDMMYY-NNNC), DK 10 digits.
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from stdnum.dk import cpr
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu
from stdnum.no import fodselsnummer
from stdnum.se import personnummer

COUNTRIES = {"SE": _l("Sweden"), "NO": _l("Norway"), "FI": _l("Finland"), "DK": _l("Denmark")}
_MESSAGES = {
    "SE": _l("Not a valid Swedish personal identity number (check the digits)."),
    "NO": _l("Not a valid Norwegian national identity number (check the digits)."),
    "FI": _l("Not a valid Finnish personal identity code (check the characters)."),
    "DK": _l("Not a valid Danish CPR number (check the digits)."),
}


class InvalidNationalId(ValueError):
    """The value is not a valid national identity number; str() is a message for the user."""


_SE_PLAIN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})$")


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its two digits summed


def _luhn_ok(digits: str) -> bool:
    """The Luhn check of a string of ASCII digits (stdnum's general version costs 10x per CSV row)."""
    total = sum(map(int, digits[-1::-2])) + sum(_DOUBLED[int(d)] for d in digits[-2::-2])
    return total % 10 == 0


def _plain_personnummer(text: str) -> str | None:
    """The common Swedish forms (YYMMDD-NNNN, YYYYMMDDNNNN...) without stdnum's general parser:
    the same century rule, date check and Luhn digit. None means "ask stdnum" (valid or not)."""
    match = _SE_PLAIN.match(text)
    if not match:
        return None
    century, yy, mm, dd, sep, tail = match.groups()
    if century is None:
        year = date.today().year
        guess = year // 100 - (int(yy) > year % 100) - (sep == "+")
        century = f"{guess:02d}"
    elif sep == "+":
        return None
    try:
        date(int(century + yy), int(mm), int(dd))
    except ValueError:
        return None
    ten = yy + mm + dd + tail
    if not _luhn_ok(ten):
        return None
    return century + ten


def normalise_national_id(value: str, country: str = "SE") -> str:
    """The canonical form of a valid number typed in any common format, or InvalidNationalId."""
    country = (country or "SE").upper()
    text = (value or "").strip()
    if not text or len(text) > 20:
        raise InvalidNationalId(_MESSAGES.get(country, _MESSAGES["SE"]))
    if country == "SE":
        fast = _plain_personnummer(text)
        if fast:
            return fast
    try:
        if country == "SE":
            compact = personnummer.validate(text)  # '+' marks 100 years and older
            birth = personnummer.get_birth_date(compact)
            digits = re.sub(r"[^0-9]", "", compact)
            # Century from the birth date, then the ten digits as typed (coordination numbers keep day+60).
            return f"{birth.year // 100:02d}{digits[-10:]}"
        if country == "NO":
            return fodselsnummer.validate(text)
        if country == "FI":
            return hetu.validate(text)
        if country == "DK":
            return cpr.validate(text)
    except (ValidationError, ValueError, TypeError):
        raise InvalidNationalId(_MESSAGES.get(country, _MESSAGES["SE"])) from None
    raise InvalidNationalId(_l("National identity numbers of %(country)s are not supported.", country=country))


def format_national_id(canonical: str, country: str = "SE") -> str:
    """For display: SE YYYYMMDD-NNNN, NO/DK DDMMYY-NNNN(N), FI as stored."""
    if not canonical:
        return ""
    if country == "SE" and len(canonical) == 12 and canonical.isdigit():
        return f"{canonical[:8]}-{canonical[8:]}"
    if country in ("NO", "DK") and canonical.isdigit():
        return f"{canonical[:6]}-{canonical[6:]}"
    return canonical


def search_keys(value: str) -> list[str]:
    """Canonical candidates for a search box value typed in any format.

    A complete valid Swedish number gives its 12-digit form; a 10-digit or partial number gives
    prefixes with the century guessed (19.., 20..); other digits are returned as typed, so a
    prefix search on the canonical column finds them. Letters (FI codes) are kept upper-case.
    """
    text = (value or "").strip()
    if not text:
        return []
    try:
        return [normalise_national_id(text, "SE")]
    except InvalidNationalId:
        pass
    digits = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if not digits:
        return []
    keys = [digits]
    if digits.isdigit() and len(digits) in (6, 10) or (digits.isdigit() and 6 <= len(digits) < 10 and "-" in text):
        keys = [f"19{digits}", f"20{digits}"]
    return list(dict.fromkeys(keys))
