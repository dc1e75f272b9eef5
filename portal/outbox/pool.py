"""Sending a claimed batch over a small pool of SMTP connections (OUTBOX_SMTP_CONNECTIONS, default 4).

Each message is built once, before any connection opens (MIME bytes, Message-ID and all); a thread per
connection takes the next message from a queue and sends it. The threads never touch the database:
they report each result to the job's thread, which records them (in batches) in its own transaction.
Urgent mail goes first: every urgent message of the batch is accepted by the server before the first
bulk one is handed to a connection.
"""
from __future__ import annotations

import base64
import queue
import smtplib
import threading
import uuid
from dataclasses import dataclass, field
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from time import monotonic

from portal.outbox.international import NO_SMTPUTF8, NeedsSmtpUtf8, ascii_domain, needs_smtputf8


@dataclass
class Prepared:
    """One email ready for the wire: envelope and message bytes."""

    email_id: int
    priority: int
    to: str
    data: bytes
    smtputf8: bool = False


@dataclass
class Settings:
    server: str
    port: int
    use_ssl: bool = False
    use_tls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10
    suppress: bool = False  # MAIL_SUPPRESS_SEND: nothing goes out, everything counts as sent
    sender: str = ""


@dataclass
class Result:
    kind: str  # "sent", "failed" (one message), "down" (a connection could not be opened)
    item: Prepared | None = None
    error: BaseException | None = None


def sender_text(sender) -> str:
    """MAIL_DEFAULT_SENDER as a header value ("Name <address>"; Flask-Mail also takes (name, address))."""
    if isinstance(sender, tuple | list):
        return f"{sender[0]} <{sender[1]}>"
    return sender


def prepare(email_id: int, priority: int, to: str, subject: str, text: str, html: str | None,
            sender: str, attachments: tuple = ()) -> Prepared:
    """The message bytes of one email; built once, whatever the number of tries of the connection.
    `attachments` are (filename, content type, bytes)."""
    address = parseaddr(sender)[1] or sender
    domain = address.rpartition("@")[2] or "localhost"
    smtputf8 = needs_smtputf8(to)
    if smtputf8 or attachments:  # rare: the standard library's email package
        msg = EmailMessage(policy=policy.SMTPUTF8 if smtputf8 else policy.SMTP)
        msg["Subject"], msg["From"], msg["To"] = subject, sender, to if smtputf8 else ascii_domain(to)
        msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain=domain)
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
        for filename, content_type, data in attachments:
            maintype, _, subtype = content_type.partition("/")
            msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
        data = msg.as_bytes(policy=policy.SMTPUTF8 if smtputf8 else policy.SMTP)
        return Prepared(email_id, priority, ascii_domain(to), data, smtputf8)
    return Prepared(email_id, priority, ascii_domain(to), mime_bytes(subject, sender, ascii_domain(to), text, html,
                                                                     domain))


def _header(value: str) -> str:
    """A header value: as it is in ASCII, else RFC 2047 encoded words (folded with CRLF)."""
    return value if value.isascii() else Header(value, "utf-8").encode(linesep="\r\n")


def _part(content_type: str, body: str) -> bytes:
    data = base64.encodebytes(body.encode("utf-8")).replace(b"\n", b"\r\n")
    return (f"Content-Type: {content_type}; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            .encode("ascii") + data)


def mime_bytes(subject: str, sender: str, to: str, text: str, html: str | None, domain: str) -> bytes:
    """A text (and HTML) message as bytes, written out directly: the email package's object model costs
    several milliseconds a message, more than sending it to a local server."""
    name, address = parseaddr(sender)
    head = [f"Subject: {_header(subject)}", f"From: {formataddr((name, address), 'utf-8') if name else address}",
            f"To: {to}", f"Date: {formatdate(localtime=True)}", f"Message-ID: {make_msgid(domain=domain)}",
            "MIME-Version: 1.0"]
    if not html:
        return "\r\n".join(head).encode("ascii") + b"\r\n" + _part("text/plain", text)
    boundary = f"=_cw{uuid.uuid4().hex}"
    head.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    sep = f"\r\n--{boundary}\r\n".encode("ascii")
    return (("\r\n".join(head) + "\r\n").encode("ascii") + sep + _part("text/plain", text) + sep
            + _part("text/html", html) + f"\r\n--{boundary}--\r\n".encode("ascii"))


def connect(settings: Settings) -> smtplib.SMTP:
    """One SMTP connection, with a timeout (a dead server must not hang the job)."""
    cls = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    host = cls(settings.server, settings.port, timeout=settings.timeout)
    if settings.use_tls:
        host.starttls()
    if settings.username and settings.password:
        host.login(settings.username, settings.password)
    return host


def deliver(host: smtplib.SMTP, item: Prepared, sender: str) -> None:
    """Send one prepared message (a local part outside ASCII only over SMTPUTF8, else NeedsSmtpUtf8)."""
    envelope_from = parseaddr(sender)[1] or sender
    if item.smtputf8:
        host.ehlo_or_helo_if_needed()
        if not host.has_extn("smtputf8"):
            raise NeedsSmtpUtf8(NO_SMTPUTF8)
        host.sendmail(envelope_from, [item.to], item.data, mail_options=["SMTPUTF8"])
        return
    host.sendmail(envelope_from, [item.to], item.data)


_BROKEN = (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError)


@dataclass
class Pool:
    """`size` threads, each with its own connection, fed one priority group at a time."""

    settings: Settings
    size: int
    budget: float  # seconds: past them, no message is started (the rest is handed back)
    jobs: queue.Queue = field(default_factory=queue.Queue)
    results: queue.Queue = field(default_factory=queue.Queue)
    threads: list = field(default_factory=list)
    alive: int = 0
    deadline: float = 0.0

    def start(self, wanted: int) -> None:
        self.deadline = monotonic() + self.budget
        for _ in range(max(1, min(self.size, wanted))):
            thread = threading.Thread(target=self._work, name="outbox-smtp", daemon=True)
            self.threads.append(thread)
            self.alive += 1
            thread.start()

    def stop(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(self.settings.timeout * 3 + 5)

    def _work(self) -> None:
        from portal.outbox import pool as this  # looked up per call, so tests can stand in for deliver()

        host = None
        try:
            if not self.settings.suppress:
                host = connect(self.settings)
        except (OSError, smtplib.SMTPException) as exc:
            self.results.put(Result("down", error=exc))
            return
        try:
            while True:
                item = self.jobs.get()
                if item is None:
                    return
                if monotonic() > self.deadline:
                    self.results.put(Result("late", item))
                    continue
                try:
                    if host is not None:
                        this.deliver(host, item, self.settings.sender)
                except Exception as exc:  # noqa: BLE001 - recorded on that message by the job's thread
                    self.results.put(Result("failed", item, exc))
                    if isinstance(exc, _BROKEN) or _closing(exc):
                        host = self._reconnect(host)
                        if host is None:
                            return
                else:
                    self.results.put(Result("sent", item))
        finally:
            if host is not None:
                try:
                    host.quit()
                except (OSError, smtplib.SMTPException):
                    pass

    def _reconnect(self, host):
        """A dropped connection is opened again once; if that fails, this thread stops (others go on)."""
        try:
            host.close()
        except OSError:
            pass
        try:
            return connect(self.settings)
        except (OSError, smtplib.SMTPException) as exc:
            self.results.put(Result("down", error=exc))
            return None


def _closing(exc: Exception) -> bool:
    """421: the server closes the connection."""
    return getattr(exc, "smtp_code", None) == 421
