"""Addresses with letters outside ASCII (östen.nyström@x.se, åsa@bücher.se).

The domain goes out in its IDNA form (xn--...), which every server takes. A local part with such
letters needs SMTPUTF8: sent with it where the server announces it; where it does not, the email can
never go and is refused at once with a reason people can read (not a UnicodeEncodeError).
The outbox builds every message with the standard library (outbox.pool), these with its SMTPUTF8 policy.
"""
from __future__ import annotations


class NeedsSmtpUtf8(Exception):
    """The address needs SMTPUTF8 and the mail server does not offer it: it will never be delivered."""


NO_SMTPUTF8 = ("the mail server does not offer SMTPUTF8, which an address with letters outside A-Z before "
               "the @ needs; ask for another address or use a server that offers it")


def ascii_domain(address: str) -> str:
    """The address with its domain in IDNA form; the local part as it is."""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    return f"{local}@{domain.encode('idna').decode('ascii')}"


def needs_smtputf8(address: str) -> bool:
    return not address.rpartition("@")[0].isascii()
