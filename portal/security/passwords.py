"""Choosing and hashing passwords.

A new password must be long enough and must not be common or easy to guess. The guessability check
is zxcvbn (Dropbox's estimator, Python port): it ships the most common passwords, names and words
offline and scores a password from 0 to 4 by the guesses an attacker would need; we refuse below 3.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.tenancy.models import User
from portal.tenancy.operations import store_password_hash

MIN_ADMIN_LENGTH = 10  # back-office users reach every company's personal data
MIN_CUSTOMER_LENGTH = 8  # customer-portal accounts (issue 5)
MAX_LENGTH = 200
MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline slow-hash scenario"
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; 72 characters are far beyond any guessing anyway

# zxcvbn's English warnings, summarised in our own translatable words.
_COMMON = _l("This is one of the most common passwords. Attackers try those first.")
_WORD = _l("A single word or name is easy to guess. Add a few more uncommon words.")
_WARNINGS = {
    "This is a top-10 common password.": _COMMON,
    "This is a top-100 common password.": _COMMON,
    "This is a very common password.": _COMMON,
    "This is similar to a commonly used password.": _l(
        "This is too close to a common password: changing letters to digits or adding a year does not help."),
    "A word by itself is easy to guess.": _WORD,
    "Names and surnames by themselves are easy to guess.": _WORD,
    "Common names and surnames are easy to guess.": _WORD,
    "Straight rows of keys are easy to guess.": _l("Keyboard patterns such as \"qwerty\" are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Keyboard patterns such as \"qwerty\" are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l("Repeated letters or words are easy to guess."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        "Repeated letters or words are easy to guess."),
    'Sequences like "abc" or "6543" are easy to guess.': _l("Sequences such as \"abc\" or \"1234\" are easy to guess."),
    "Recent years are easy to guess.": _l("Dates and years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates and years are easy to guess."),
}


class PasswordError(ValueError):
    """A chosen password breaks a rule; the message says which, in the user's language."""


def hash_password(password: str) -> str:
    """scrypt via Werkzeug: a memory-hard KDF with a per-password random salt."""
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str | None) -> bool:
    return bool(password_hash) and check_password_hash(password_hash, password or "")


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def spend_verify_time(password: str | None) -> None:
    """Check against a throw-away hash: an unknown account costs the same scrypt time as a known one."""
    check_password_hash(_dummy_hash(), password or "")


def check_new_password(password: str | None, *, min_length: int = MIN_ADMIN_LENGTH,
                       user_inputs: Iterable[str] = ()) -> None:
    """Raise PasswordError unless the password is long enough and hard to guess.

    `user_inputs` are words an attacker would know (email, name, username, company): a password
    built from them is refused as well.
    """
    password = password or ""
    if len(password) < min_length:
        raise PasswordError(_l("Use at least %(n)d characters.", n=min_length))
    if len(password) > MAX_LENGTH:
        raise PasswordError(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    words = _personal_words(user_inputs)
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=words)
    personal = _mostly_personal(password, words)
    if result["score"] >= MIN_SCORE and not personal:
        return
    if personal or any(m.get("dictionary_name") == "user_inputs" for m in result["sequence"]):
        raise PasswordError(_l("Do not build the password from your name, email address, username or company."))
    reason = _WARNINGS.get(result["feedback"].get("warning") or "", _l("This password is too easy to guess."))
    raise PasswordError(_l("%(reason)s Try a short sentence of four or more uncommon words.", reason=reason))


def set_password(user, password: str) -> None:
    """Check a back-office user's new password against the rules, then store its hash.

    Storing also signs out the user's other sessions and ends an open invitation.
    """
    check_new_password(password, min_length=MIN_ADMIN_LENGTH, user_inputs=[user.email, user.name])
    store_password_hash(user, hash_password(password))


def _personal_words(values: Iterable[str]) -> list[str]:
    """The values and their parts: "anna.berg@nordbygg.se" also gives "anna", "berg" and "nordbygg"."""
    words: set[str] = set()
    for value in values:
        value = (value or "").strip().lower()
        if not value:
            continue
        words.add(value)
        for part in value.replace("@", " ").replace(".", " ").replace("-", " ").replace("_", " ").split():
            if len(part) >= 3:
                words.add(part)
    return sorted(words)


def _mostly_personal(password: str, words: list[str]) -> bool:
    """True when half or more of the letters and digits are the person's own names (anna.berg2024)."""
    text = password.lower()
    total = sum(ch.isalnum() for ch in text)
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, " ")
    return total > 0 and sum(ch.isalnum() for ch in text) * 2 <= total


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for every failure)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash:
        spend_verify_time(password)  # same time either way: the answer does not reveal which emails exist
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user
