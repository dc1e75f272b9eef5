"""Splitting a pasted list of email addresses (comma, semicolon, space or newline; "Name" <a@b.se> forms)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

MAX_ADDRESSES = 5000
# One entry: an optional display name (quoted, or bare words) followed by <address>, or a bare token.
_ENTRY = re.compile(r'\s*(?:"(?P<qname>[^"]*)"\s*<(?P<qaddr>[^<>]*)>|(?P<name>[^<>,;"\n]*?)\s*<(?P<addr>[^<>]*)>|(?P<bare>[^\s,;<>]+))')
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class ParsedAddress:
    email: str
    name: str = ""


@dataclass(frozen=True)
class InvalidEntry:
    text: str
    reason: str
    line: int = 1  # where in the pasted text, so a long list can be fixed


@dataclass
class EmailListResult:
    valid: list[ParsedAddress] = field(default_factory=list)
    invalid: list[InvalidEntry] = field(default_factory=list)


def parse_single_email(text: str, name: str = "") -> ParsedAddress:
    """One address, normalised (domain lower-case), or ValueError with a message for the user."""
    candidate = (text or "").strip()
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(_l("%(address)s is not a valid email address: %(reason)s",
                                address=candidate or "''", reason=str(exc)))) from None
    local, _, domain = result.normalized.rpartition("@")
    return ParsedAddress(email=f"{local}@{domain.lower()}", name=name.strip()[:200])


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def split_email_list(text: str) -> EmailListResult:
    """Every valid address once (first seen wins, compared case-insensitively), and why others failed."""
    out = EmailListResult()
    seen: set[str] = set()
    pos, text = 0, text or ""
    while pos < len(text):
        sep = _SEPARATORS.match(text, pos)
        if sep:
            pos = sep.end()
            continue
        m = _ENTRY.match(text, pos)
        if not m or m.end() == pos:
            # An unmatched stray character (such as a lone '<'): report it and move on.
            end = _SEPARATORS.search(text, pos + 1)
            chunk = text[pos:end.start() if end else len(text)]
            out.invalid.append(InvalidEntry(chunk, str(_l("Not an email address.")), _line(text, pos)))
            pos = end.end() if end else len(text)
            continue
        pos = m.end()
        addr = m.group("qaddr") or m.group("addr") or m.group("bare") or ""
        name = m.group("qname") or m.group("name") or ""
        if len(out.valid) >= MAX_ADDRESSES:
            out.invalid.append(InvalidEntry(addr, str(_l("At most %(n)d addresses at a time.", n=MAX_ADDRESSES)),
                                            _line(text, m.start())))
            break
        try:
            parsed = parse_single_email(addr, name)
        except ValueError as exc:
            out.invalid.append(InvalidEntry(m.group(0).strip(), str(exc), _line(text, m.end() - len(m.group(0).lstrip()))))
            continue
        key = parsed.email.lower()
        if key not in seen:
            seen.add(key)
            out.valid.append(parsed)
    return out
