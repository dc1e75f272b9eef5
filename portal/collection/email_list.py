"""Splitting a pasted list of email addresses (comma, semicolon, space or newline; "Name" <a@b.se> forms,
and Outlook's unquoted "Last, First <a@b.se>").

Linear in the length of the text: one pass of a tokenizer whose tokens never overlap, the line number
carried along (never counted again from the start), and caps on how many entries are read and how many
rejections are listed, so a hostile paste costs a bounded amount of work and answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from portal.catalog.layout import plain_email
from portal.infra.email_reasons import email_reason

MAX_ADDRESSES = 5000  # valid addresses taken from one paste
MAX_ENTRIES = 10000  # entries looked at, valid or not; the rest of the text is not read
MAX_LISTED_INVALID = 100  # rejections listed with their line; beyond, only counted
MAX_NAME_WORDS = 12  # words of a display name; earlier ones are entries of their own

# One token each: a quoted name, an <address>, a run of separators (and the blanks around them), blanks,
# a word, or a stray '>'. No pattern can backtrack over more than its own token.
_TOKEN = re.compile(r'(?P<quoted>"[^"\n]*"?)|(?P<angle><[^<>\n]*>?)|(?P<sep>[,;\n][\s,;]*)'
                    r'|(?P<blank>[^\S\n]+)|(?P<word>[^\s,;<>"]+)|(?P<stray>>)')


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
    invalid: list[InvalidEntry] = field(default_factory=list)  # at most MAX_LISTED_INVALID
    invalid_count: int = 0  # all rejected entries, listed or not
    truncated: bool = False  # the paste held more than the caps allow; the rest was not read
    read_to_line: int = 0  # when truncated: the line where reading stopped

    @property
    def unlisted(self) -> int:
        return self.invalid_count - len(self.invalid)


def parse_single_email(text: str, name: str = "") -> ParsedAddress:
    """One address, normalised (lower case), or ValueError with a message for the user."""
    candidate = (text or "").strip()
    fast = plain_email(candidate)  # almost every address: one expression instead of the full validator
    if fast:
        return ParsedAddress(email=fast.lower(), name=name.strip()[:200])
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(_l("%(address)s is not a valid email address: %(reason)s",
                                address=candidate or "''", reason=email_reason(exc)))) from None
    return ParsedAddress(email=result.normalized.lower(), name=name.strip()[:200])


class _Splitter:
    def __init__(self) -> None:
        self.out = EmailListResult()
        self.seen: set[str] = set()
        self.entries = 0
        self.words: list[tuple[str, int]] = []  # name words waiting for their <address>, with their line
        self.last_first: list[tuple[str, int]] = []  # "Berg," before a comma: maybe Outlook's "Last, First"

    @property
    def full(self) -> bool:
        return self.entries >= MAX_ENTRIES or len(self.out.valid) >= MAX_ADDRESSES

    def reject(self, text: str, line: int, reason) -> None:
        self.entries += 1
        self.out.invalid_count += 1
        if len(self.out.invalid) < MAX_LISTED_INVALID:
            self.out.invalid.append(InvalidEntry(text, str(reason), line))

    def address(self, raw: str, name: str, shown: str, line: int) -> None:
        if self.full:
            self.out.truncated, self.out.read_to_line = True, line
            return
        if len(self.out.invalid) >= MAX_LISTED_INVALID:
            # Nothing more is listed: check without building the message (the expensive part).
            candidate = raw.strip()
            fast = plain_email(candidate)
            try:
                parsed = ParsedAddress(email=(fast or validate_email(candidate, check_deliverability=False)
                                              .normalized).lower(), name=name.strip()[:200])
            except EmailNotValidError:
                self.entries += 1
                self.out.invalid_count += 1
                return
        else:
            try:
                parsed = parse_single_email(raw, name)
            except ValueError as exc:
                self.reject(shown, line, exc)
                return
        self.entries += 1
        key = parsed.email
        if key not in self.seen:
            self.seen.add(key)
            self.out.valid.append(parsed)

    def drop_words(self) -> None:
        """Name words that no <address> followed: each is a rejected entry."""
        for text, line in self.last_first + self.words:
            if not self.full:
                self.reject(text, line, _l("Not an email address."))
        self.last_first, self.words = [], []


def split_email_list(text: str) -> EmailListResult:
    """Every valid address once (first seen wins, compared case-insensitively), and why others failed."""
    s = _Splitter()
    line = 1
    for m in _TOKEN.finditer(text or ""):
        kind, value = m.lastgroup, m.group()
        if kind in ("word", "quoted", "angle", "stray") and s.full:
            s.out.truncated, s.out.read_to_line = True, line
            break
        if kind == "sep" and ("\n" in value or ";" in value):
            s.drop_words()
            line += value.count("\n")
        elif kind == "sep":
            # "Berg, Anna <anna@x.se>": words before a comma may be the surname of the next entry.
            earlier, s.words = s.words, []
            s.drop_words()
            s.last_first = earlier
        elif kind == "word" and "@" in value:
            s.drop_words()
            s.address(value, "", value, line)
        elif kind in ("word", "quoted"):
            s.words.append((value, line))
            if len(s.words) > MAX_NAME_WORDS:
                s.reject(*s.words.pop(0), reason=_l("Not an email address."))
        elif kind == "angle":
            _angle(s, value, line)
        elif kind == "stray":
            s.drop_words()
            s.reject(value, line, _l("Not an email address."))
    s.drop_words()
    return s.out


def _angle(s: _Splitter, value: str, line: int) -> None:
    """An <address>, named by the words before it (and by "Last," before a comma when those are bare words)."""
    if not value.endswith(">"):
        s.drop_words()
        s.reject(value, line, _l("Not an email address."))
        return
    if s.last_first and not (s.words and all(not w.startswith('"') for w, _ in s.words)):
        earlier, s.words = s.words, []
        s.drop_words()  # "Berg, <a@x.se>" or "Berg, "Anna" <a@x.se>": the surname stands alone
        s.words = earlier
    parts = s.last_first + s.words
    name = " ".join(w.strip('"') for w, _ in s.words)
    if s.last_first:
        name = " ".join(w for w, _ in s.last_first) + ", " + name
    shown = " ".join([w for w, _ in parts] + [value])
    start = parts[0][1] if parts else line
    s.last_first, s.words = [], []
    s.address(value[1:-1], name, shown, start)
