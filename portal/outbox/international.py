"""Addresses with letters outside ASCII (östen.nyström@x.se, åsa@bücher.se).

The domain goes out in its IDNA form (xn--...), which every server takes. A local part with such
letters needs SMTPUTF8: sent with it where the server announces it; where it does not, the email can
never go and is refused at once with a reason people can read (not a UnicodeEncodeError).
Flask-Mail cannot build these messages at all (its address formatting is ASCII-only), so they are built
here with the standard library's SMTPUTF8 policy.
"""
from __future__ import annotations

import smtplib
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


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


def send_international(host: smtplib.SMTP, sender: str, to: str, subject: str, text: str, html: str | None) -> None:
    """Send one message to an address whose local part is not ASCII, over SMTPUTF8."""
    host.ehlo_or_helo_if_needed()
    if not host.has_extn("smtputf8"):
        raise NeedsSmtpUtf8(NO_SMTPUTF8)
    msg = EmailMessage(policy=policy.SMTPUTF8)
    msg["Subject"], msg["From"], msg["To"] = subject, sender, to
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    host.sendmail(sender, [ascii_domain(to)], msg.as_bytes(policy=policy.SMTPUTF8), mail_options=["SMTPUTF8"])
