"""email-validator's reasons, in the reader's language.

email-validator explains a refusal in English only. The common reasons are matched here and given as
translatable sentences; any other falls back to a general one, so a Swedish page never shows English.
"""
from __future__ import annotations

import re

from email_validator import EmailNotValidError
from flask_babel import lazy_gettext as _l

_REASONS = [  # the first that matches wins: the specific kinds before the general ones
    (r"display name|angle bracket|anything after the email address|after close quote",
     _l("Write only the address, such as anna@example.se.")),
    (r"Quoting the part before", _l("Write the address without quotation marks.")),
    (r"must have an @-sign|exactly one @-sign|at-sign|invalid characters: '@'", _l("It must have one @ sign.")),
    (r"something before the @-sign", _l("Something must come before the @ sign.")),
    (r"something after the @-sign", _l("Something must come after the @ sign.")),
    (r"too long", _l("It is too long.")),
    (r"two periods in a row", _l("It cannot have two periods in a row.")),
    (r"period immediately (before|after) the @-sign", _l("A period cannot stand right next to the @ sign.")),
    (r"cannot (start|end) with a period", _l("It cannot start or end with a period.")),
    (r"cannot (start|end) with a hyphen|period and a hyphen|hyphen immediately after",
     _l("A hyphen cannot stand next to a period or at an end.")),
    (r"should have a period|not within a valid top-level domain",
     _l("The part after the @ sign must be a domain such as example.se.")),
    (r"special-use or reserved name", _l("The part after the @ sign is a reserved name that cannot receive email.")),
    (r"invalid characters? (in quotes )?before the @-sign|Internationalized characters before",
     _l("The part before the @ sign has characters that cannot be used.")),
    (r"after the @-sign|IDNA|address literal|brackets", _l("The part after the @ sign has characters that cannot be used.")),
    (r"unsafe characters|invalid character|not valid ASCII", _l("It has characters that cannot be used.")),
]
_COMPILED = [(re.compile(pattern, re.I), reason) for pattern, reason in _REASONS]


def email_reason(exc: EmailNotValidError) -> str:
    """Why the address was refused, translated."""
    english = str(exc)
    for pattern, reason in _COMPILED:
        if pattern.search(english):
            return str(reason)
    return str(_l("It is not a valid email address."))
